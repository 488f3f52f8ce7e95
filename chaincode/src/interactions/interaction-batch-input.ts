import {
  LIMITS,
  ValidationError,
  collectViolations,
  interactionInputSchema,
  sortedKeyJsonOnce,
  type FieldViolation,
  type InteractionInput,
} from '@aal/ledger-contract';
import { parseJsonArgument } from '../validation/json-argument';

/** The record and byte limits of one batch-recording transaction (from `LIMITS`). */
export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/**
 * Validates one interaction against the contract's schema and its size limit, adding every
 * violation to `violations` under `prefix` (`[3]` in a batch); returns the record only when valid.
 */
export function checkInteraction(
  value: unknown,
  violations: FieldViolation[],
  prefix = '',
): InteractionInput | undefined {
  const input = collectViolations(interactionInputSchema, value, violations, prefix);
  if (input === undefined) return undefined;
  if (Buffer.byteLength(sortedKeyJsonOnce(input)) > LIMITS.interactionBytes) {
    violations.push({ path: prefix, rule: `must be at most ${LIMITS.interactionBytes} bytes` });
    return undefined;
  }
  return input;
}

/**
 * Parses and validates a JSON array of interactions for one transaction: every record against the
 * contract's `interactionInputSchema`, at most `LIMITS.interactionBytes` each, ids unique within the
 * batch. All-or-nothing: the error names every failing record by index. Shared by
 * `Interactions:RecordInteractions` and `Batches:RecordBatch`, which differ only in their limits.
 *
 * @throws ValidationError with violations such as `[3].usage.inputTokens: …` and `[4].id: duplicates [2].id`
 */
export function parseInteractionBatch(records: string, limits: BatchLimits): InteractionInput[] {
  const batch = parseJsonArgument('records', records, limits.maxBytes);
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > limits.maxRecords) {
    throw new ValidationError([
      { path: 'records', rule: `must be an array of 1 to ${limits.maxRecords} interactions` },
    ]);
  }
  const violations: FieldViolation[] = [];
  const firstIndexOfId = new Map<string, number>();
  const inputs: InteractionInput[] = [];
  batch.forEach((element: unknown, index) => {
    const input = checkInteraction(element, violations, `[${index}]`);
    if (input === undefined) return;
    const first = firstIndexOfId.get(input.id);
    if (first !== undefined) violations.push({ path: `[${index}].id`, rule: `duplicates [${first}].id` });
    else firstIndexOfId.set(input.id, index);
    inputs.push(input);
  });
  if (violations.length > 0) throw new ValidationError(violations);
  return inputs;
}
