import {
  ContractError,
  batchedInteractionView,
  batchedRecordLocator,
  checkInput,
  isBatchMarker,
  type BatchedRecordLocator,
  type StoredInteraction,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { readsEverything, type Caller } from '../access/caller';
import { readBatch, readEntry, type StoredBatch, type StoredBatchEntry } from './batch-store';
import { PLAIN_ARGUMENTS } from '../validation/plain-arguments';

// The stored view of a batched record is the contract's (the audit index builds the same from blocks).
export { batchedInteractionView };

/** Refuses a caller who may not read the batch: auditors read every org's, others their own org's. */
export function requireReadableBatch(caller: Caller, batch: StoredBatch): void {
  if (!readsEverything(caller) && batch.org !== caller.mspId) {
    throw new ContractError({
      code: 'ACCESS_DENIED',
      message: `access denied: ${caller.mspId} may read only its own org's batches`,
    });
  }
}

/**
 * What a point read answers for a batched record: the record itself for an entry of the previous
 * layout; for the lean layout (no record in world state) its locator — batch, leaf index, leaf hash,
 * the ledger's fields — with which the reader takes the record from the recording transaction.
 */
export function batchedRecordAnswer(
  batch: StoredBatch,
  id: string,
  entry: StoredBatchEntry,
): StoredInteraction | BatchedRecordLocator {
  return isBatchMarker(entry) ? batchedRecordLocator(batch, id, entry) : batchedInteractionView(batch, entry);
}

/**
 * The batched record `id` with its batch header, checked for the caller; `undefined` when no batch
 * holds the id (so `Interactions:GetInteraction` can fall back to it: one id names one record).
 *
 * @throws ContractError `ACCESS_DENIED` for another org's record (non-auditors), `PRECONDITION_FAILED`
 * when the entry and its header disagree
 */
export async function findBatchedInteraction(
  ctx: Context,
  caller: Caller,
  id: string,
): Promise<{ batch: StoredBatch; entry: StoredBatchEntry } | undefined> {
  checkInput(PLAIN_ARGUMENTS.recordId, id, 'id');
  return batchedInteractionOf(ctx, caller, id, await readEntry(ctx, id));
}

/**
 * {@link findBatchedInteraction} for an entry the caller has read already (with other keys in one
 * message to the peer).
 */
export async function batchedInteractionOf(
  ctx: Context,
  caller: Caller,
  id: string,
  entry: StoredBatchEntry | undefined,
): Promise<{ batch: StoredBatch; entry: StoredBatchEntry } | undefined> {
  if (entry === undefined) return undefined;
  const batch = await readBatch(ctx, entry.batchId);
  if (batch === undefined || batch.ids[entry.leafIndex] !== id || (!isBatchMarker(entry) && entry.record.id !== id)) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `batch ${entry.batchId} does not hold ${id} at leaf ${entry.leafIndex}`,
    });
  }
  requireReadableBatch(caller, batch);
  return { batch, entry };
}
