import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../canonical-json';
import type { ConsentCheck, InteractionInput } from '../interactions/interaction-schema';
import type { StateEntry } from './peer-state-batch';

/**
 * A batch is stored under three kinds of composite key, chosen to keep writes per record at one:
 * - `batch ∘ batchId`: the header (org, time, size, root, ids in leaf order) — small, for GetBatch;
 * - `batch-records ∘ batchId`: every record of the batch in leaf order, in one value;
 * - `batched-interaction ∘ id`: a pointer `{ batchId, leafIndex }` per record, for point reads and
 *   write-once checks.
 * Writes are returned as entries rather than put one by one, so the caller can send them to the
 * peer in one message (peer-state-batch.ts).
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

export function pointerKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(POINTER_TYPE, [id]);
}

/** A stored pointer's value (from getState or a multi-key read), or `undefined` when absent. */
export function decodePointer(data: Uint8Array): RecordPointer | undefined {
  return decode<RecordPointer>(data);
}

export async function readPointer(ctx: Context, id: string): Promise<RecordPointer | undefined> {
  return decodePointer(await ctx.stub.getState(pointerKey(ctx, id)));
}

/** The writes that store a batch: header, records and one pointer per record (index entries are the caller's). */
export function batchWrites(ctx: Context, batch: StoredBatch, records: readonly BatchedRecord[]): StateEntry[] {
  return [
    { key: ctx.stub.createCompositeKey(BATCH_TYPE, [batch.batchId]), value: Buffer.from(canonicalJson(batch)) },
    { key: ctx.stub.createCompositeKey(BATCH_RECORDS_TYPE, [batch.batchId]), value: Buffer.from(canonicalJson({ records })) },
    ...records.map(({ record }, leafIndex) => {
      const pointer: RecordPointer = { batchId: batch.batchId, leafIndex };
      return { key: pointerKey(ctx, record.id), value: Buffer.from(canonicalJson(pointer)) };
    }),
  ];
}
