import { LIMITS, type InteractionInput } from '@aal/ledger-contract';
import { parseInteractionBatch } from '../interactions/interaction-batch-input';

/**
 * Parses and validates a `RecordBatch` argument exactly as `Interactions:RecordInteractions` does,
 * with this contract's limits (`LIMITS.merkleBatchRecords`, `LIMITS.merkleBatchBytes`): they keep
 * the transaction (arguments, plus the same records once more in the write set) well inside the
 * channel's 10 MB block limit and one endorsement within a second on a small machine.
 *
 * @throws ValidationError with violations such as `[3].usage.inputTokens: …` and `[4].id: duplicates [2].id`
 */
export function parseBatchInput(records: string): InteractionInput[] {
  return parseInteractionBatch(records, { maxRecords: LIMITS.merkleBatchRecords, maxBytes: LIMITS.merkleBatchBytes });
}
