import {
  CONTRACTS,
  ContractError,
  HEX_256_PATTERN,
  LIMITS,
  TRANSACTIONS,
  ValidationError,
  sortedKeyJson,
} from '@aal/ledger-contract';
import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { type Caller, requireTransactionRole } from '../access/caller';
import { LedgerContract } from '../ledger/ledger-contract';
import { parseJsonArgument } from '../validation/json-argument';
import { emitBatchEvent } from './batch-events';
import { parseBatchInput } from './batch-input';
import { inclusionProofOf } from './batch-proof';
import { queryBatches } from './batch-query';
import { recordBatch } from './batch-recording';
import { readBatch, readBatchEntries, type StoredBatch, type StoredBatchEntry } from './batch-store';
import { batchedRecordAnswer, findBatchedInteraction, requireReadableBatch } from './batched-interaction';

/**
 * Batched ingestion: many interaction records in one transaction, validated like
 * `Interactions:RecordInteractions`, stored with an RFC 6962 Merkle root so every record has an
 * inclusion proof, and with one small key written per record (its leaf hash, consent verdict and place):
 * the records themselves stay in the transaction's arguments, in the block.
 */
@Info({
  title: 'Batches',
  description: 'Record interactions in batches with a Merkle root; per-record reads and inclusion proofs',
})
export class BatchesContract extends LedgerContract {
  constructor() {
    super(CONTRACTS.batches);
  }

  /** Records up to `LIMITS.merkleBatchRecords` interactions as one batch of the caller's org: all valid and stored, or none. */
  @Transaction()
  @Param(
    'records',
    'string',
    `JSON array of at most ${LIMITS.merkleBatchRecords} interactions, at most ${LIMITS.merkleBatchBytes} bytes`,
  )
  @Returns('string')
  async RecordBatch(ctx: Context, records: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.recordBatch);
    const { summary, violations } = await recordBatch(ctx, caller, parseBatchInput(records));
    if (summary.batchId === ctx.stub.getTxID()) emitBatchEvent(ctx, summary, violations);
    return sortedKeyJson(summary);
  }

  /** A batch's header: org, time, size, root and record ids in leaf order. */
  @Transaction(false)
  @Param('batchId', 'string', 'batch id (the recording transaction id)')
  @Returns('string')
  async GetBatch(ctx: Context, batchId: string): Promise<string> {
    return sortedKeyJson(await readableBatch(ctx, requireTransactionRole(ctx, TRANSACTIONS.getBatch), batchId));
  }

  /**
   * One batched record as stored (with org, txId, txTime, consent verdict) and where it sits; for the
   * lean layout, which keeps no record in world state, its locator (the same without the record's
   * fields, with `leafHash`): the record is in transaction `txId`'s arguments.
   */
  @Transaction(false)
  @Param('id', 'string', 'interaction id')
  @Returns('InteractionAnswer')
  async GetBatchedInteraction(ctx: Context, id: string): Promise<string> {
    const { batch, entry } = await readableRecord(
      ctx,
      requireTransactionRole(ctx, TRANSACTIONS.getBatchedInteraction),
      id,
    );
    return sortedKeyJson(batchedRecordAnswer(batch, id, entry));
  }

  /**
   * The record's inclusion proof, computed from the batch's stored leaves: `{ leafHash, leafIndex, treeSize,
   * auditPath, root, txId, … }`, with `record` for entries of the previous layout only.
   */
  @Transaction(false)
  @Param('id', 'string', 'interaction id')
  @Returns('string')
  async GetInclusionProof(ctx: Context, id: string): Promise<string> {
    const { batch, entry } = await readableRecord(ctx, requireTransactionRole(ctx, TRANSACTIONS.getInclusionProof), id);
    const entries = (await readBatchEntries(ctx, batch)).filter(
      (stored, index): stored is StoredBatchEntry =>
        stored !== undefined && stored.batchId === batch.batchId && stored.leafIndex === index,
    );
    // A missing or misplaced entry leaves `entries` short, which the proof refuses with PRECONDITION_FAILED.
    return sortedKeyJson(inclusionProofOf(batch, entries, entry.leafIndex));
  }

  /** A page of batch headers (without ids) by org, model, actor, subject, consent or application within a time range. */
  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by, value, from?, to?, order?: asc|desc, pageSize?, bookmark? }')
  @Returns('string')
  async QueryBatches(ctx: Context, filter: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.queryBatches);
    return sortedKeyJson(await queryBatches(ctx, caller, parseJsonArgument('filter', filter, LIMITS.filterBytes)));
  }
}

async function readableBatch(ctx: Context, caller: Caller, batchId: string): Promise<StoredBatch> {
  // A batch id is its recording transaction's id: 64 lowercase hex, like a SHA-256 digest.
  if (!HEX_256_PATTERN.test(batchId))
    throw new ValidationError([{ path: 'batchId', rule: 'must be a transaction id (64 lowercase hex)' }]);
  const batch = await readBatch(ctx, batchId);
  if (batch === undefined) throw new ContractError({ code: 'NOT_FOUND', message: `batch ${batchId} does not exist` });
  requireReadableBatch(caller, batch);
  return batch;
}

async function readableRecord(
  ctx: Context,
  caller: Caller,
  id: string,
): Promise<{ batch: StoredBatch; entry: StoredBatchEntry }> {
  const found = await findBatchedInteraction(ctx, caller, id);
  if (found === undefined)
    throw new ContractError({ code: 'NOT_FOUND', message: `batched interaction ${id} does not exist` });
  return found;
}
