import {
  ContractError,
  inclusionPath,
  merkleRoot,
  recordLeafBytes,
  recordLeafHash,
  type ConsentVerdict,
  type RecordInclusionProof,
} from '@aal/ledger-contract';
import type { BatchedRecord, StoredBatch } from './batch-store';

/** A record's inclusion proof plus the batch facts a reader wants beside it (not part of the check). */
export interface BatchInclusionProof extends RecordInclusionProof {
  readonly batchId: string;
  readonly org: string;
  readonly txTime: string;
  readonly consentCheck?: ConsentVerdict;
}

/**
 * Builds the inclusion proof of leaf `leafIndex` from the batch's stored records, after checking
 * that those records still hash to the stored root — so the chaincode never hands out a proof for
 * records that no longer match their batch.
 *
 * @throws ContractError `PRECONDITION_FAILED` when the stored records and root disagree
 */
export function inclusionProofOf(
  batch: StoredBatch,
  records: readonly BatchedRecord[],
  leafIndex: number,
): BatchInclusionProof {
  const leaves = records.map((entry) => recordLeafBytes(entry.record));
  const entry = records[leafIndex];
  if (entry === undefined || records.length !== batch.size || merkleRoot(leaves).toString('hex') !== batch.root) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `batch ${batch.batchId}: the stored records do not hash to the stored root`,
    });
  }
  const path = inclusionPath(leafIndex, leaves);
  return {
    record: entry.record,
    leafHash: recordLeafHash(entry.record).toString('hex'),
    leafIndex,
    treeSize: batch.size,
    auditPath: path.map((hash) => hash.toString('hex')),
    root: batch.root,
    txId: batch.batchId,
    batchId: batch.batchId,
    org: batch.org,
    txTime: batch.txTime,
    ...(entry.consentCheck === undefined ? {} : { consentCheck: entry.consentCheck }),
  };
}
