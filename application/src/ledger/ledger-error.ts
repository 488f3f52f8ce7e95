/**
 * Why a ledger call failed, in terms the HTTP layer can map to a status code without knowing
 * anything about gRPC or Fabric.
 */
export type LedgerErrorKind =
  /** The chaincode refused the input's fields (`INVALID_ARGUMENT`); `violations` names them. */
  | 'invalid-argument'
  /** The chaincode refused because a precondition does not hold (`PRECONDITION_FAILED`). */
  | 'precondition-failed'
  /** The chaincode refused for another reason it gave. */
  | 'rejected'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  /** The peer or orderer could not be reached or timed out: try again later. */
  | 'unavailable'
  /** Anything else: a bug or a network state we do not understand. */
  | 'internal';

/** One field the chaincode refused, with its rule. */
export interface LedgerFieldViolation {
  readonly field: string;
  readonly message: string;
}

export interface LedgerErrorOptions {
  readonly cause?: unknown;
  /** A transient failure: the same call may succeed later (safe to repeat only if idempotent). */
  readonly transient?: boolean;
  readonly violations?: readonly LedgerFieldViolation[];
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly transient: boolean;
  readonly violations: readonly LedgerFieldViolation[];

  constructor(
    readonly kind: LedgerErrorKind,
    message: string,
    options: LedgerErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.transient = options.transient ?? false;
    this.violations = options.violations ?? [];
  }
}
