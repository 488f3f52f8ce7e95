import { ContractError, type QueryOrder } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { readsEverything, type Caller } from '../access/caller';
import { indexedId } from './index-keys';
import { checkBookmarkInRange, pageSizeOf, rangePage, storedTimeBounds } from './pagination';

/** One access path of a time index, as the index modules build its key range. */
export interface TimeIndexQuery<P extends string> {
  readonly path: P;
  readonly value: string;
  readonly order: QueryOrder;
  readonly from?: string;
  readonly to?: string;
}

export type TimeIndexRange<P extends string> = (
  query: TimeIndexQuery<P>,
  orgScope: string | undefined,
) => { startKey: string; endKey: string };

/** A filter of a time-indexed query, validated with the contract's `timeIndexFilterSchema`. */
export interface TimeIndexFilter<P extends string> {
  readonly by: P;
  readonly value: string;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly order?: QueryOrder | undefined;
  readonly pageSize?: number | undefined;
  readonly bookmark?: string | undefined;
}

/**
 * One page of ids (and the index entries' values) from a time index, newest or oldest first.
 * Auditors query across orgs; everyone else reads the org-scoped index of their own org, and
 * asking for another org is refused. The caller loads the records and drops any it may not see.
 *
 * @param what the records' name for the refusal message, e.g. `interactions`
 */
export async function timeIndexPage<P extends string>(
  ctx: Context,
  caller: Caller,
  filter: TimeIndexFilter<P>,
  indexRange: TimeIndexRange<P>,
  what: string,
): Promise<{ ids: string[]; values: Uint8Array[]; bookmark: string; everything: boolean }> {
  const { from, to } = storedTimeBounds(filter.from, filter.to);
  const everything = readsEverything(caller);
  if (!everything && filter.by === 'org' && filter.value !== caller.mspId) {
    throw new ContractError({
      code: 'ACCESS_DENIED',
      message: `access denied: ${caller.mspId} may read only its own org's ${what}`,
    });
  }
  const { startKey, endKey } = indexRange(
    {
      path: filter.by,
      value: filter.value,
      order: filter.order ?? 'asc',
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    },
    everything ? undefined : caller.mspId,
  );
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, pageSizeOf(filter.pageSize), bookmark);
  return {
    ids: page.records.map((entry) => indexedId(entry.key)),
    values: page.records.map((entry) => entry.value),
    bookmark: page.bookmark,
    everything,
  };
}
