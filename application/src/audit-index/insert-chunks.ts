/**
 * Rows written (or looked up) per statement: SQLite binds at most 32766 parameters, PostgreSQL
 * 65535, and the widest row the index inserts (an interaction) binds 24.
 */
export const INSERT_CHUNK = 500;

/** `rows` in consecutive slices of at most {@link INSERT_CHUNK}, in order. */
export function* insertChunks<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) yield rows.slice(start, start + INSERT_CHUNK);
}
