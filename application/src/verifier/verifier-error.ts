/** Why the ledger could not vouch for a proof, before any Merkle check ran. */
export type LedgerEvidenceCode =
  /** The ledger has no batched record with the proof's record id. */
  | 'RECORD_NOT_ON_LEDGER'
  /** The batch's transaction is not a valid committed transaction. */
  | 'TX_NOT_VALID'
  /** The transaction's write set holds no header for the batch. */
  | 'BATCH_NOT_IN_TX'
  /** World state and the block disagree about the batch (a tampered state database). */
  | 'STATE_DIFFERS_FROM_BLOCK';

export class LedgerEvidenceError extends Error {
  constructor(
    readonly code: LedgerEvidenceCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'LedgerEvidenceError';
  }
}
