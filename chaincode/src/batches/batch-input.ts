import { parseInteractionBatch } from '../interactions/interaction-batch-input';
import type { InteractionInput } from '../interactions/interaction-schema';

/**
 * Limits of one `RecordBatch` call. 1000 records of at most 2 MiB keep the transaction (arguments,
 * plus the same records once more in the write set) well inside the channel's 10 MB block limit
 * and one endorsement within a second on a small machine.
 */
export const MAX_BATCH_RECORDS = 1000;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Parses and validates a batch exactly as `Interactions:RecordInteractions` does, with this
 * contract's limits.
 *
 * @throws ValidationError `INVALID_ARGUMENT: [3].usage.inputTokens: …; [4].id: duplicates [2].id`
 */
export function parseBatchInput(records: string): InteractionInput[] {
  return parseInteractionBatch(records, { maxRecords: MAX_BATCH_RECORDS, maxBytes: MAX_BATCH_BYTES });
}
