import { canonicalJsonOnce } from '../canonical-json';
import { ValidationError, type FieldViolation } from '../errors';
import { parseJsonArgument } from '../validation/json-argument';
import { checkInteraction, MAX_INTERACTION_BYTES, type InteractionInput } from './interaction-schema';

/**
 * Parses and validates a JSON array of interactions for one transaction: every record with
 * `checkInteraction`, at most 16 KiB each, ids unique within the batch. All-or-nothing: the error
 * names every failing record by index. Shared by `Interactions:RecordInteractions` and
 * `Batches:RecordBatch`, which differ only in their limits.
 *
 * @throws ValidationError `INVALID_ARGUMENT: [3].usage.inputTokens: …; [4].id: duplicates [2].id`
 */
export function parseInteractionBatch(records: string, limits: { maxRecords: number; maxBytes: number }): InteractionInput[] {
  const batch = parseJsonArgument('records', records, limits.maxBytes);
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > limits.maxRecords) {
    throw new ValidationError([{ path: 'records', rule: `must be an array of 1 to ${limits.maxRecords} interactions` }]);
  }
  const violations: FieldViolation[] = [];
  const firstIndexOfId = new Map<string, number>();
  const inputs: InteractionInput[] = [];
  batch.forEach((element: unknown, index) => {
    const input = checkInteraction(element, `[${index}]`, violations);
    if (input === undefined) return;
    if (Buffer.byteLength(canonicalJsonOnce(input)) > MAX_INTERACTION_BYTES) {
      violations.push({ path: `[${index}]`, rule: `must be at most ${MAX_INTERACTION_BYTES} bytes` });
    }
    const first = firstIndexOfId.get(input.id);
    if (first !== undefined) violations.push({ path: `[${index}].id`, rule: `duplicates [${first}].id` });
    else firstIndexOfId.set(input.id, index);
    inputs.push(input);
  });
  if (violations.length > 0) throw new ValidationError(violations);
  return inputs;
}
