import {
  STATE_KEY_TYPES,
  isBatchMarker,
  recordLeafHash,
  sortedKeyJson,
  type BatchEntry,
  type BatchMarker,
  type BatchedRecord,
  type StoredBatch,
  type StoredBatchEntry,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { stateBatchOf, type StateEntry } from '../ledger/peer-state-batch';

/**
 * A batch is stored under two kinds of composite key, chosen to keep writes per record at one small key:
 * - `batch ∘ batchId`: the header (org, time, size, root, ids in leaf order), for GetBatch, for
 *   the access check of every read, and for the verifier, which finds it in the block's write set;
 * - `batched-interaction ∘ id`: one marker per record — its leaf hash, the ledger's consent verdict
 *   and where it sits (`batchId`, `leafIndex`) — for write-once and replay checks, locating a record
 *   and proofs (computed from the leaf hashes). The record itself is not in world state: it is in the
 *   recording transaction's arguments, which every peer keeps in its blocks and readers check against
 *   the leaf hash. Entries of the previous layout (the record itself) are still read.
 * Writes are returned as entries rather than put one by one, so the caller can send them to the peer
 * in one message (ledger/peer-state-batch.ts).
 */
const BATCH_TYPE = STATE_KEY_TYPES.batch;
const ENTRY_TYPE = STATE_KEY_TYPES.batchedInteraction;

// The stored shapes are the contract's: the audit index reads them out of blocks' write sets.
export type { BatchEntry, BatchMarker, BatchedRecord, StoredBatch, StoredBatchEntry };

/** A new record of a batch with its leaf hash, computed once (for the root and for its marker). */
export interface HashedRecord extends BatchedRecord {
  readonly leafHash: Buffer;
}

const decode = <T>(data: Uint8Array): T | undefined =>
  data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as T);

export async function readBatch(ctx: Context, batchId: string): Promise<StoredBatch | undefined> {
  return decode<StoredBatch>(await ctx.stub.getState(ctx.stub.createCompositeKey(BATCH_TYPE, [batchId])));
}

export function entryKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(ENTRY_TYPE, [id]);
}

/** A stored entry's value in either layout (from getState or a multi-key read), or `undefined` when absent. */
export function decodeEntry(data: Uint8Array): StoredBatchEntry | undefined {
  return decode<StoredBatchEntry>(data);
}

export async function readEntry(ctx: Context, id: string): Promise<StoredBatchEntry | undefined> {
  return decodeEntry(await ctx.stub.getState(entryKey(ctx, id)));
}

/** The record's leaf hash, lowercase hex: stored by the lean layout, computed from the record for the previous one. */
export function entryLeafHash(entry: StoredBatchEntry): string {
  return isBatchMarker(entry) ? entry.leafHash : recordLeafHash(entry.record).toString('hex');
}

/** Every entry of a batch in leaf order, read in one message to the peer (two above 1000); a missing entry is `undefined`. */
export async function readBatchEntries(ctx: Context, batch: StoredBatch): Promise<(StoredBatchEntry | undefined)[]> {
  const values = await stateBatchOf(ctx).getStates(batch.ids.map((id) => entryKey(ctx, id)));
  return values.map(decodeEntry);
}

/** The writes that store a batch: header and one marker per record, nothing else. */
export function batchWrites(ctx: Context, batch: StoredBatch, records: readonly HashedRecord[]): StateEntry[] {
  return [
    { key: ctx.stub.createCompositeKey(BATCH_TYPE, [batch.batchId]), value: Buffer.from(sortedKeyJson(batch)) },
    ...records.map(({ record, consentCheck, leafHash }, leafIndex) => {
      const marker: BatchMarker = {
        batchId: batch.batchId,
        leafIndex,
        leafHash: leafHash.toString('hex'),
        ...(consentCheck === undefined ? {} : { consentCheck }),
      };
      return { key: entryKey(ctx, record.id), value: Buffer.from(sortedKeyJson(marker)) };
    }),
  ];
}
