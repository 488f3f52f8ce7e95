import type { Context } from 'fabric-contract-api';
import { readsEverything, type Caller } from '../access/caller';
import { ContractError } from '../errors';
import { indexedId } from '../ledger/index-keys';
import { checkBookmarkInRange, checkPageSize, rangePage, storedTimeBounds } from '../ledger/pagination';
import { check, dateTime, integer, object, oneOf, optional, string, type ObjectOf } from '../validation/rules';
import { INTERACTION_QUERY_PATHS, interactionIndexRange } from './interaction-indexes';
import type { StoredInteraction } from './interaction-schema';
import { readInteraction } from './interaction-store';

const filterShape = {
  by: oneOf(INTERACTION_QUERY_PATHS),
  value: string({ pattern: /^[^\p{Cc}]+$/u, maxLength: 256, describe: 'must not contain control characters' }),
  from: optional(dateTime()),
  to: optional(dateTime()),
  order: optional(oneOf(['asc', 'desc'] as const)),
  pageSize: optional(integer({ min: 1, max: 1000 })),
  bookmark: optional(string({ minLength: 0, maxLength: 2048 })),
};
export type InteractionFilter = ObjectOf<typeof filterShape>;
const filterRule = object(filterShape);


/**
 * One page of interactions on one access path, oldest or newest first. Auditors query across
 * orgs; everyone else reads the org-scoped index of their own org, and asking for another org is
 * refused.
 */
export async function queryInteractions(ctx: Context, caller: Caller, filterJson: unknown): Promise<{ records: StoredInteraction[]; bookmark: string }> {
  const filter = check(filterRule, filterJson);
  const pageSize = checkPageSize(filter.pageSize);
  const { from, to } = storedTimeBounds(filter.from, filter.to);
  const everything = readsEverything(caller);
  if (!everything && filter.by === 'org' && filter.value !== caller.mspId) {
    throw new ContractError('ACCESS_DENIED', `access denied: ${caller.mspId} may read only its own org's interactions`);
  }
  const { startKey, endKey } = interactionIndexRange(
    { path: filter.by, value: filter.value, order: filter.order ?? 'asc', ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
    everything ? undefined : caller.mspId,
  );
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, pageSize, bookmark);
  const records: StoredInteraction[] = [];
  for (const entry of page.records) {
    const record = await readInteraction(ctx, indexedId(entry.key));
    if (record !== undefined && (everything || record.org === caller.mspId)) records.push(record);
  }
  return { records, bookmark: page.bookmark };
}
