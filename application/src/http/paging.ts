import { z } from 'zod';

/** The chaincode's page size bounds. */
export const MAX_PAGE_SIZE = 1000;

/** `pageSize` and `cursor` query parameters of every paged query route. */
export const pageQueryShape = {
  pageSize: z.coerce
    .number({ error: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .int(`must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .min(1, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .optional()
    .describe(`records per page, 1–${MAX_PAGE_SIZE} (default 100); a page may hold fewer while nextCursor continues`),
  cursor: z.string().min(1).max(4096).optional().describe('nextCursor of the previous page'),
};

/** A page of records: `nextCursor` continues the query, `null` when there is no more. */
export function pageSchema<T extends z.ZodType>(record: T) {
  return z.object({ records: z.array(record), nextCursor: z.string().nullable().describe('pass as cursor for the next page; null at the end') });
}

/** The chaincode's `{ records, bookmark }` text (empty bookmark = end) as the API's page. */
export function pageFromLedger(result: string): { records: readonly unknown[]; nextCursor: string | null } {
  return apiPage(JSON.parse(result) as { records: unknown[]; bookmark?: string });
}

/** A parsed ledger page (empty or missing bookmark = end) as the API's page. */
export function apiPage<T>(page: { readonly records: readonly T[]; readonly bookmark?: string }): { records: readonly T[]; nextCursor: string | null } {
  return { records: page.records, nextCursor: page.bookmark ? page.bookmark : null };
}

/** The chaincode filter's paging fields from the route's query. */
export function ledgerPaging(query: { pageSize?: number; cursor?: string }): { pageSize?: number; bookmark?: string } {
  return { ...(query.pageSize === undefined ? {} : { pageSize: query.pageSize }), ...(query.cursor === undefined ? {} : { bookmark: query.cursor }) };
}
