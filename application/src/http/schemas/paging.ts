import { DEFAULT_PAGE_SIZE, LIMITS, bookmark, pageSize } from '@aal/ledger-contract';
import { z } from 'zod';

/** `pageSize` and `cursor` query parameters of every paged query route: the contract's page size and bookmark rules. */
export const pageQueryShape = {
  pageSize: z.coerce
    .number({ error: `must be an integer from 1 to ${LIMITS.pageSize}` })
    .pipe(pageSize())
    // The input is coerced from the query text: the document states the integer it must read as.
    .meta({ type: 'integer', minimum: 1, maximum: LIMITS.pageSize })
    .optional()
    .describe(
      `records per page, 1–${LIMITS.pageSize} (default ${DEFAULT_PAGE_SIZE}); a page may hold fewer while nextCursor continues`,
    ),
  cursor: bookmark().min(1, 'must not be empty').optional().describe('nextCursor of the previous page'),
};

/** A page of records: `nextCursor` continues the query, `null` when there is no more. */
export function pageSchema<T extends z.ZodType>(record: T) {
  return z.object({
    records: z.array(record),
    nextCursor: z.string().nullable().describe('pass as cursor for the next page; null at the end'),
  });
}

/** A parsed ledger page (empty or missing bookmark = end) as the API's page. */
export function apiPage<T>(page: { readonly records: readonly T[]; readonly bookmark?: string }): {
  records: readonly T[];
  nextCursor: string | null;
} {
  return { records: page.records, nextCursor: page.bookmark ? page.bookmark : null };
}

/** The chaincode filter's paging fields from the route's query. */
export function ledgerPaging(query: { pageSize?: number; cursor?: string }): { pageSize?: number; bookmark?: string } {
  return {
    ...(query.pageSize === undefined ? {} : { pageSize: query.pageSize }),
    ...(query.cursor === undefined ? {} : { bookmark: query.cursor }),
  };
}
