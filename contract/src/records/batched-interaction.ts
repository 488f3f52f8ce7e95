import type { ConsentVerdict, InteractionInput, StoredInteraction } from './interaction';

/** A Merkle batch's header as the ledger stores it (`batch ∘ batchId`). */
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
  readonly consentCheck?: ConsentVerdict;
}

/** What the ledger holds per batched record (`batched-interaction ∘ id`): the record and where it sits. */
export interface BatchEntry extends BatchedRecord {
  readonly batchId: string;
  readonly leafIndex: number;
}

/**
 * The stored view of a batched record, as every reader sees it: the fields of a single-recorded
 * interaction plus `batchId` and `leafIndex` (the batch's id is its transaction id).
 */
export function batchedInteractionView(batch: Omit<StoredBatch, 'ids'>, entry: BatchEntry): StoredInteraction {
  return {
    ...entry.record,
    org: batch.org,
    recordedBy: batch.recordedBy,
    txId: batch.batchId,
    txTime: batch.txTime,
    ...(entry.consentCheck === undefined ? {} : { consentCheck: entry.consentCheck }),
    batchId: entry.batchId,
    leafIndex: entry.leafIndex,
  };
}
