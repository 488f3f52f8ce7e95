import { common, msp, peer } from '@hyperledger/fabric-protos';
import { X509Certificate } from 'node:crypto';

/** One endorsement on a committed transaction: which org signed, and the signer's certificate subject. */
export interface Endorsement {
  readonly mspId: string;
  readonly subject: string;
}

/**
 * Evidence that a transaction is on the ledger, read from the peer's ledger through the query
 * system chaincode (qscc), not from anything the application remembers.
 */
export interface TransactionProof {
  readonly transactionId: string;
  readonly channel: string;
  readonly blockNumber: string;
  /** Fabric's validation code name: `VALID` or the reason the transaction was invalidated. */
  readonly validationCode: string;
  readonly timestamp: string;
  /** The submitting client's org. */
  readonly creatorMspId: string;
  /** The submitting identity's certificate subject (e.g. `CN=app-recorder, …`): which role's user signed. */
  readonly creatorSubject: string;
  /** SHA-256 fingerprint of the submitter's certificate: tells two enrollments of one user apart. */
  readonly creatorCertificateSha256: string;
  readonly endorsements: readonly Endorsement[];
  /** Distinct orgs among the endorsers. */
  readonly endorsingOrgs: readonly string[];
}

const VALIDATION_CODES = Object.fromEntries(
  Object.entries(peer.TxValidationCode).map(([name, value]) => [value, name]),
) as Record<number, string>;

function identity(bytes: Uint8Array): { mspId: string; subject: string; fingerprint: string } {
  const serialized = msp.SerializedIdentity.deserializeBinary(bytes);
  try {
    const certificate = new X509Certificate(Buffer.from(serialized.getIdBytes_asU8()));
    return {
      mspId: serialized.getMspid(),
      subject: certificate.subject.replace(/\n/g, ', '),
      fingerprint: certificate.fingerprint256,
    };
  } catch {
    return { mspId: serialized.getMspid(), subject: '(not an X.509 identity)', fingerprint: '' };
  }
}

/**
 * Decodes qscc's `GetTransactionByID` answer (a ProcessedTransaction) and `GetBlockByTxID`
 * answer (a Block) into a {@link TransactionProof}.
 */
export function decodeTransactionProof(processedTransaction: Uint8Array, block: Uint8Array): TransactionProof {
  const processed = peer.ProcessedTransaction.deserializeBinary(processedTransaction);
  const envelope = processed.getTransactionenvelope();
  if (!envelope) throw new Error('the processed transaction has no envelope');
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = payload.getHeader();
  if (!header) throw new Error('the transaction payload has no header');
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());

  const endorsements: Endorsement[] = [];
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    for (const endorsement of actionPayload.getAction()?.getEndorsementsList() ?? []) {
      endorsements.push(identity(endorsement.getEndorser_asU8()));
    }
  }
  const creator = identity(signatureHeader.getCreator_asU8());
  const timestamp = channelHeader.getTimestamp();
  const blockNumber = common.Block.deserializeBinary(block).getHeader()?.getNumber() ?? 0;
  return {
    transactionId: channelHeader.getTxId(),
    channel: channelHeader.getChannelId(),
    blockNumber: String(blockNumber),
    validationCode: VALIDATION_CODES[processed.getValidationcode()] ?? String(processed.getValidationcode()),
    timestamp: timestamp
      ? new Date(timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6)).toISOString()
      : '',
    creatorMspId: creator.mspId,
    creatorSubject: creator.subject,
    creatorCertificateSha256: creator.fingerprint,
    endorsements,
    endorsingOrgs: [...new Set(endorsements.map((endorsement) => endorsement.mspId))].sort(),
  };
}
