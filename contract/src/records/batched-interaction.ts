import { z } from 'zod';
import { sortedKeyJsonOnce } from '../sorted-key-json';
import { withSortedKeyFields } from '../sorted-key-json-fields';
import {
  consentVerdictSchema,
  interactionLedgerFields,
  storedInteractionSchema,
  type ConsentVerdict,
  type InteractionInput,
  type StoredInteraction,
} from './interaction';

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

/**
 * What the previous layout held per batched record (`batched-interaction ∘ id`): the record and where
 * it sits. Still read (ledgers written before the lean layout), never written.
 */
export interface BatchEntry extends BatchedRecord {
  readonly batchId: string;
  readonly leafIndex: number;
}

/**
 * What the ledger holds per batched record (`batched-interaction ∘ id`) since the lean layout: no
 * record, only what the chaincode checks later — the id is taken (the key exists), the leaf hash
 * (idempotency: same id and same content is a replay), the consent verdict — and where it sits. The
 * record itself is in the recording transaction's arguments, in the block.
 */
export interface BatchMarker {
  readonly batchId: string;
  readonly leafIndex: number;
  /** RFC 6962 leaf hash of the record as submitted (`recordLeafHash`), lowercase hex. */
  readonly leafHash: string;
  readonly consentCheck?: ConsentVerdict;
}

/** A stored `batched-interaction ∘ id` value in either layout. */
export type StoredBatchEntry = BatchEntry | BatchMarker;

/** Whether a stored entry is of the lean layout (no record in world state). */
export function isBatchMarker(entry: StoredBatchEntry): entry is BatchMarker {
  return !('record' in entry);
}

/**
 * What the chaincode answers for a batched record of the lean layout (`GetBatchedInteraction`,
 * `GetInteraction`): where the record sits and the leaf hash it must match, with the ledger's fields —
 * but not the record, which the reader takes from the recording transaction and checks against
 * `leafHash` before using it.
 */
export const batchedRecordLocatorSchema = z.object({
  id: z.string(),
  org: interactionLedgerFields.org,
  recordedBy: interactionLedgerFields.recordedBy,
  txId: z.string().describe("the batch's recording transaction, whose arguments hold the record"),
  txTime: z.string(),
  batchId: z.string(),
  leafIndex: z.int().describe("the record's leaf in its Merkle batch"),
  leafHash: z.string().describe('RFC 6962 leaf hash the record taken from the transaction must match, lowercase hex'),
  consentCheck: consentVerdictSchema.optional().describe("the ledger's consent verdict at commit time"),
});
/** A lean batched record's locator (see {@link batchedRecordLocatorSchema}). */
export type BatchedRecordLocator = Readonly<z.output<typeof batchedRecordLocatorSchema>>;

/**
 * What a point read of an interaction answers (`GetInteraction`, `GetBatchedInteraction`): the
 * stored record — alone, or batched with `batchId` and `leafIndex` — or, for a batched record of
 * the lean layout, its locator.
 */
export const interactionAnswerSchema = z.union([storedInteractionSchema, batchedRecordLocatorSchema]);

/** The locator of a lean batched record `id` (see {@link BatchedRecordLocator}). */
export function batchedRecordLocator(
  batch: Omit<StoredBatch, 'ids'>,
  id: string,
  marker: BatchMarker,
): BatchedRecordLocator {
  return {
    id,
    org: batch.org,
    recordedBy: batch.recordedBy,
    txId: batch.batchId,
    txTime: batch.txTime,
    batchId: marker.batchId,
    leafIndex: marker.leafIndex,
    leafHash: marker.leafHash,
    ...(marker.consentCheck === undefined ? {} : { consentCheck: marker.consentCheck }),
  };
}

/** Whether a chaincode answer for a batched record is a locator (lean layout) rather than the record. */
export function isBatchedRecordLocator(value: object): value is BatchedRecordLocator {
  return 'leafHash' in value && typeof value.leafHash === 'string';
}

/** What the stored view of a batched record adds to the record: the ledger's fields and its place in the batch. */
function batchedViewFields(
  batch: Pick<StoredBatch, 'batchId' | 'org' | 'recordedBy' | 'txTime'>,
  entry: Omit<BatchEntry, 'record'>,
) {
  return {
    org: batch.org,
    recordedBy: batch.recordedBy,
    txId: batch.batchId,
    txTime: batch.txTime,
    ...(entry.consentCheck === undefined ? {} : { consentCheck: entry.consentCheck }),
    batchId: entry.batchId,
    leafIndex: entry.leafIndex,
  };
}

/**
 * The stored view of a batched record, as every reader sees it: the fields of a single-recorded
 * interaction plus `batchId` and `leafIndex` (the batch's id is its transaction id).
 */
export function batchedInteractionView(
  batch: Pick<StoredBatch, 'batchId' | 'org' | 'recordedBy' | 'txTime'>,
  entry: BatchEntry,
): StoredInteraction {
  return { ...entry.record, ...batchedViewFields(batch, entry) };
}

/**
 * `sortedKeyJson(batchedInteractionView(batch, entry))`, built from the record's canonical JSON —
 * its leaf bytes, computed once per record object ({@link sortedKeyJsonOnce}; checking the leaf hash
 * already did) — with the view's fields placed among its members, instead of serialising the
 * whole record again.
 */
export function batchedInteractionViewJson(
  batch: Pick<StoredBatch, 'batchId' | 'org' | 'recordedBy' | 'txTime'>,
  entry: BatchEntry,
): string {
  return withSortedKeyFields(sortedKeyJsonOnce(entry.record), batchedViewFields(batch, entry));
}
