import { fieldViolations } from '@aal/ledger-contract';
import type { z } from 'zod';
import type { FieldError } from './problem';

/**
 * One {@link FieldError} per failing field, in the contract's path notation and wording (the same
 * the chaincode uses in its refusals): an unknown field under its own name, a missing one as `is required`.
 */
export function fieldErrors(error: z.ZodError, input: unknown): FieldError[] {
  return fieldViolations(error, input).map((violation) => ({ field: violation.path, message: violation.rule }));
}
