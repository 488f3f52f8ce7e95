import type { Context } from 'fabric-contract-api';
import { readsEverything, type Caller } from '../access/caller';
import { ContractError } from '../errors';
import { indexedId } from '../ledger/index-keys';
import { checkBookmarkInRange, checkPageSize, rangePage, storedTimeBounds } from '../ledger/pagination';
import { check, dateTime, integer, object, oneOf, optional, string } from '../validation/rules';
import { BATCH_QUERY_PATHS, batchIndexRange } from './batch-indexes';
import { readBatch, type StoredBatch } from './batch-store';

const filterRule = object({
  by: oneOf(BATCH_QUERY_PATHS),
  value: string({ pattern: /^[^\p{Cc}]+$/u, maxLength: 256, describe: 'must not contain control characters' }),
  from: optional(dateTime()),
  to: optional(dateTime()),
  order: optional(oneOf(['asc', 'desc'] as const)),
  pageSize: optional(integer({ min: 1, max: 1000 })),
  bookmark: optional(string({ minLength: 0, maxLength: 2048 })),
});

/** A batch in a query result: the header without its ids (a page of 1000-id lists would be megabytes). */
export type BatchListing = Omit<StoredBatch, 'ids'>;


/**
 * One page of batches of an org, or containing at least one record with a model, actor, subject,
 * consent or application, within a time range. Auditors query across orgs; everyone else reads
 * their own org's entries only.
 */
export async function queryBatches(ctx: Context, caller: Caller, filterJson: unknown): Promise<{ records: BatchListing[]; bookmark: string }> {
  const filter = check(filterRule, filterJson);
  const pageSize = checkPageSize(filter.pageSize);
  const { from, to } = storedTimeBounds(filter.from, filter.to);
  const everything = readsEverything(caller);
  if (!everything && filter.by === 'org' && filter.value !== caller.mspId) {
    throw new ContractError('ACCESS_DENIED', `access denied: ${caller.mspId} may read only its own org's batches`);
  }
  const { startKey, endKey } = batchIndexRange(
    { path: filter.by, value: filter.value, order: filter.order ?? 'asc', ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
    everything ? undefined : caller.mspId,
  );
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, pageSize, bookmark);
  const records: BatchListing[] = [];
  for (const entry of page.records) {
    const batch = await readBatch(ctx, indexedId(entry.key));
    if (batch === undefined || (!everything && batch.org !== caller.mspId)) continue;
    const { ids: _ids, ...listing } = batch;
    records.push(listing);
  }
  return { records, bookmark: page.bookmark };
}
