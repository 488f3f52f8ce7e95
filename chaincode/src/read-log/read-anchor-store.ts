import { sortedKeyJson, type ReadAnchorFilter, type StoredReadAnchor } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { INDEX_MARKER, indexKey, indexRange } from '../ledger/index-keys';
import { checkBookmarkInRange, pageSizeOf, rangePage, storedTimeBounds, type Page } from '../ledger/pagination';
import { stateBatchOf } from '../ledger/peer-state-batch';

/**
 * Read-log anchors are shared state, write-once:
 * - `read-anchor ∘ org ∘ log ∘ seq` holds the anchor (a simple key, so one org's anchors are one
 *   key range, by log and then by `seq`, zero-padded to sort as numbers);
 * - `read-anchor-head(org, log)` (composite key) holds the latest anchor of that log: what the next
 *   anchor's `seq` must exceed;
 * - `read-anchor-by-owner ∘ owner ∘ txTime ∘ org ∘ log ∘ seq` marks every anchor that counts the
 *   owner's records, so a data owner pages the anchors about its data by time.
 */
const ANCHORS = 'read-anchor';
const BY_OWNER = 'read-anchor-by-owner';
const SEPARATOR = '\u0000';

/** `seq` as 16 digits (Number.MAX_SAFE_INTEGER has 16), so keys sort by number. */
const seqPart = (seq: number): string => String(seq).padStart(16, '0');

const anchorKey = (org: string, log: string, seq: number): string => indexKey(ANCHORS, [org, log, seqPart(seq)]);

const headKey = (ctx: Context, org: string, log: string): string =>
  ctx.stub.createCompositeKey('read-anchor-head', [org, log]);

function decodeAnchor(bytes: Uint8Array): StoredReadAnchor | undefined {
  return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredReadAnchor);
}

/** The latest anchor of an org's log, or `undefined` when it has none. */
export async function readLatestAnchor(ctx: Context, org: string, log: string): Promise<StoredReadAnchor | undefined> {
  return decodeAnchor(await ctx.stub.getState(headKey(ctx, org, log)));
}

/** Writes a new anchor, makes it its log's latest, and indexes it under every owner it counts; returns its JSON. */
export async function writeAnchor(ctx: Context, anchor: StoredReadAnchor): Promise<string> {
  const json = sortedKeyJson(anchor);
  await ctx.stub.putState(anchorKey(anchor.org, anchor.log, anchor.seq), Buffer.from(json));
  await ctx.stub.putState(headKey(ctx, anchor.org, anchor.log), Buffer.from(json));
  for (const owner of Object.keys(anchor.readsByOwner).sort()) {
    await ctx.stub.putState(
      indexKey(BY_OWNER, [owner, anchor.txTime, anchor.org, anchor.log, seqPart(anchor.seq)]),
      INDEX_MARKER,
    );
  }
  return json;
}

/**
 * One page of anchors matching the filter (validated with the contract's `readAnchorFilterSchema`):
 * a reader org's, by log and `seq`; or those counting an owner's records, by transaction time. A
 * bookmark must lie in the filter's key range: Fabric would resume at any key it is given.
 */
export async function queryAnchors(ctx: Context, filter: ReadAnchorFilter): Promise<Page<StoredReadAnchor>> {
  const bookmark = filter.bookmark ?? '';
  const size = pageSizeOf(filter.pageSize);
  if (filter.by === 'org') {
    const { startKey, endKey } = indexRange(ANCHORS, [filter.value]);
    checkBookmarkInRange(bookmark, startKey, endKey);
    const page = await rangePage(ctx, startKey, endKey, size, bookmark);
    return { ...page, records: page.records.flatMap((entry) => decodeAnchor(entry.value) ?? []) };
  }
  const bounds = storedTimeBounds(filter.from, filter.to);
  const { startKey, endKey } = indexRange(BY_OWNER, [filter.value], bounds.from, bounds.to);
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, size, bookmark);
  const keys = page.records.map((entry) => {
    // owner ∘ txTime ∘ org ∘ log ∘ seq, after the index name; the key ends with a separator.
    const [, , , org = '', log = '', seq = ''] = entry.key.split(SEPARATOR);
    return indexKey(ANCHORS, [org, log, seq]);
  });
  const values = await stateBatchOf(ctx).getStates(keys);
  return { ...page, records: values.flatMap((bytes) => decodeAnchor(bytes) ?? []) };
}
