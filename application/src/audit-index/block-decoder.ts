import {
  STATE_KEY_TYPES,
  batchedInteractionView,
  batchedInteractionViewJson,
  type BatchEntry,
  compositeKeyParts,
  isBatchMarker,
  type StoredBatchEntry,
  type ErasureReceipt,
  type StoredAnnotation,
  type StoredArtifact,
  type StoredBatch,
  type StoredConsent,
  type StoredInteraction,
  type StoredTrainingRun,
} from '@aal/ledger-contract';
import { common, type ledger, peer } from '@hyperledger/fabric-protos';
import { batchArguments, recordWithLeaf } from '../ledger/batched-record-evidence';
import { chaincodeWrites } from '../ledger/chaincode-writes';
import { invocationOf } from '../ledger/recorded-transaction';

/** One committed record as a block shows it, with where it sits on the ledger. */
export interface Indexed<T> {
  readonly record: T;
  /**
   * The record's sorted-key JSON as the block gives it — a write-set value is the chaincode's own
   * bytes (it writes sortedKeyJson), a batched view is assembled from the record's leaf bytes — so
   * the index stores it without serialising the record again. Absent: the store serialises `record`.
   */
  readonly json?: string;
  readonly txId: string;
  readonly blockNumber: number;
  /** The transaction's position in its block. */
  readonly txIndex: number;
}

/** One committed interaction (single, gathered or batched). */
export type IndexedInteraction = Indexed<StoredInteraction>;

/** A record a transaction wrote and its sorted-key JSON (see {@link Indexed.json}). */
export interface Written<T> {
  readonly record: T;
  readonly json: string;
}

/** The records one transaction wrote, by kind, as the chaincode stored them. */
export interface WrittenRecords {
  readonly interactions: Written<StoredInteraction>[];
  /** Merkle batch headers. */
  readonly batches: Written<StoredBatch>[];
  /** Consents as written: a grant, or the same consent rewritten by its revocation. */
  readonly consents: Written<StoredConsent>[];
  readonly annotations: Written<StoredAnnotation>[];
  readonly artifacts: Written<StoredArtifact>[];
  readonly trainingRuns: Written<StoredTrainingRun>[];
  readonly erasureReceipts: Written<ErasureReceipt>[];
}

/** What a block adds to the index: its number and the records its valid transactions wrote. */
export interface DecodedBlock {
  readonly number: number;
  readonly interactions: readonly IndexedInteraction[];
  readonly batches: readonly Indexed<StoredBatch>[];
  readonly consents: readonly Indexed<StoredConsent>[];
  readonly annotations: readonly Indexed<StoredAnnotation>[];
  readonly artifacts: readonly Indexed<StoredArtifact>[];
  readonly trainingRuns: readonly Indexed<StoredTrainingRun>[];
  readonly erasureReceipts: readonly Indexed<ErasureReceipt>[];
}

const decoder = new TextDecoder();
const json = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;
/** A write-set value as the chaincode wrote it: its text (sortedKeyJson, kept as is) and the record it holds. */
const written = <T>(bytes: Uint8Array): Written<T> => {
  const text = decoder.decode(bytes);
  return { record: JSON.parse(text) as T, json: text };
};

/**
 * Each transaction's validation code, from the block's transaction filter (one byte per envelope,
 * written by the committing peer): only `VALID` ones changed the world state.
 */
function validationCodes(block: common.Block): Uint8Array {
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  return metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
}

/** One valid endorser transaction of a block: its position, channel header and payload. */
export interface ValidTransaction {
  readonly txIndex: number;
  readonly channelHeader: common.ChannelHeader;
  readonly payload: common.Payload;
}

/**
 * The block's endorser transactions that its transaction filter marks `VALID`, in block order
 * (configuration transactions and MVCC or endorsement failures are left out).
 */
export function validTransactions(block: common.Block): ValidTransaction[] {
  const codes = validationCodes(block);
  const valid: ValidTransaction[] = [];
  block
    .getData()
    ?.getDataList_asU8()
    .forEach((envelopeBytes, txIndex) => {
      if (codes[txIndex] !== peer.TxValidationCode.VALID) return;
      const payload = common.Payload.deserializeBinary(
        common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8(),
      );
      const headerBytes = payload.getHeader()?.getChannelHeader_asU8();
      if (headerBytes === undefined) return;
      const channelHeader = common.ChannelHeader.deserializeBinary(headerBytes);
      if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
      valid.push({ txIndex, channelHeader, payload });
    });
  return valid;
}

/**
 * The records one transaction wrote, recognised by the contract's key types: single and gathered
 * interactions (`interaction ∘ id`, the stored record), Merkle batch headers (`batch ∘ batchId`)
 * and their records (`batched-interaction ∘ id`, viewed with their header from the same write set,
 * by leaf), consents, annotations, artifacts, training runs and erasure receipts. Index entries
 * (simple keys) and deletes add nothing. A batched record of the lean layout (a marker, no record in
 * the write set) is taken from the transaction's arguments and must hash to the marker's leaf.
 *
 * @param invocation the transaction's id and invocation arguments (the records of a lean batch)
 * @throws Error, or LedgerEvidenceError for a lean record missing from the arguments or not matching its leaf
 */
export function recordsOfWrites(
  writes: readonly ledger.rwset.kvrwset.KVWrite[],
  invocation: { txId: string; args: readonly string[] } = { txId: '', args: [] },
): WrittenRecords {
  const records: WrittenRecords = {
    interactions: [],
    batches: [],
    consents: [],
    annotations: [],
    artifacts: [],
    trainingRuns: [],
    erasureReceipts: [],
  };
  const entries: { id: string; entry: StoredBatchEntry }[] = [];
  for (const write of writes) {
    if (write.getIsDelete()) continue;
    const key = compositeKeyParts(write.getKey());
    if (key === undefined) continue;
    const value = write.getValue_asU8();
    switch (key.type) {
      case STATE_KEY_TYPES.interaction:
        records.interactions.push(written<StoredInteraction>(value));
        break;
      case STATE_KEY_TYPES.batch:
        records.batches.push(written<StoredBatch>(value));
        break;
      case STATE_KEY_TYPES.batchedInteraction:
        entries.push({ id: key.attributes[0] ?? '', entry: json<StoredBatchEntry>(value) });
        break;
      case STATE_KEY_TYPES.consent:
        records.consents.push(written<StoredConsent>(value));
        break;
      case STATE_KEY_TYPES.annotation:
        records.annotations.push(written<StoredAnnotation>(value));
        break;
      case STATE_KEY_TYPES.artifact:
        records.artifacts.push(written<StoredArtifact>(value));
        break;
      case STATE_KEY_TYPES.trainingRun:
        records.trainingRuns.push(written<StoredTrainingRun>(value));
        break;
      case STATE_KEY_TYPES.erasureReceipt:
        records.erasureReceipts.push(written<ErasureReceipt>(value));
        break;
      default:
        break;
    }
  }
  const batches = new Map(records.batches.map(({ record: batch }) => [batch.batchId, batch]));
  entries.sort((a, b) =>
    a.entry.batchId === b.entry.batchId
      ? a.entry.leafIndex - b.entry.leafIndex
      : a.entry.batchId < b.entry.batchId
        ? -1
        : 1,
  );
  let submitted: Map<string, unknown> | undefined;
  for (const { id, entry } of entries) {
    const batch = batches.get(entry.batchId);
    // The chaincode writes a batch's header and its entries in one transaction; an entry without
    // its header is not a record this index can attribute, and a decoder must not guess.
    if (batch === undefined) throw new Error(`batched record ${id} without its batch header ${entry.batchId}`);
    if (!isBatchMarker(entry)) {
      records.interactions.push(batchedView(batch, entry));
      continue;
    }
    submitted ??= batchArguments(invocation);
    const record = recordWithLeaf(submitted, id, invocation.txId, entry.leafHash);
    records.interactions.push(batchedView(batch, { ...entry, record }));
  }
  return records;
}

/** A batched record's stored view and its JSON, from the record's leaf bytes (computed once, by the leaf check for a lean record). */
function batchedView(batch: StoredBatch, entry: BatchEntry): Written<StoredInteraction> {
  return { record: batchedInteractionView(batch, entry), json: batchedInteractionViewJson(batch, entry) };
}

/** The interactions one transaction wrote, single, gathered and batched (see {@link recordsOfWrites}). */
export function interactionsOfWrites(writes: readonly ledger.rwset.kvrwset.KVWrite[]): StoredInteraction[] {
  return recordsOfWrites(writes).interactions.map(({ record }) => record);
}

/**
 * Decodes a committed block into the records its valid transactions of `chaincode` wrote.
 * Invalid transactions (MVCC conflicts, endorsement failures…) changed nothing and add nothing;
 * config blocks and other transaction types add nothing.
 */
export function decodeBlock(block: common.Block, chaincode: string): DecodedBlock {
  const number = block.getHeader()?.getNumber() ?? 0;
  const decoded = {
    number,
    interactions: [] as IndexedInteraction[],
    batches: [] as Indexed<StoredBatch>[],
    consents: [] as Indexed<StoredConsent>[],
    annotations: [] as Indexed<StoredAnnotation>[],
    artifacts: [] as Indexed<StoredArtifact>[],
    trainingRuns: [] as Indexed<StoredTrainingRun>[],
    erasureReceipts: [] as Indexed<ErasureReceipt>[],
  };
  for (const { txIndex, channelHeader, payload } of validTransactions(block)) {
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const writes = chaincodeWrites(transaction, chaincode);
    const written = recordsOfWrites(writes, { txId: channelHeader.getTxId(), args: invocationOf(transaction).args });
    const place = { txId: channelHeader.getTxId(), blockNumber: number, txIndex };
    const at = <T>(records: readonly Written<T>[]): Indexed<T>[] =>
      records.map(({ record, json }) => ({ record, json, ...place }));
    decoded.interactions.push(...at(written.interactions));
    decoded.batches.push(...at(written.batches));
    decoded.consents.push(...at(written.consents));
    decoded.annotations.push(...at(written.annotations));
    decoded.artifacts.push(...at(written.artifacts));
    decoded.trainingRuns.push(...at(written.trainingRuns));
    decoded.erasureReceipts.push(...at(written.erasureReceipts));
  }
  return decoded;
}
