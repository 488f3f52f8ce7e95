import {
  STATE_KEY_TYPES,
  sortedKeyJson,
  sortedKeyJsonOnce,
  type BatchEntry,
  type BatchedRecord,
  type StoredBatch,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { stateBatchOf, type StateEntry } from '../ledger/peer-state-batch';

/**
 * A batch is stored under two kinds of composite key, chosen to keep writes per record at one:
 * - `batch ∘ batchId`: the header (org, time, size, root, ids in leaf order), for GetBatch, for
 *   the access check of every read, and for the verifier, which finds it in the block's write set;
 * - `batched-interaction ∘ id`: one entry per record — the record as submitted (the leaf), the
 *   ledger's consent verdict, and where it sits (`batchId`, `leafIndex`) — for point reads, proofs
 *   and write-once checks.
 * A point read therefore reads one record and the header, never the whole batch; a proof reads the
 * batch's entries in one multi-key message (ledger/peer-state-batch.ts). Writes are returned as entries
 * rather than put one by one, so the caller can send them to the peer in one message.
 */
const BATCH_TYPE = STATE_KEY_TYPES.batch;
const ENTRY_TYPE = STATE_KEY_TYPES.batchedInteraction;

// The stored shapes are the contract's: the audit index reads them out of blocks' write sets.
export type { BatchEntry, BatchedRecord, StoredBatch };

const decode = <T>(data: Uint8Array): T | undefined =>
  data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as T);

export async function readBatch(ctx: Context, batchId: string): Promise<StoredBatch | undefined> {
  return decode<StoredBatch>(await ctx.stub.getState(ctx.stub.createCompositeKey(BATCH_TYPE, [batchId])));
}

export function entryKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(ENTRY_TYPE, [id]);
}

/** A stored entry's value (from getState or a multi-key read), or `undefined` when absent. */
export function decodeEntry(data: Uint8Array): BatchEntry | undefined {
  return decode<BatchEntry>(data);
}

export async function readEntry(ctx: Context, id: string): Promise<BatchEntry | undefined> {
  return decodeEntry(await ctx.stub.getState(entryKey(ctx, id)));
}

/** Every record of a batch in leaf order, read in one message to the peer (two above 1000); a missing entry is `undefined`. */
export async function readBatchEntries(ctx: Context, batch: StoredBatch): Promise<(BatchEntry | undefined)[]> {
  const values = await stateBatchOf(ctx).getStates(batch.ids.map((id) => entryKey(ctx, id)));
  return values.map(decodeEntry);
}

/** The writes that store a batch: header and one entry per record (index entries are the caller's). */
export function batchWrites(ctx: Context, batch: StoredBatch, records: readonly BatchedRecord[]): StateEntry[] {
  return [
    { key: ctx.stub.createCompositeKey(BATCH_TYPE, [batch.batchId]), value: Buffer.from(sortedKeyJson(batch)) },
    ...records.map((entry, leafIndex) => {
      const stored: BatchEntry = { ...entry, batchId: batch.batchId, leafIndex };
      return { key: entryKey(ctx, entry.record.id), value: Buffer.from(entryJson(stored)) };
    }),
  ];
}

/**
 * `sortedKeyJson(entry)`, built around the record's canonical JSON computed once (for its leaf)
 * instead of canonicalising the record again: the keys `batchId` < `consentCheck` < `leafIndex` <
 * `record` are already in sorted order.
 */
export function entryJson(entry: BatchEntry): string {
  const consent = entry.consentCheck === undefined ? '' : `,"consentCheck":${sortedKeyJson(entry.consentCheck)}`;
  return `{"batchId":${JSON.stringify(entry.batchId)}${consent},"leafIndex":${entry.leafIndex},"record":${sortedKeyJsonOnce(entry.record)}}`;
}
