import { checkInput, consentFilterSchema, type ConsentStatus, type StoredConsent } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { checkBookmarkInRange, pageSizeOf, rangePage } from '../ledger/pagination';
import { erasureReceiptsOf } from '../subjects/erased-subjects';
import { mayReadConsent } from './consent-access';
import { consentStatus, type ConsentMoment } from './consent-status';
import { consentIdOfIndexKey, consentIndexRange, readConsents } from './consent-store';

/** A consent as read: the stored record and its status now (see ConsentMoment). */
export type ConsentView = StoredConsent & { status: ConsentStatus };

/**
 * One page of consents on one index path, in consent-id order. The filter is the contract's
 * `consentFilterSchema`. The caller sees only consents it may read: a page is up to `pageSize` of
 * those, read on past index entries of consents it may not read. With `status`, only those in that
 * status at `moment` are returned (`erased` when the subject's erasure receipt exists), so a page
 * can hold fewer than `pageSize` records while the bookmark goes on.
 *
 * The bookmark is the index key of the last readable consent the page covered, and the next page
 * resumes strictly after it. Fabric's own bookmark — the next key in the range — would name the
 * next consent's id even when the caller may not read that consent; a key the caller was given
 * names only a consent it may read.
 */
export async function queryConsents(
  ctx: Context,
  caller: Caller,
  filterJson: unknown,
  moment: ConsentMoment,
): Promise<{ records: ConsentView[]; bookmark: string }> {
  const filter = checkInput(consentFilterSchema, filterJson);
  const { startKey, endKey } = consentIndexRange(filter.by, filter.value);
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const { readable, bookmark: next } = await readablePage(
    ctx,
    caller,
    { startKey, endKey, resumeAt: bookmark === '' ? '' : keyAfter(bookmark) },
    pageSizeOf(filter.pageSize),
  );
  const receipts = await erasureReceiptsOf(
    ctx,
    readable.map((consent) => consent.subjectRef),
  );
  const records: ConsentView[] = [];
  for (const consent of readable) {
    const status = consentStatus(consent, moment, receipts.has(consent.subjectRef));
    if (filter.status === undefined || filter.status === status) records.push({ ...consent, status });
  }
  return { records, bookmark: next };
}

/**
 * Up to `pageSize` consents the caller may read, in index order from `resumeAt` (the range start when
 * empty), reading the index in chunks of `pageSize` entries until the page is full or the range ends.
 * The bookmark is the key of the last consent returned when the page is full, else empty.
 */
async function readablePage(
  ctx: Context,
  caller: Caller,
  range: { startKey: string; endKey: string; resumeAt: string },
  pageSize: number,
): Promise<{ readable: StoredConsent[]; bookmark: string }> {
  const readable: StoredConsent[] = [];
  let resumeAt = range.resumeAt;
  for (;;) {
    const chunk = await rangePage(ctx, range.startKey, range.endKey, pageSize, resumeAt);
    // One index value's entries name each consent once, so the id identifies the entry.
    const consents = new Map(
      (
        await readConsents(
          ctx,
          chunk.records.map((entry) => consentIdOfIndexKey(entry.key)),
        )
      ).map((consent) => [consent.id, consent]),
    );
    for (const entry of chunk.records) {
      const consent = consents.get(consentIdOfIndexKey(entry.key));
      if (consent === undefined || !mayReadConsent(caller, consent)) continue;
      readable.push(consent);
      if (readable.length === pageSize) return { readable, bookmark: entry.key };
    }
    // Fabric's bookmark (the next key) stays inside this transaction: it resumes the scan, never returned.
    if (chunk.bookmark === '') return { readable, bookmark: '' };
    resumeAt = chunk.bookmark;
  }
}

/**
 * The smallest key after `key` in the peer's byte order: `key` followed by U+0000 (one zero byte).
 * Fabric resumes a range at its bookmark inclusively, so this resumes strictly after the key handed out.
 */
function keyAfter(key: string): string {
  return `${key}\u0000`;
}
