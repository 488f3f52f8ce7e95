import { common, peer } from '@hyperledger/fabric-protos';
import { chaincodeWrites } from './chaincode-writes';

/** What the peer's ledger holds about one transaction, as qscc's `GetTransactionByID` answers it. */
export interface RecordedTransaction {
  readonly txId: string;
  /** Fabric's validation code name: `VALID` for a committed transaction. */
  readonly validationCode: string;
  /** The invoked chaincode's name (the namespace its writes are in). */
  readonly chaincode: string;
  /** The invocation's arguments as UTF-8: the transaction name first (`Batches:RecordBatch`). */
  readonly args: readonly string[];
  /** Every write in the invoked chaincode's namespace: key, value (UTF-8), delete flag. */
  readonly writes: readonly { key: string; value: string; isDelete: boolean }[];
}

const VALIDATION_CODES = Object.fromEntries(
  Object.entries(peer.TxValidationCode).map(([name, value]) => [value, name]),
) as Record<number, string>;

const decoder = new TextDecoder();

/**
 * Decodes a ProcessedTransaction (qscc `GetTransactionByID`) into its validation code, invocation
 * arguments and write set: the bytes every peer of the channel keeps in its blocks.
 */
export function decodeRecordedTransaction(processedTransaction: Uint8Array): RecordedTransaction {
  const processed = peer.ProcessedTransaction.deserializeBinary(processedTransaction);
  const validationCode = VALIDATION_CODES[processed.getValidationcode()] ?? String(processed.getValidationcode());
  const envelope = processed.getTransactionenvelope();
  if (envelope === undefined) return { txId: '', validationCode, chaincode: '', args: [], writes: [] };
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(
    payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
  );
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const invocation = invocationOf(transaction);
  return {
    txId: channelHeader.getTxId(),
    validationCode,
    chaincode: invocation.chaincode,
    args: invocation.args,
    writes: chaincodeWrites(transaction, invocation.chaincode).map((write) => ({
      key: write.getKey(),
      value: decoder.decode(write.getValue_asU8()),
      isDelete: write.getIsDelete(),
    })),
  };
}

/** The chaincode and arguments of an endorser transaction's (first) action, from its proposal payload. */
export function invocationOf(transaction: peer.Transaction): { chaincode: string; args: string[] } {
  const action = transaction.getActionsList()[0];
  if (action === undefined) return { chaincode: '', args: [] };
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposal = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8()).getChaincodeSpec();
  return {
    chaincode: spec?.getChaincodeId()?.getName() ?? '',
    args: (spec?.getInput()?.getArgsList_asU8() ?? []).map((arg) => decoder.decode(arg)),
  };
}
