import type { Context } from 'fabric-contract-api';
import { ValidationError } from '../errors';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** One page of results and the bookmark to fetch the next (empty when this is the last page). */
export interface Page<T> {
  readonly records: T[];
  readonly bookmark: string;
  readonly fetched: number;
}

export function checkPageSize(pageSize: number | undefined): number {
  const size = pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ValidationError([{ path: 'pageSize', rule: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return size;
}

/**
 * Reads one page of a key range, in key order. Keys are composite keys, so a range within one
 * index (e.g. one org's interactions between two times) is a contiguous run of keys.
 */
export async function rangePage(
  ctx: Context,
  startKey: string,
  endKey: string,
  pageSize: number,
  bookmark: string,
): Promise<Page<{ key: string; value: Uint8Array }>> {
  const { iterator, metadata: declared } = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, pageSize, bookmark);
  // fabric-shim leaves `metadata` out when the peer's is all defaults (an empty range, no bookmark),
  // although its type says otherwise.
  const metadata = (declared as typeof declared | undefined) ?? { bookmark: '', fetchedRecordsCount: 0 };
  const records: { key: string; value: Uint8Array }[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      records.push({ key: next.value.key, value: next.value.value });
    }
  } finally {
    await iterator.close();
  }
  // Fabric returns a bookmark even after the last page; an empty page or a short page ends the walk.
  const bookmarkOut = records.length < pageSize ? '' : metadata.bookmark;
  return { records, bookmark: bookmarkOut, fetched: metadata.fetchedRecordsCount };
}

/**
 * Query time bounds in the form stored times have (UTC, milliseconds; finer digits dropped), so
 * they compare as strings with index keys. Refuses `to` before `from`.
 */
export function storedTimeBounds(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const stored = (time: string): string => new Date(Date.parse(time)).toISOString();
  const bounds = { ...(from === undefined ? {} : { from: stored(from) }), ...(to === undefined ? {} : { to: stored(to) }) };
  if (bounds.from !== undefined && bounds.to !== undefined && bounds.from > bounds.to) {
    throw new ValidationError([{ path: 'to', rule: 'must not be before from' }]);
  }
  return bounds;
}

/**
 * Fabric resumes a range query at the bookmark as given: one from another query would read another
 * index or another org's entries, so a bookmark must lie inside this query's key range.
 */
export function checkBookmarkInRange(bookmark: string, startKey: string, endKey: string): void {
  if (bookmark !== '' && (bookmark < startKey || bookmark >= endKey)) {
    throw new ValidationError([{ path: 'bookmark', rule: 'does not belong to this query' }]);
  }
}
