/**
 * Why a transaction was refused. The code leads the message (`NOT_FOUND: interaction x does not
 * exist`) because only the message crosses the gateway: clients map the code to a status.
 */
export type ContractErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'CONFLICT' | 'ACCESS_DENIED' | 'PRECONDITION_FAILED';

export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ContractError';
  }
}

/** One failing field and the rule it broke; `path` is a JSON path such as `usage.inputTokens` or `[3].id`. */
export interface FieldViolation {
  readonly path: string;
  readonly rule: string;
}

/** Bad input: lists every failing field, so a client can fix all of them at once. */
export class ValidationError extends ContractError {
  constructor(readonly violations: readonly FieldViolation[]) {
    super('INVALID_ARGUMENT', violations.map((violation) => `${violation.path || '(root)'}: ${violation.rule}`).join('; '));
    this.name = 'ValidationError';
  }
}
