import { STATE_KEY_TYPES, compositeKeyParts } from '@aal/ledger-contract';
import { common, peer } from '@hyperledger/fabric-protos';
import { chaincodeWrites } from '../ledger/chaincode-writes';

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

/** Whether a written key is the chaincode's composite key of this batch's header (`batch ∘ batchId`). */
function isHeaderKey(key: string, batchId: string): boolean {
  const parts = compositeKeyParts(key);
  return parts?.type === STATE_KEY_TYPES.batch && parts.attributes.length === 1 && parts.attributes[0] === batchId;
}

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
  const write = chaincodeWrites(transaction, chaincode).find(
    (candidate) => isHeaderKey(candidate.getKey(), batchId) && !candidate.getIsDelete(),
  );
  if (write !== undefined) {
    return {
      validationCode,
      header: JSON.parse(Buffer.from(write.getValue_asU8()).toString('utf8')) as CommittedBatchHeader,
    };
  }
  return { validationCode, header: undefined };
}
