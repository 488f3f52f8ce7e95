import { DEFAULT_PAGE_SIZE, ValidationError, storedTimeBounds } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';

/** One page of results and the bookmark to fetch the next (empty when this is the last page). */
export interface Page<T> {
  readonly records: T[];
  readonly bookmark: string;
  readonly fetched: number;
}

/** The page size a (validated) filter asks for, or the default. */
export function pageSizeOf(pageSize: number | undefined): number {
  return pageSize ?? DEFAULT_PAGE_SIZE;
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
  const { iterator, metadata: declared } = await ctx.stub.getStateByRangeWithPagination(
    startKey,
    endKey,
    pageSize,
    bookmark,
  );
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

// The rule is the contract's: the audit index applies the same bounds to its rows.
export { storedTimeBounds };

/** With the `u` flag a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Fabric resumes a range query at the bookmark as given: the peer replaces the query's start key
 * with it, unchecked, and keeps the end key. A bookmark from another query — or one made up, such
 * as a key before this org's part of an index — would read another index or another org's entries
 * (and hand back their keys as the next bookmark), so a bookmark must lie inside this query's key
 * range, compared as the peer compares keys ({@link peerKeyBytes}). Bookmarks the ledger hands out
 * are keys, which are always well-formed text; one with a lone surrogate is refused outright.
 */
export function checkBookmarkInRange(bookmark: string, startKey: string, endKey: string): void {
  if (bookmark === '') return;
  const bytes = peerKeyBytes(bookmark);
  if (
    LONE_SURROGATE.test(bookmark) ||
    Buffer.compare(bytes, peerKeyBytes(startKey)) < 0 ||
    Buffer.compare(bytes, peerKeyBytes(endKey)) >= 0
  ) {
    throw new ValidationError([{ path: 'bookmark', rule: 'does not belong to this query' }]);
  }
}

/**
 * A key's bytes as the peer receives and orders them. The shim encodes strings with
 * google-protobuf's `writeString`, which writes UTF-8 except that a high surrogate followed by
 * anything but a low surrogate is dropped and any other lone surrogate becomes three bytes; the
 * peer's LevelDB orders keys by their bytes, which differs from JavaScript's UTF-16 `<` for
 * characters above U+FFFF (a surrogate pair sorts below U+E000–U+FFFF in UTF-16, above in UTF-8).
 */
export function peerKeyBytes(key: string): Buffer {
  const bytes: number[] = [];
  for (let index = 0; index < key.length; index++) {
    const unit = key.charCodeAt(index);
    if (unit < 0x80) {
      bytes.push(unit);
    } else if (unit < 0x800) {
      bytes.push(0xc0 | (unit >> 6), 0x80 | (unit & 0x3f));
    } else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < key.length) {
      const low = key.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const point = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        bytes.push(
          0xf0 | (point >> 18),
          0x80 | ((point >> 12) & 0x3f),
          0x80 | ((point >> 6) & 0x3f),
          0x80 | (point & 0x3f),
        );
        index++;
      }
    } else {
      bytes.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
    }
  }
  return Buffer.from(bytes);
}
