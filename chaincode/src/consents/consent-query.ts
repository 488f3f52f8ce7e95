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
 * `consentFilterSchema`. The caller sees only consents it may read and, with `status`, only those
 * in that status at `moment` (`erased` when the subject's erasure receipt exists); both filters
 * apply after the index read, so a page can hold fewer than `pageSize` records while the bookmark
 * goes on.
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
  const page = await rangePage(ctx, startKey, endKey, pageSizeOf(filter.pageSize), bookmark);
  const readable = (
    await readConsents(
      ctx,
      page.records.map((entry) => consentIdOfIndexKey(entry.key)),
    )
  ).filter((consent) => mayReadConsent(caller, consent));
  const receipts = await erasureReceiptsOf(
    ctx,
    readable.map((consent) => consent.subjectRef),
  );
  const records: ConsentView[] = [];
  for (const consent of readable) {
    const status = consentStatus(consent, moment, receipts.has(consent.subjectRef));
    if (filter.status === undefined || filter.status === status) records.push({ ...consent, status });
  }
  return { records, bookmark: page.bookmark };
}
