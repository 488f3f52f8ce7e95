import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { checkBookmarkInRange, checkPageSize, rangePage } from '../ledger/pagination';
import { check, integer, label, object, oneOf, optional, string, type ObjectOf } from '../validation/rules';
import { mayReadConsent } from './consent-access';
import type { StoredConsent } from './consent-schema';
import { consentStatusAt, type ConsentStatus } from './consent-status';
import { CONSENT_INDEX_PATHS, consentIdOfIndexKey, consentIndexRange, readConsents } from './consent-store';

const filterShape = {
  by: oneOf(CONSENT_INDEX_PATHS),
  value: label(128),
  status: optional(oneOf(['pending', 'active', 'expired', 'revoked'] as const)),
  pageSize: optional(integer({ min: 1, max: 1000 })),
  bookmark: optional(string({ minLength: 0, maxLength: 1024 })),
};
export type ConsentFilter = ObjectOf<typeof filterShape>;
export const consentFilter = object(filterShape);

/** A consent as read: the stored record and its status at the reading transaction's time. */
export type ConsentView = StoredConsent & { status: ConsentStatus };

/**
 * One page of consents on one index path, in consent-id order. The caller sees only consents it
 * may read and, with `status`, only those in that status at `at`; both filters apply after the
 * index read, so a page can hold fewer than `pageSize` records while the bookmark goes on.
 */
export async function queryConsents(ctx: Context, caller: Caller, filterJson: unknown, at: string): Promise<{ records: ConsentView[]; bookmark: string }> {
  const filter = check(consentFilter, filterJson);
  const pageSize = checkPageSize(filter.pageSize);
  const { startKey, endKey } = consentIndexRange(filter.by, filter.value);
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, pageSize, bookmark);
  const records: ConsentView[] = [];
  for (const consent of await readConsents(ctx, page.records.map((entry) => consentIdOfIndexKey(entry.key)))) {
    if (!mayReadConsent(caller, consent)) continue;
    const status = consentStatusAt(consent, at);
    if (filter.status === undefined || filter.status === status) records.push({ ...consent, status });
  }
  return { records, bookmark: page.bookmark };
}
