import type { ContractErrorCode, FieldViolation, RefusalReason } from '@aal/ledger-contract';

/**
 * Why a ledger call failed, in terms the HTTP layer can map to a status code without knowing
 * anything about gRPC or Fabric.
 */
export type LedgerErrorKind =
  /** The chaincode refused the input's fields (`INVALID_ARGUMENT`); `violations` names them. */
  | 'invalid-argument'
  /** The chaincode refused because a precondition does not hold (`PRECONDITION_FAILED`); `reasons` names them. */
  | 'precondition-failed'
  /** The chaincode refused without a coded reason, or the peers invalidated the transaction. */
  | 'rejected'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  /** The peer or orderer could not be reached or timed out: try again later. */
  | 'unavailable'
  /** Anything else: a bug or a network state we do not understand. */
  | 'internal';

export interface LedgerErrorOptions {
  readonly cause?: unknown;
  /** A transient failure: the same call may succeed later (safe to repeat only if idempotent). */
  readonly transient?: boolean;
  /** The chaincode's error code, when the chaincode refused with a coded payload. */
  readonly code?: ContractErrorCode;
  readonly violations?: readonly FieldViolation[];
  readonly reasons?: readonly RefusalReason[];
  /** The ordering service did not take the endorsed transaction (the gateway's SubmitError): nothing was ordered. */
  readonly notOrdered?: boolean;
  /** What each peer answered when endorsement failed (`<address> (<MSP id>): <message>`), for the operator's log. */
  readonly endorserErrors?: readonly string[];
  /** The committing peers invalidated the transaction with this Fabric validation code (not `VALID`). */
  readonly validationCode?: number;
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly transient: boolean;
  /** The chaincode's code; `undefined` when the failure did not come from the chaincode. */
  readonly code: ContractErrorCode | undefined;
  /** `INVALID_ARGUMENT`: every failing field, as the chaincode named it. */
  readonly violations: readonly FieldViolation[];
  /** `PRECONDITION_FAILED` (and a few `NOT_FOUND`s): every failed precondition, with the input it is about. */
  readonly reasons: readonly RefusalReason[];
  /** The ordering service did not take the transaction; /readyz reports it (readiness/ordering-outcomes.ts). */
  readonly notOrdered: boolean;
  /** The peers' own answers to a failed endorsement (the gateway's error details); empty otherwise. */
  readonly endorserErrors: readonly string[];
  /** Fabric's validation code when the peers invalidated the transaction at commit; `undefined` otherwise. */
  readonly validationCode: number | undefined;

  constructor(
    readonly kind: LedgerErrorKind,
    message: string,
    options: LedgerErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.transient = options.transient ?? false;
    this.code = options.code;
    this.violations = options.violations ?? [];
    this.reasons = options.reasons ?? [];
    this.notOrdered = options.notOrdered ?? false;
    this.endorserErrors = options.endorserErrors ?? [];
    this.validationCode = options.validationCode;
  }
}
