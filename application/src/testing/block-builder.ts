import { merkleRoot, recordLeafBytes, recordLeafHash, sortedKeyJson } from '@aal/ledger-contract';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { blockDataHash, blockHeaderHash } from '../audit-index/block-hashes';

/** One write of a transaction's write set. */
export interface TestWrite {
  readonly key: string;
  readonly value: string;
  readonly isDelete?: boolean;
}

/** One transaction of a test block: its id, its chaincode writes, and its validation code. */
export interface TestTransaction {
  readonly txId: string;
  readonly writes: readonly TestWrite[];
  /** Default VALID. */
  readonly code?: number;
  /** Default the audit chaincode. */
  readonly namespace?: string;
  /** Default ENDORSER_TRANSACTION. */
  readonly type?: number;
  /** The channel header's timestamp (ms since the epoch); none by default. */
  readonly txTimeMs?: number;
  /** The invocation's arguments (transaction name first); none by default. */
  readonly args?: readonly string[];
}

/** A composite key as the chaincode shim builds it. */
export const compositeKey = (type: string, ...attributes: string[]): string =>
  `\u0000${type}\u0000${attributes.map((attribute) => `${attribute}\u0000`).join('')}`;

/** The envelope of one test transaction, as a block or qscc's ProcessedTransaction carries it. */
export function testEnvelope(transaction: TestTransaction): common.Envelope {
  const kvRwSet = new ledger.rwset.kvrwset.KVRWSet();
  kvRwSet.setWritesList(
    transaction.writes.map((write) => {
      const kvWrite = new ledger.rwset.kvrwset.KVWrite();
      kvWrite.setKey(write.key);
      kvWrite.setValue(Buffer.from(write.value));
      kvWrite.setIsDelete(write.isDelete ?? false);
      return kvWrite;
    }),
  );
  const nsRwSet = new ledger.rwset.NsReadWriteSet();
  nsRwSet.setNamespace(transaction.namespace ?? 'audit');
  nsRwSet.setRwset(kvRwSet.serializeBinary());
  const txRwSet = new ledger.rwset.TxReadWriteSet();
  txRwSet.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  txRwSet.setNsRwsetList([nsRwSet]);
  const chaincodeAction = new peer.ChaincodeAction();
  chaincodeAction.setResults(txRwSet.serializeBinary());
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setExtension$(chaincodeAction.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setAction(endorsed);
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(transaction.namespace ?? 'audit');
  const input = new peer.ChaincodeInput();
  input.setArgsList((transaction.args ?? []).map((arg) => Buffer.from(arg)));
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  const action = new peer.TransactionAction();
  action.setPayload(actionPayload.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([action]);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(transaction.type ?? common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setTxId(transaction.txId);
  if (transaction.txTimeMs !== undefined) {
    const timestamp = new Timestamp();
    timestamp.setSeconds(Math.floor(transaction.txTimeMs / 1000));
    timestamp.setNanos((transaction.txTimeMs % 1000) * 1_000_000);
    channelHeader.setTimestamp(timestamp);
  }
  channelHeader.setChannelId('hospital-a');
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(tx.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}

/**
 * A committed block as a peer delivers it: header (its `data_hash` the hash of its envelopes, its
 * `previous_hash` the header hash of `previous` — a block, or a hex hash — empty without one),
 * envelopes, and the transaction filter in its metadata.
 */
export function testBlock(
  number: number,
  transactions: readonly TestTransaction[],
  previous?: common.Block | string,
): common.Block {
  const block = new common.Block();
  const data = new common.BlockData();
  data.setDataList(transactions.map((transaction) => testEnvelope(transaction).serializeBinary()));
  block.setData(data);
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setDataHash(blockDataHash(data));
  if (typeof previous === 'string') header.setPreviousHash(Buffer.from(previous, 'hex'));
  else {
    const previousHeader = previous?.getHeader();
    if (previousHeader !== undefined) header.setPreviousHash(blockHeaderHash(previousHeader));
  }
  block.setHeader(header);
  const metadata = new common.BlockMetadata();
  const entries: Uint8Array[] = [
    new Uint8Array(),
    new Uint8Array(),
    new Uint8Array(),
    new Uint8Array(),
    new Uint8Array(),
  ];
  entries[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(
    transactions.map((transaction) => transaction.code ?? peer.TxValidationCode.VALID),
  );
  metadata.setMetadataList(entries);
  block.setMetadata(metadata);
  return block;
}

/** The writes of a single-record (or gathered) transaction: each stored record under `interaction ∘ id`. */
export function interactionWrites(records: readonly Record<string, unknown>[]): TestWrite[] {
  return records.map((record) => ({
    key: compositeKey('interaction', String(record['id'])),
    value: sortedKeyJson(record),
  }));
}

/**
 * The writes of a Merkle batch transaction, as the chaincode writes them: the header under
 * `batch ∘ batchId`, one entry per record under `batched-interaction ∘ id`.
 */
export function batchWrites(
  batch: { batchId: string; org: string; recordedBy: string; txTime: string },
  records: readonly { record: Record<string, unknown>; consentCheck?: Record<string, unknown> }[],
): TestWrite[] {
  const ids = records.map((entry) => String(entry.record['id']));
  return [
    {
      key: compositeKey('batch', batch.batchId),
      value: sortedKeyJson({ ...batch, size: records.length, root: 'f'.repeat(64), ids }),
    },
    ...records.map((entry, leafIndex) => ({
      key: compositeKey('batched-interaction', ids[leafIndex] ?? ''),
      value: sortedKeyJson({ ...entry, batchId: batch.batchId, leafIndex }),
    })),
  ];
}

/** A ProcessedTransaction as qscc's `GetTransactionByID` answers it. */
export function testProcessedTransaction(transaction: TestTransaction): Uint8Array {
  const processed = new peer.ProcessedTransaction();
  processed.setTransactionenvelope(testEnvelope(transaction));
  processed.setValidationcode(transaction.code ?? peer.TxValidationCode.VALID);
  return processed.serializeBinary();
}

/**
 * The writes of a Merkle batch transaction in the lean layout, as the chaincode writes them: the
 * header (with the true root) and one marker per record (place, leaf hash); the records themselves
 * are the transaction's arguments (`[TRANSACTIONS.recordBatch, JSON.stringify(records)]`).
 */
export function leanBatchWrites(
  batch: { batchId: string; org: string; recordedBy: string; txTime: string },
  records: readonly Record<string, unknown>[],
): TestWrite[] {
  const ids = records.map((record) => String(record['id']));
  const root = merkleRoot(records.map(recordLeafBytes)).toString('hex');
  return [
    { key: compositeKey('batch', batch.batchId), value: sortedKeyJson({ ...batch, size: records.length, root, ids }) },
    ...records.map((record, leafIndex) => ({
      key: compositeKey('batched-interaction', ids[leafIndex] ?? ''),
      value: sortedKeyJson({ batchId: batch.batchId, leafHash: recordLeafHash(record).toString('hex'), leafIndex }),
    })),
  ];
}

/** The next block of `channel` for an index, chained to the last block it indexed. */
export function nextTestBlock(
  index: { nextBlock(channel: string): bigint; headHash(channel: string): string | undefined },
  channel: string,
  transactions: readonly TestTransaction[],
): common.Block {
  return testBlock(Number(index.nextBlock(channel)), transactions, index.headHash(channel));
}
