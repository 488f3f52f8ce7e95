import { z } from 'zod';
import { encodeIndexCursor } from '../../audit-index/index-cursor';
import { pageSchema } from './paging';

/** `asOfBlock` of every index-backed answer. */
export const asOfBlockSchema = z
  .string()
  .describe(
    "the block height the answer reflects (from this org's audit index): every record of the channel committed up to this block",
  );

/** A page answered from the audit index: the records, `nextCursor` and the height it reflects. */
export function indexPageSchema<T extends z.ZodType>(record: T) {
  return pageSchema(record).extend({ asOfBlock: asOfBlockSchema });
}

/** The answer body of an index page. */
export function indexPageBody<T>(
  page: { readonly records: readonly T[]; readonly next?: readonly (string | number)[] | string },
  asOfBlock: number,
): { records: readonly T[]; nextCursor: string | null; asOfBlock: string } {
  const { next } = page;
  return {
    records: page.records,
    nextCursor: next === undefined ? null : encodeIndexCursor(typeof next === 'string' ? [next] : next),
    asOfBlock: String(asOfBlock),
  };
}

/** How index-backed pages continue, for route descriptions. */
export const INDEX_PAGING_RULE =
  "Answered from this org's audit index: `asOfBlock` is the block height the page reflects; pass `minBlock` (a write answer's blockNumber) to wait until the index has reached it (up to 10 s, then 503 with Retry-After). " +
  'Pass `nextCursor` back as `cursor` with the same query for the next page; each page reflects the height it states, so records committed meanwhile may appear in later pages.';
