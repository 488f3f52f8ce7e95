import {
  STATE_KEY_TYPES,
  batchedInteractionView,
  compositeKeyParts,
  type BatchEntry,
  type StoredBatch,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { common, type ledger, peer } from '@hyperledger/fabric-protos';
import { chaincodeWrites } from '../ledger/chaincode-writes';

/** One committed interaction as a block shows it, with where it sits on the ledger. */
export interface IndexedInteraction {
  readonly record: StoredInteraction;
  readonly txId: string;
  readonly blockNumber: number;
  /** The transaction's position in its block. */
  readonly txIndex: number;
}

/** What a block adds to the index: its number and the interactions its valid transactions wrote. */
export interface DecodedBlock {
  readonly number: number;
  readonly interactions: readonly IndexedInteraction[];
}

const decoder = new TextDecoder();
const json = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;

/**
 * Each transaction's validation code, from the block's transaction filter (one byte per envelope,
 * written by the committing peer): only `VALID` ones changed the world state.
 */
function validationCodes(block: common.Block): Uint8Array {
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  return metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
}

/**
 * The interactions one transaction wrote: single and gathered records (`interaction ∘ id`, the
 * stored record) and Merkle-batched ones (`batched-interaction ∘ id` with their batch's header,
 * `batch ∘ batchId`, from the same write set), in the order written (batched ones by leaf).
 */
export function interactionsOfWrites(writes: readonly ledger.rwset.kvrwset.KVWrite[]): StoredInteraction[] {
  const records: StoredInteraction[] = [];
  const batches = new Map<string, StoredBatch>();
  const entries: BatchEntry[] = [];
  for (const write of writes) {
    if (write.getIsDelete()) continue;
    const key = compositeKeyParts(write.getKey());
    if (key === undefined) continue;
    const value = write.getValue_asU8();
    if (key.type === STATE_KEY_TYPES.interaction) records.push(json<StoredInteraction>(value));
    else if (key.type === STATE_KEY_TYPES.batch) {
      const batch = json<StoredBatch>(value);
      batches.set(batch.batchId, batch);
    } else if (key.type === STATE_KEY_TYPES.batchedInteraction) entries.push(json<BatchEntry>(value));
  }
  entries.sort((a, b) => (a.batchId === b.batchId ? a.leafIndex - b.leafIndex : a.batchId < b.batchId ? -1 : 1));
  for (const entry of entries) {
    const batch = batches.get(entry.batchId);
    // The chaincode writes a batch's header and its entries in one transaction; an entry without
    // its header is not a record this index can attribute, and a decoder must not guess.
    if (batch === undefined)
      throw new Error(`batched record ${entry.record.id} without its batch header ${entry.batchId}`);
    records.push(batchedInteractionView(batch, entry));
  }
  return records;
}

/**
 * Decodes a committed block into the interactions its valid transactions of `chaincode` wrote.
 * Invalid transactions (MVCC conflicts, endorsement failures…) changed nothing and add nothing;
 * config blocks and other transaction types add nothing.
 */
export function decodeBlock(block: common.Block, chaincode: string): DecodedBlock {
  const number = block.getHeader()?.getNumber() ?? 0;
  const codes = validationCodes(block);
  const interactions: IndexedInteraction[] = [];
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
      const writes = chaincodeWrites(peer.Transaction.deserializeBinary(payload.getData_asU8()), chaincode);
      for (const record of interactionsOfWrites(writes))
        interactions.push({ record, txId: channelHeader.getTxId(), blockNumber: number, txIndex });
    });
  return { number, interactions };
}
