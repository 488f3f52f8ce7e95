import { TRANSACTIONS, type BatchFilter, type RecordInclusionProof } from '@aal/ledger-contract';
import type { LedgerPage } from '../ledger/ledger-answers';
import type { LedgerClient } from '../ledger/ledger-client';
import { vouchedProof, type ChaincodeProof } from './vouched-interaction';

/**
 * The Batches contract as the application calls it (docs/chaincode-api.md "Contract Batches"): many
 * interactions in one transaction under an RFC 6962 Merkle root, each with an inclusion proof.
 */

/** What a batch submit answers: no records (submit results are stored in blocks). */
export interface BatchSummary {
  readonly batchId: string;
  readonly org: string;
  readonly txTime: string;
  readonly root: string;
  readonly size: number;
  readonly alreadyRecorded: readonly {
    readonly index: number;
    readonly id: string;
    readonly batchId: string;
    readonly leafIndex: number;
  }[];
}

export interface RecordedBatch {
  readonly summary: BatchSummary;
  readonly transactionId: string;
  readonly blockNumber: bigint;
}

/** A batch in a query page: the header without its ids. */
export interface BatchListing {
  readonly batchId: string;
  readonly org: string;
  readonly recordedBy: string;
  readonly txTime: string;
  readonly size: number;
  readonly root: string;
}

/** Writes up to `LIMITS.merkleBatchRecords` records under one Merkle root (all or nothing; write-once by id). */
export async function recordBatch(
  ledger: LedgerClient,
  channel: string,
  records: readonly object[],
): Promise<RecordedBatch> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.recordBatch, [JSON.stringify(records)], {
    idempotent: true,
  });
  return {
    summary: JSON.parse(submitted.result) as BatchSummary,
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

/** The batch header: org, time, size, root and the record ids in leaf order. */
export async function getBatch(
  ledger: LedgerClient,
  channel: string,
  batchId: string,
): Promise<Record<string, unknown>> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getBatch, [batchId])) as Record<string, unknown>;
}

/**
 * A batched record's inclusion proof, computed by the chaincode from the stored leaves, completed with
 * the record from the recording transaction and verified against the batch that transaction wrote.
 *
 * @throws LedgerEvidenceError when the recording transaction does not vouch for the record or the proof
 */
export async function getInclusionProof(
  ledger: LedgerClient,
  channel: string,
  id: string,
): Promise<RecordInclusionProof> {
  const proof = JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getInclusionProof, [id])) as ChaincodeProof;
  return vouchedProof(ledger, channel, id, proof);
}

/** One page of batches by org or by a value inside them (same filter as `QueryInteractions`). */
export async function queryBatches(
  ledger: LedgerClient,
  channel: string,
  filter: BatchFilter,
): Promise<LedgerPage<BatchListing>> {
  return JSON.parse(
    await ledger.evaluate(channel, TRANSACTIONS.queryBatches, [JSON.stringify(filter)]),
  ) as LedgerPage<BatchListing>;
}
