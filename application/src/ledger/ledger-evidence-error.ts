/** Why a record read from the ledger was refused; one code per failed check. */
export type LedgerEvidenceCode =
  /** The recording transaction is not on the peer's ledger as `VALID`. */
  | 'TX_NOT_VALID'
  /** The transaction is not the batch recording the chaincode names (other function, unreadable arguments). */
  | 'NOT_A_BATCH_TRANSACTION'
  /** The transaction wrote no header for its batch, or one that is not the batch the chaincode names. */
  | 'HEADER_MISMATCH'
  /** The transaction's per-record leaf hashes do not hash to its batch root. */
  | 'ROOT_MISMATCH'
  /** The record's marker in the block differs from the one world state answered (batch, leaf index or hash). */
  | 'STATE_DIFFERS_FROM_BLOCK'
  /** The transaction's arguments hold no valid record with this id. */
  | 'RECORD_NOT_IN_TRANSACTION'
  /** The record in the arguments does not hash to its leaf: the block's bytes were altered. */
  | 'LEAF_MISMATCH'
  /** A single-recorded interaction differs from what its transaction wrote. */
  | 'WRITE_SET_MISMATCH'
  /** The chaincode's inclusion proof does not verify against the batch its transaction wrote (the message names the check). */
  | 'PROOF_INVALID';

/**
 * A record the ledger does not vouch for: the bytes a read would answer do not match the recording
 * transaction (its write set, leaf hashes and root). The read answers a 502 problem with this code,
 * never the bytes.
 */
export class LedgerEvidenceError extends Error {
  override readonly name = 'LedgerEvidenceError';

  constructor(
    readonly code: LedgerEvidenceCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
