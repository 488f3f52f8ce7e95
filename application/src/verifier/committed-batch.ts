import { common, ledger, peer } from '@hyperledger/fabric-protos';

/** The batch header as the recording transaction wrote it (see chaincode/src/batches/batch-store.ts). */
export interface CommittedBatchHeader {
  readonly batchId: string;
  readonly org: string;
  readonly txTime: string;
  readonly size: number;
  readonly root: string;
}

/** What the block says about one transaction: was it valid, and which batch header did it write. */
export interface CommittedBatch {
  /** Fabric's validation code name, `VALID` for a committed transaction. */
  readonly validationCode: string;
  /** `undefined` when the transaction wrote no header for this batch. */
  readonly header: CommittedBatchHeader | undefined;
}

const VALIDATION_CODES = Object.fromEntries(
  Object.entries(peer.TxValidationCode).map(([name, value]) => [value, name]),
) as Record<number, string>;

/** The chaincode's composite key of a batch header: U+0000 batch U+0000 <batchId> U+0000. */
const headerKey = (batchId: string): string => `\u0000batch\u0000${batchId}\u0000`;

/**
 * Reads a batch header out of the write set of the transaction that recorded it, from qscc's
 * `GetTransactionByID` answer (a ProcessedTransaction): the root as the block holds it, which no
 * chaincode query and no REST service can alter.
 */
export function committedBatchOf(processedTransaction: Uint8Array, chaincode: string, batchId: string): CommittedBatch {
  const processed = peer.ProcessedTransaction.deserializeBinary(processedTransaction);
  const validationCode = VALIDATION_CODES[processed.getValidationcode()] ?? String(processed.getValidationcode());
  const envelope = processed.getTransactionenvelope();
  if (envelope === undefined) return { validationCode, header: undefined };
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const proposalResponse = actionPayload.getAction()?.getProposalResponsePayload_asU8();
    if (proposalResponse === undefined) continue;
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(
      peer.ProposalResponsePayload.deserializeBinary(proposalResponse).getExtension_asU8(),
    );
    const readWriteSet = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const namespace of readWriteSet.getNsRwsetList()) {
      if (namespace.getNamespace() !== chaincode) continue;
      const writes = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(namespace.getRwset_asU8()).getWritesList();
      const write = writes.find((candidate) => candidate.getKey() === headerKey(batchId) && !candidate.getIsDelete());
      if (write !== undefined) {
        return {
          validationCode,
          header: JSON.parse(Buffer.from(write.getValue_asU8()).toString('utf8')) as CommittedBatchHeader,
        };
      }
    }
  }
  return { validationCode, header: undefined };
}
