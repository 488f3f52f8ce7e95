import type { Context } from 'fabric-contract-api';
import { readsEverything, type Caller } from '../access/caller';
import { ContractError } from '../errors';
import { check, dateTime, integer, object, oneOf, optional, string, type Rule } from '../validation/rules';
import { indexedId } from './index-keys';
import { checkBookmarkInRange, checkPageSize, rangePage, storedTimeBounds } from './pagination';

/** One access path of a time index, as the index modules build its key range. */
export interface TimeIndexQuery<P extends string> {
  readonly path: P;
  readonly value: string;
  readonly order: 'asc' | 'desc';
  readonly from?: string;
  readonly to?: string;
}

export type TimeIndexRange<P extends string> = (query: TimeIndexQuery<P>, orgScope: string | undefined) => { startKey: string; endKey: string };

/** The filter every time-indexed query takes: one access path and value, a time range, paging. */
export interface TimeIndexFilter<P extends string> {
  readonly by: P;
  readonly value: string;
  readonly from?: string;
  readonly to?: string;
  readonly order?: 'asc' | 'desc';
  readonly pageSize?: number;
  readonly bookmark?: string;
}

function timeIndexFilterRule<P extends string>(paths: readonly P[]): Rule<TimeIndexFilter<P>> {
  return object({
    by: oneOf(paths),
    value: string({ pattern: /^[^\p{Cc}]+$/u, maxLength: 256, describe: 'must not contain control characters' }),
    from: optional(dateTime()),
    to: optional(dateTime()),
    order: optional(oneOf(['asc', 'desc'] as const)),
    pageSize: optional(integer({ min: 1, max: 1000 })),
    bookmark: optional(string({ minLength: 0, maxLength: 2048 })),
  });
}

/**
 * One page of ids (and the index entries' values) from a time index, newest or oldest first. Auditors query across orgs; everyone
 * else reads the org-scoped index of their own org, and asking for another org is refused. The
 * caller loads the records and drops any it may not see.
 *
 * @param what the records' name for the refusal message, e.g. `interactions`
 */
export async function timeIndexPage<P extends string>(
  ctx: Context,
  caller: Caller,
  paths: readonly P[],
  filterJson: unknown,
  indexRange: TimeIndexRange<P>,
  what: string,
): Promise<{ ids: string[]; values: Uint8Array[]; bookmark: string; everything: boolean }> {
  const filter = check(timeIndexFilterRule(paths), filterJson);
  const pageSize = checkPageSize(filter.pageSize);
  const { from, to } = storedTimeBounds(filter.from, filter.to);
  const everything = readsEverything(caller);
  if (!everything && filter.by === 'org' && filter.value !== caller.mspId) {
    throw new ContractError('ACCESS_DENIED', `access denied: ${caller.mspId} may read only its own org's ${what}`);
  }
  const { startKey, endKey } = indexRange(
    { path: filter.by, value: filter.value, order: filter.order ?? 'asc', ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
    everything ? undefined : caller.mspId,
  );
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, pageSize, bookmark);
  return { ids: page.records.map((entry) => indexedId(entry.key)), values: page.records.map((entry) => entry.value), bookmark: page.bookmark, everything };
}
