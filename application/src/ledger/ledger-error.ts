/**
 * Why a ledger call failed, in terms the HTTP layer can map to a status code without knowing
 * anything about gRPC or Fabric.
 */
export type LedgerErrorKind =
  /** The chaincode refused the input (validation, duplicate, missing record, access). */
  | 'rejected'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  /** The peer or orderer could not be reached or timed out: try again later. */
  | 'unavailable'
  /** Anything else: a bug or a network state we do not understand. */
  | 'internal';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';

  constructor(
    readonly kind: LedgerErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
