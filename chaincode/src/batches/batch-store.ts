import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../canonical-json';
import type { ConsentCheck, InteractionInput } from '../interactions/interaction-schema';

/**
 * A batch is stored under three kinds of composite key, chosen to keep writes per record at one:
 * - `batch ∘ batchId`: the header (org, time, size, root, ids in leaf order) — small, for GetBatch;
 * - `batch-records ∘ batchId`: every record of the batch in leaf order, in one value;
 * - `batched-interaction ∘ id`: a pointer `{ batchId, leafIndex }` per record, for point reads and
 *   write-once checks.
 */
const BATCH_TYPE = 'batch';
const BATCH_RECORDS_TYPE = 'batch-records';
const POINTER_TYPE = 'batched-interaction';

/** A batch as the ledger stores it (without its records). */
export interface StoredBatch {
  /** The recording transaction's id. */
  readonly batchId: string;
  /** The recording org's MSP id, from the caller's certificate. */
  readonly org: string;
  readonly recordedBy: string;
  readonly txTime: string;
  readonly size: number;
  /** RFC 6962 Merkle root over the records' leaves, lowercase hex. */
  readonly root: string;
  /** Record ids in leaf order. */
  readonly ids: readonly string[];
}

/** One record of a batch: the input as submitted (the leaf) and, apart, the ledger's consent verdict. */
export interface BatchedRecord {
  readonly record: InteractionInput;
  readonly consentCheck?: ConsentCheck;
}

/** Where a batched record lives. */
export interface RecordPointer {
  readonly batchId: string;
  readonly leafIndex: number;
}

const decode = <T>(data: Uint8Array): T | undefined => (data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as T));

export async function readBatch(ctx: Context, batchId: string): Promise<StoredBatch | undefined> {
  return decode<StoredBatch>(await ctx.stub.getState(ctx.stub.createCompositeKey(BATCH_TYPE, [batchId])));
}

export async function readBatchRecords(ctx: Context, batchId: string): Promise<BatchedRecord[] | undefined> {
  return decode<{ records: BatchedRecord[] }>(await ctx.stub.getState(ctx.stub.createCompositeKey(BATCH_RECORDS_TYPE, [batchId])))?.records;
}

export async function readPointer(ctx: Context, id: string): Promise<RecordPointer | undefined> {
  return decode<RecordPointer>(await ctx.stub.getState(ctx.stub.createCompositeKey(POINTER_TYPE, [id])));
}

/** Writes the header, the records and one pointer per record (index entries are the caller's). */
export async function writeBatch(ctx: Context, batch: StoredBatch, records: readonly BatchedRecord[]): Promise<void> {
  await ctx.stub.putState(ctx.stub.createCompositeKey(BATCH_TYPE, [batch.batchId]), Buffer.from(canonicalJson(batch)));
  await ctx.stub.putState(ctx.stub.createCompositeKey(BATCH_RECORDS_TYPE, [batch.batchId]), Buffer.from(canonicalJson({ records })));
  for (const [leafIndex, { record }] of records.entries()) {
    const pointer: RecordPointer = { batchId: batch.batchId, leafIndex };
    await ctx.stub.putState(ctx.stub.createCompositeKey(POINTER_TYPE, [record.id]), Buffer.from(canonicalJson(pointer)));
  }
}
