import {
  ContractError,
  inclusionPathOfLeafHashes,
  isBatchMarker,
  merkleRootOfLeafHashes,
  type ConsentVerdict,
  type InteractionInput,
  type LeafInclusionProof,
} from '@aal/ledger-contract';
import { entryLeafHash, type StoredBatch, type StoredBatchEntry } from './batch-store';

/** A record's inclusion proof plus the batch facts a reader wants beside it (not part of the check). */
export interface BatchInclusionProof extends LeafInclusionProof {
  /**
   * The record, for entries of the previous layout only: the lean layout keeps no record in world
   * state, so the reader takes it from the recording transaction and checks it against `leafHash`.
   */
  readonly record?: InteractionInput;
  readonly batchId: string;
  readonly org: string;
  readonly txTime: string;
  readonly consentCheck?: ConsentVerdict;
}

/**
 * Builds the inclusion proof of leaf `leafIndex` from the batch's stored entries (leaf hashes of the
 * lean layout, records of the previous one), after checking that their leaves still hash to the
 * stored root — so the chaincode never hands out a proof for entries that no longer match their batch.
 *
 * @param entries the batch's entries in leaf order, each already checked to be the entry of its id
 * @throws ContractError `PRECONDITION_FAILED` when the stored entries and root disagree
 */
export function inclusionProofOf(
  batch: StoredBatch,
  entries: readonly StoredBatchEntry[],
  leafIndex: number,
): BatchInclusionProof {
  const leaves = entries.map((entry) => Buffer.from(entryLeafHash(entry), 'hex'));
  const entry = entries[leafIndex];
  if (
    entry === undefined ||
    entries.length !== batch.size ||
    merkleRootOfLeafHashes(leaves).toString('hex') !== batch.root
  ) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `batch ${batch.batchId}: the stored records do not hash to the stored root`,
    });
  }
  return {
    ...(isBatchMarker(entry) ? {} : { record: entry.record }),
    leafHash: entryLeafHash(entry),
    leafIndex,
    treeSize: batch.size,
    auditPath: inclusionPathOfLeafHashes(leafIndex, leaves).map((hash) => hash.toString('hex')),
    root: batch.root,
    txId: batch.batchId,
    batchId: batch.batchId,
    org: batch.org,
    txTime: batch.txTime,
    ...(entry.consentCheck === undefined ? {} : { consentCheck: entry.consentCheck }),
  };
}
