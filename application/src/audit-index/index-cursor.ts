import type { z } from 'zod';
import { HttpProblem } from '../http/problem';

/**
 * Cursors of index-backed pages: the sort key of the last row a page returned (base64url of its
 * JSON), so the next page resumes strictly after it. A cursor only positions a query: every page
 * applies the caller's read scope again, so a hand-made cursor reveals nothing more.
 */
export function encodeIndexCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The sort key in a cursor of the given shape.
 *
 * @throws HttpProblem 400 naming `cursor` for anything this API did not hand out
 */
export function decodeIndexCursor<T>(cursor: string, shape: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = shape.safeParse(parsed);
  // A NUL character is in no sort key this API hands out, and PostgreSQL refuses it in text (500).
  if (!result.success || JSON.stringify(result.data).includes('\\u0000'))
    throw new HttpProblem(400, 'Invalid request', 'the request is invalid', {
      errors: [{ field: 'cursor', message: 'must be the nextCursor of a previous answer to the same query' }],
    });
  return result.data;
}
