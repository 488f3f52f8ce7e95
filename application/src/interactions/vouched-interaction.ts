import {
  RecordProofError,
  batchedInteractionView,
  isBatchedRecordLocator,
  sortedKeyJson,
  verifyRecordProof,
  type BatchedRecordLocator,
  type InteractionInput,
  type RecordInclusionProof,
  type StoredInteraction,
} from '@aal/ledger-contract';
import {
  verifiedBatchedInput,
  verifyBatchedRecord,
  verifyHeader,
  verifyRecordLeaf,
  verifySingleRecord,
  verifyValid,
} from '../ledger/batched-record-evidence';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerEvidenceError } from '../ledger/ledger-evidence-error';
import { decodeRecordedTransaction, type RecordedTransaction } from '../ledger/recorded-transaction';

/**
 * Point reads and proofs of interactions, answered only with what the ledger vouches for: the
 * chaincode's answer is checked against the org's audit index row (taken from the hash-chained
 * blocks) when it holds the record, else against the recording transaction fetched from the org's
 * own peer (qscc `GetTransactionByID`). A batched record of the lean layout is taken from that transaction's
 * arguments and checked against its leaf hash and the batch root; any other record against the
 * transaction's write set. A mismatch is a {@link LedgerEvidenceError} (a 502), never the bytes.
 */

/** The org's audit index's stored view of an interaction, if it holds it (`AuditIndexStore.interactionJson`). */
export type IndexedInteraction = (channel: string, id: string) => Promise<string | undefined>;

/** The ledger fields of a stored view, which the record's leaf does not cover. */
const LEDGER_FIELDS = new Set(['org', 'recordedBy', 'txId', 'txTime', 'consentCheck', 'batchId', 'leafIndex']);

/**
 * A lean batched record from the org's audit index, answered only when it hashes to the leaf the
 * ledger's marker holds (the locator the chaincode read from world state): then the index row is
 * exactly what was recorded, without fetching the whole batch transaction from the peer. Not indexed
 * yet, unreadable or not matching: `undefined`, and the caller takes the record from the transaction.
 */
async function indexedBatchedRecord(
  indexed: IndexedInteraction,
  channel: string,
  locator: BatchedRecordLocator,
): Promise<StoredInteraction | undefined> {
  let json: string | undefined;
  try {
    json = await indexed(channel, locator.id);
  } catch {
    return undefined; // the index's database is down: the transaction still vouches
  }
  if (json === undefined) return undefined;
  const view = JSON.parse(json) as Record<string, unknown>;
  const record = Object.fromEntries(
    Object.entries(view).filter(([field]) => !LEDGER_FIELDS.has(field)),
  ) as unknown as InteractionInput;
  try {
    verifyRecordLeaf(record, locator.leafHash);
  } catch {
    return undefined;
  }
  return batchedInteractionView(
    { batchId: locator.txId, org: locator.org, recordedBy: locator.recordedBy, txTime: locator.txTime },
    {
      record,
      batchId: locator.batchId,
      leafIndex: locator.leafIndex,
      ...(locator.consentCheck === undefined ? {} : { consentCheck: locator.consentCheck }),
    },
  );
}

/**
 * Whether the org's audit index holds exactly the record the chaincode read from world state (a
 * record written alone or gathered): the index row comes from the block, whose hash chain the index
 * checked when it took it, so the two independent copies agreeing vouch for the record as the
 * transaction's write set would, without fetching the transaction from the peer. Not indexed yet,
 * unreadable or different: false, and the caller checks the transaction.
 */
async function indexAgrees(indexed: IndexedInteraction, channel: string, answer: StoredInteraction): Promise<boolean> {
  let json: string | undefined;
  try {
    json = await indexed(channel, answer.id);
  } catch {
    return false; // the index's database is down: the transaction still vouches
  }
  return json !== undefined && sortedKeyJson(JSON.parse(json)) === sortedKeyJson(answer);
}

/** The recording transaction as the org's own peer holds it. */
export async function recordedTransaction(
  ledger: Pick<LedgerClient, 'evaluateSystem'>,
  channel: string,
  txId: string,
): Promise<RecordedTransaction> {
  return decodeRecordedTransaction(await ledger.evaluateSystem(channel, 'qscc', 'GetTransactionByID', [channel, txId]));
}

/**
 * The interaction a chaincode point read answered, checked against its transaction: the record of a
 * lean batched locator, or the stored record (single, gathered, or batched of the previous layout,
 * whose `batched-interaction` write holds it; checked by its header and the proof on the proof route).
 *
 * @throws LedgerEvidenceError when the transaction does not vouch for the answer
 */
export async function vouchedInteraction(
  ledger: Pick<LedgerClient, 'evaluateSystem'>,
  channel: string,
  answer: StoredInteraction | BatchedRecordLocator,
  indexed?: IndexedInteraction,
): Promise<StoredInteraction> {
  if (isBatchedRecordLocator(answer) && indexed !== undefined) {
    const fromIndex = await indexedBatchedRecord(indexed, channel, answer);
    if (fromIndex !== undefined) return fromIndex;
  }
  if (!isBatchedRecordLocator(answer) && answer.batchId === undefined && indexed !== undefined)
    if (await indexAgrees(indexed, channel, answer)) return answer;
  const tx = await recordedTransaction(ledger, channel, answer.txId);
  if (isBatchedRecordLocator(answer)) return verifyBatchedRecord(tx, answer);
  if (answer.batchId !== undefined) {
    // A batched record of the previous layout: its transaction is valid and its batch header names it there.
    verifyValid(tx, answer.txId);
    return answer;
  }
  return verifySingleRecord(tx, answer);
}

/** What the chaincode's `GetInclusionProof` answers: a proof, with the record for the previous layout only. */
export type ChaincodeProof = Omit<RecordInclusionProof, 'record'> & {
  readonly record?: unknown;
  readonly batchId: string;
  readonly org: string;
  readonly txTime: string;
};

/**
 * A record's inclusion proof, completed with the record from the recording transaction (lean layout)
 * and verified against the batch header that transaction wrote — root, size, leaf index, leaf, path —
 * before it is handed out.
 *
 * @throws LedgerEvidenceError when the transaction does not vouch for the record or the proof
 */
export async function vouchedProof(
  ledger: LedgerClient,
  channel: string,
  id: string,
  proof: ChaincodeProof,
): Promise<RecordInclusionProof> {
  const tx = await recordedTransaction(ledger, channel, proof.txId);
  verifyValid(tx, proof.txId);
  const locator = { ...proof, id, recordedBy: '' };
  // Lean layout: the record is the transaction's argument that hashes to the leaf the block's marker holds.
  const { record, header } =
    proof.record === undefined
      ? verifiedBatchedInput(tx, locator)
      : { record: proof.record, header: verifyHeader(tx, locator) };
  const complete: RecordInclusionProof = { ...proof, record };
  try {
    verifyRecordProof(record, complete, {
      txId: header.batchId,
      root: header.root,
      size: header.size,
      leafIndex: proof.leafIndex,
    });
  } catch (error) {
    if (error instanceof RecordProofError) throw new LedgerEvidenceError('PROOF_INVALID', error.message);
    throw error;
  }
  return complete;
}
