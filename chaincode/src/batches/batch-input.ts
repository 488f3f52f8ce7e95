import { canonicalJson } from '../canonical-json';
import { ValidationError, type FieldViolation } from '../errors';
import { checkInteraction, MAX_INTERACTION_BYTES, type InteractionInput } from '../interactions/interaction-schema';
import { parseJsonArgument } from '../validation/json-argument';

/**
 * Limits of one `RecordBatch` call. 1000 records of at most 2 MiB keep the transaction (arguments,
 * plus the same records once more in the write set) well inside the channel's 10 MB block limit
 * and one endorsement within a second on a small machine.
 */
export const MAX_BATCH_RECORDS = 1000;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Parses and validates a batch exactly as `Interactions:RecordInteractions` does — every record
 * with `checkInteraction`, at most 16 KiB each, ids unique within the batch — and refuses the whole
 * batch naming every failing record index.
 *
 * @throws ValidationError `INVALID_ARGUMENT: [3].usage.inputTokens: …; [4].id: duplicates [2].id`
 */
export function parseBatchInput(records: string): InteractionInput[] {
  const batch = parseJsonArgument('records', records, MAX_BATCH_BYTES);
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_BATCH_RECORDS) {
    throw new ValidationError([{ path: 'records', rule: `must be an array of 1 to ${MAX_BATCH_RECORDS} interactions` }]);
  }
  const violations: FieldViolation[] = [];
  const firstIndexOfId = new Map<string, number>();
  const inputs: InteractionInput[] = [];
  batch.forEach((element: unknown, index) => {
    const input = checkInteraction(element, `[${index}]`, violations);
    if (input === undefined) return;
    if (Buffer.byteLength(canonicalJson(input)) > MAX_INTERACTION_BYTES) {
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
