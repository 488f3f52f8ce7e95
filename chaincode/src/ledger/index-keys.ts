/**
 * Index entries for the audit access paths. LevelDB has no rich queries, so each path (for
 * example "an org's interactions by time") is a run of keys ordered by time, read with a key-range
 * query. These are *simple* keys (Fabric refuses composite keys in range queries), built like
 * composite keys: parts joined by U+0000, which sorts below every other character, so
 * `idx ∘ value ∘ time ∘ id` orders first by value, then by time, then by id.
 *
 * @example
 * indexKey('ix-org-time', ['HospitalAMSP', '2026-01-01T00:00:00.000Z', 'i-1'])
 * indexRange('ix-org-time', ['HospitalAMSP'], '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z')
 */
const SEPARATOR = '\u0000';

/** The value of every index entry: one byte, because Fabric treats an empty value as a delete. */
export const INDEX_MARKER = Buffer.from([1]);
const MAX_CHAR = '\u{10FFFF}';

export function indexKey(index: string, parts: readonly string[]): string {
  for (const part of [index, ...parts]) {
    if (part.includes(SEPARATOR)) throw new Error('index key parts must not contain U+0000');
  }
  return [index, ...parts].join(SEPARATOR) + SEPARATOR;
}

/** The last part of an index key: the id of the record it points to. */
export function indexedId(key: string): string {
  const parts = key.split(SEPARATOR);
  return parts[parts.length - 2] ?? '';
}

/**
 * Start (inclusive) and end (exclusive) keys covering every entry with the given prefix parts whose
 * next part lies in [from, to] (both inclusive; omit either for an open end).
 */
export function indexRange(
  index: string,
  prefix: readonly string[],
  from?: string,
  to?: string,
): { startKey: string; endKey: string } {
  const base = [index, ...prefix].join(SEPARATOR) + SEPARATOR;
  return {
    startKey: from === undefined ? base : base + from,
    endKey: to === undefined ? base + MAX_CHAR : base + to + SEPARATOR + MAX_CHAR,
  };
}

/** The latest millisecond a 13-digit descending time can state (in the year 2286). */
const LATEST_DESCENDING_MS = 9_999_999_999_999;

/**
 * A time that sorts newest first: 13-digit milliseconds subtracted from a constant. Used in the
 * descending twin of a time index, since LevelDB range scans only go forward. A query bound before
 * 1970 or after 2286 is clamped to them (stored times, transaction times, lie between): unclamped it
 * would have 14 digits or a sign and sort on the wrong side of every key.
 */
export function descendingTime(isoTime: string): string {
  const millis = Math.min(Math.max(Date.parse(isoTime), 0), LATEST_DESCENDING_MS);
  return String(LATEST_DESCENDING_MS - millis).padStart(13, '0');
}
