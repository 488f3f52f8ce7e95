import {
  STATE_KEY_TYPES,
  TRANSACTIONS,
  batchedInteractionView,
  compositeKeyParts,
  interactionInputSchema,
  merkleRootOfLeafHashes,
  recordLeafHash,
  sortedKeyJson,
  type BatchMarker,
  type BatchedRecordLocator,
  type InteractionInput,
  type StoredBatch,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { LedgerEvidenceError } from './ledger-evidence-error';
import type { RecordedTransaction } from './recorded-transaction';

/**
 * Checks that a record read through the chaincode is what the recording transaction on the peer's
 * ledger vouches for, before a read answers it. Small pure functions, one per check, each throwing
 * {@link LedgerEvidenceError} with its code; {@link verifyBatchedRecord} and {@link verifySingleRecord}
 * run them in order. Batched records of the lean layout are not in world state: the record comes
 * from the transaction's arguments, and its leaf, the transaction's markers and root must agree.
 */

/** @throws LedgerEvidenceError `TX_NOT_VALID` */
export function verifyValid(tx: RecordedTransaction, txId: string): void {
  if (tx.validationCode !== 'VALID' || tx.txId !== txId)
    throw new LedgerEvidenceError(
      'TX_NOT_VALID',
      `transaction ${txId} is not valid on the ledger (${tx.validationCode}${tx.txId === txId ? '' : `, found ${tx.txId || 'nothing'}`})`,
    );
}

const writtenValue = (tx: RecordedTransaction, type: string, attribute: string): string | undefined =>
  tx.writes.find((write) => {
    const parts = compositeKeyParts(write.key);
    return (
      !write.isDelete && parts?.type === type && parts.attributes.length === 1 && parts.attributes[0] === attribute
    );
  })?.value;

/**
 * The batch header the transaction wrote, which must be the batch the chaincode located the record in.
 *
 * @throws LedgerEvidenceError `HEADER_MISMATCH`
 */
export function verifyHeader(tx: RecordedTransaction, locator: BatchedRecordLocator): StoredBatch {
  const value = writtenValue(tx, STATE_KEY_TYPES.batch, locator.batchId);
  const header = value === undefined ? undefined : (JSON.parse(value) as StoredBatch);
  if (
    header === undefined ||
    header.batchId !== locator.batchId ||
    header.org !== locator.org ||
    header.txTime !== locator.txTime ||
    header.ids[locator.leafIndex] !== locator.id
  ) {
    throw new LedgerEvidenceError(
      'HEADER_MISMATCH',
      `transaction ${tx.txId} wrote no header of batch ${locator.batchId} holding ${locator.id} at leaf ${locator.leafIndex}`,
    );
  }
  return header;
}

/**
 * The markers the transaction wrote, one per leaf in order, whose leaf hashes give the header's root.
 *
 * @returns the markers by record id
 * @throws LedgerEvidenceError `ROOT_MISMATCH`
 */
export function verifyMarkersRoot(tx: RecordedTransaction, header: StoredBatch): Map<string, BatchMarker> {
  const markers = new Map<string, BatchMarker>();
  for (const id of header.ids) {
    const value = writtenValue(tx, STATE_KEY_TYPES.batchedInteraction, id);
    if (value !== undefined) markers.set(id, JSON.parse(value) as BatchMarker);
  }
  const leaves = header.ids.map((id, index) => {
    const marker = markers.get(id);
    return marker?.leafIndex === index && typeof marker.leafHash === 'string' ? marker.leafHash : '';
  });
  const complete = leaves.length === header.size && leaves.every((hash) => /^[0-9a-f]{64}$/.test(hash));
  if (
    !complete ||
    merkleRootOfLeafHashes(leaves.map((hash) => Buffer.from(hash, 'hex'))).toString('hex') !== header.root
  )
    throw new LedgerEvidenceError(
      'ROOT_MISMATCH',
      `the leaf hashes transaction ${tx.txId} wrote do not hash to its batch root ${header.root}`,
    );
  return markers;
}

/**
 * The record's marker in the block must be the one world state answered.
 *
 * @throws LedgerEvidenceError `STATE_DIFFERS_FROM_BLOCK`
 */
export function verifyMarker(marker: BatchMarker | undefined, locator: BatchedRecordLocator): BatchMarker {
  if (
    marker === undefined ||
    marker.batchId !== locator.batchId ||
    marker.leafIndex !== locator.leafIndex ||
    marker.leafHash !== locator.leafHash
  ) {
    throw new LedgerEvidenceError(
      'STATE_DIFFERS_FROM_BLOCK',
      `world state places ${locator.id} at leaf ${locator.leafIndex} with hash ${locator.leafHash}, its transaction does not`,
    );
  }
  return marker;
}

/**
 * The records of a `Batches:RecordBatch` transaction's arguments by id, parsed once.
 *
 * @throws LedgerEvidenceError `NOT_A_BATCH_TRANSACTION`
 */
export function batchArguments(tx: Pick<RecordedTransaction, 'txId' | 'args'>): Map<string, unknown> {
  let records: unknown;
  try {
    records = tx.args[0] === TRANSACTIONS.recordBatch ? (JSON.parse(tx.args[1] ?? '') as unknown) : undefined;
  } catch {
    records = undefined;
  }
  if (!Array.isArray(records))
    throw new LedgerEvidenceError('NOT_A_BATCH_TRANSACTION', `transaction ${tx.txId} is not a readable RecordBatch`);
  const byId = new Map<string, unknown>();
  for (const record of records as unknown[]) {
    const id = typeof record === 'object' && record !== null ? (record as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && !byId.has(id)) byId.set(id, record);
  }
  return byId;
}

/**
 * The record with this id among a batch transaction's arguments, valid as the chaincode validated it.
 *
 * @throws LedgerEvidenceError `RECORD_NOT_IN_TRANSACTION`
 */
export function recordInArguments(records: ReadonlyMap<string, unknown>, id: string, txId: string): InteractionInput {
  const parsed = interactionInputSchema.safeParse(records.get(id));
  if (!parsed.success)
    throw new LedgerEvidenceError('RECORD_NOT_IN_TRANSACTION', `transaction ${txId} holds no valid record ${id}`);
  return parsed.data;
}

/**
 * The record must hash to the leaf the ledger stores for it.
 *
 * @throws LedgerEvidenceError `LEAF_MISMATCH`
 */
export function verifyRecordLeaf(record: InteractionInput, leafHash: string): void {
  const computed = recordLeafHash(record).toString('hex');
  if (computed !== leafHash)
    throw new LedgerEvidenceError(
      'LEAF_MISMATCH',
      `record ${record.id} hashes to leaf ${computed}, the ledger stores ${leafHash}`,
    );
}

/**
 * The record with this id among a batch transaction's arguments, which must hash to the leaf the
 * chaincode wrote for it. The leaf is the hash of the canonical JSON of the record as the chaincode
 * validated it, so an argument whose canonical JSON hashes to it is that record, and the schema is
 * not parsed again (a measured share of the index's ingestion); any other argument is parsed and
 * checked as {@link recordInArguments} and {@link verifyRecordLeaf} do, for their error codes.
 *
 * @throws LedgerEvidenceError `RECORD_NOT_IN_TRANSACTION` or `LEAF_MISMATCH`
 */
export function recordWithLeaf(
  records: ReadonlyMap<string, unknown>,
  id: string,
  txId: string,
  leafHash: string,
): InteractionInput {
  const submitted = records.get(id);
  if (typeof submitted === 'object' && submitted !== null && recordLeafHash(submitted).toString('hex') === leafHash)
    return submitted as InteractionInput;
  const record = recordInArguments(records, id, txId);
  verifyRecordLeaf(record, leafHash);
  return record;
}

/**
 * The batched record the chaincode located (lean layout), taken from its recording transaction and
 * checked against it: valid transaction, its header, its markers' root, the record's marker, the
 * record's leaf.
 *
 * @returns the record as submitted with the header and marker that vouch for it
 * @throws LedgerEvidenceError with the code of the first failed check
 */
export function verifiedBatchedInput(
  tx: RecordedTransaction,
  locator: BatchedRecordLocator,
): { record: InteractionInput; header: StoredBatch; marker: BatchMarker } {
  verifyValid(tx, locator.txId);
  const header = verifyHeader(tx, locator);
  const marker = verifyMarker(verifyMarkersRoot(tx, header).get(locator.id), locator);
  const record = recordWithLeaf(batchArguments(tx), locator.id, tx.txId, marker.leafHash);
  return { record, header, marker };
}

/**
 * {@link verifiedBatchedInput} as the stored view of the record, as the audit index and the previous
 * layout give it.
 */
export function verifyBatchedRecord(tx: RecordedTransaction, locator: BatchedRecordLocator): StoredInteraction {
  const { record, header, marker } = verifiedBatchedInput(tx, locator);
  return batchedInteractionView(header, { ...marker, record });
}

/**
 * A single-recorded (or gathered) interaction read from world state must be, byte for byte, what its
 * transaction wrote under its key.
 *
 * @throws LedgerEvidenceError `TX_NOT_VALID` or `WRITE_SET_MISMATCH`
 */
export function verifySingleRecord(tx: RecordedTransaction, record: StoredInteraction): StoredInteraction {
  verifyValid(tx, record.txId);
  if (writtenValue(tx, STATE_KEY_TYPES.interaction, record.id) !== sortedKeyJson(record))
    throw new LedgerEvidenceError(
      'WRITE_SET_MISMATCH',
      `interaction ${record.id} differs from what transaction ${record.txId} wrote`,
    );
  return record;
}
