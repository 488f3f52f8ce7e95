import { z } from 'zod';
import type { Content } from '../commitments/canonical-content';
import { COMMITMENT_PATTERN } from '../commitments/commitment';
import { INTERACTION_QUERY_KEYS, type InteractionFilter } from '../interactions/interaction-ledger';
import { ledgerPaging, pageQueryShape } from './paging';
import { dateTimeSchema, labelSchema, recordIdSchema } from './record-id';

/**
 * Request and response schemas of the interaction routes. The field rules mirror the chaincode's
 * (chaincode/src/interactions/interaction-schema.ts), so bad input is refused before it reaches the
 * ledger; the chaincode checks everything again.
 */

const modelNameSchema = z.string().max(256, 'must be at most 256 characters').regex(/^[A-Za-z0-9._:/@+-]+$/, 'must be letters, digits and . _ : / @ + -');
export const commitmentSchema = z.string().regex(COMMITMENT_PATTERN, "must be 'hmac-sha256:' followed by 64 lowercase hex characters");
const count = z.number().int('must be an integer').min(0, 'must be at least 0');
const uniqueLabels = (maxItems: number) =>
  z
    .array(labelSchema(64))
    .max(maxItems, `must have at most ${maxItems} entries`)
    .refine((items) => new Set(items).size === items.length, 'must not repeat an entry');

/** One chat message: a role plus whatever else the provider's message format carries. */
const chatMessageSchema = z.object({ role: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters') }).catchall(z.unknown());

/** Prompt or output content: text, or a list of chat messages. Committed by the app, never stored or logged. */
export const contentSchema = z
  .union([z.string(), z.array(chatMessageSchema).min(1, 'must hold at least one message')])
  // The body was parsed from JSON text, so the messages' other fields are JSON values.
  .transform((content): Content => content as Content)
  .describe('text, or chat messages ({ role, … }); the app commits to it and discards it');

const interactionFields = {
  id: recordIdSchema.describe('client-chosen id; the idempotency key'),
  startTime: dateTimeSchema,
  endTime: dateTimeSchema,
  provider: labelSchema(64).describe('gen_ai.provider.name'),
  operation: labelSchema(64).describe('gen_ai.operation.name'),
  requestModel: modelNameSchema.describe('gen_ai.request.model'),
  responseModel: modelNameSchema.optional(),
  responseId: z.string().max(256, 'must be at most 256 characters').regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces').optional(),
  usage: z.strictObject({
    inputTokens: count,
    outputTokens: count,
    cacheReadTokens: count.optional(),
    reasoningTokens: count.optional(),
    source: z.enum(['provider', 'estimated']),
  }),
  cost: z.strictObject({
    status: z.enum(['priced', 'unpriced', 'provider']),
    amountMinor: count.optional().describe('minor units (e.g. cents); absent when unpriced'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR').optional(),
    priceTableVersion: labelSchema(64).optional(),
  }),
  latencyMs: count,
  status: z.enum(['ok', 'error']),
  errorType: labelSchema(128).optional(),
  finishReasons: z.array(labelSchema(64)).max(16, 'must have at most 16 entries').optional(),
  actorRef: recordIdSchema.optional(),
  applicationId: recordIdSchema,
  conversationId: recordIdSchema.optional(),
  subjectRef: recordIdSchema.optional(),
  consentId: recordIdSchema.optional(),
  purpose: labelSchema(64).optional(),
  dataCategories: uniqueLabels(32).optional(),
  tags: uniqueLabels(32).optional(),
  modelArtifactId: recordIdSchema.optional(),
};

type InteractionFields = z.output<z.ZodObject<typeof interactionFields>> & {
  prompt?: unknown;
  promptCommitment?: string;
  output?: unknown;
  outputCommitment?: string;
};

/** The rules that relate fields, as the chaincode applies them; plus exactly one of content / commitment per field. */
function checkRelations(record: InteractionFields, context: z.RefinementCtx): void {
  const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: path.split('.'), message });
  if (Date.parse(record.endTime) < Date.parse(record.startTime)) issue('endTime', 'must not be before startTime');
  if (record.cost.status === 'unpriced') {
    if (record.cost.amountMinor !== undefined) issue('cost.amountMinor', 'must be absent when cost.status is unpriced');
    if (record.cost.currency !== undefined) issue('cost.currency', 'must be absent when cost.status is unpriced');
  } else {
    if (record.cost.amountMinor === undefined) issue('cost.amountMinor', `is required when cost.status is ${record.cost.status}`);
    if (record.cost.currency === undefined) issue('cost.currency', `is required when cost.status is ${record.cost.status}`);
  }
  if (record.status === 'error' && record.errorType === undefined) issue('errorType', 'is required when status is error');
  if (record.status === 'ok' && record.errorType !== undefined) issue('errorType', 'must be absent when status is ok');
  if ((record.subjectRef !== undefined || record.consentId !== undefined) && record.purpose === undefined) issue('purpose', 'is required with subjectRef or consentId');
  if ((record.prompt === undefined) === (record.promptCommitment === undefined)) issue('prompt', 'give exactly one of prompt and promptCommitment');
  if (record.output !== undefined && record.outputCommitment !== undefined) issue('output', 'give at most one of output and outputCommitment');
}

/** An interaction as a client records it: the chaincode's fields, with content or commitments. */
export const interactionInputSchema = z
  .strictObject({
    ...interactionFields,
    prompt: contentSchema.optional(),
    promptCommitment: commitmentSchema.optional(),
    output: contentSchema.optional(),
    outputCommitment: commitmentSchema.optional(),
  })
  .superRefine(checkRelations);

/** The chaincode's largest batch. */
export const MAX_BATCH_RECORDS = 500;

export const interactionBatchSchema = z.strictObject({
  records: z.array(interactionInputSchema).min(1, 'must hold at least one record').max(MAX_BATCH_RECORDS, `must hold at most ${MAX_BATCH_RECORDS} records`),
});

/** An interaction as the ledger stores it (response schema). */
export const storedInteractionSchema = z.object({
  ...interactionFields,
  promptCommitment: z.string(),
  outputCommitment: z.string().optional(),
  // Response values are what the ledger stored; the request rules above do not constrain them.
  startTime: z.string(),
  endTime: z.string(),
  org: z.string().describe('recording org (MSP id)'),
  recordedBy: z.string(),
  txId: z.string(),
  txTime: z.string(),
  consentCheck: z.object({ allowed: z.boolean(), consentId: z.string().optional(), reason: z.string() }).optional().describe("the ledger's consent verdict at commit time"),
  batchId: z.string().optional().describe('present when the record was written in a Merkle batch (recordMerkleBatch): the batch, whose id is txId'),
  leafIndex: z.number().int().optional().describe("the record's leaf in its Merkle batch; its proof is at /batched-interactions/{id}/proof"),
});

export const annotationInputSchema = z.strictObject({
  id: recordIdSchema.describe('annotation id, unique per interaction; the idempotency key'),
  kind: z.enum(['review', 'flag', 'resolution']),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).optional(),
  labels: uniqueLabels(16).optional(),
  noteCommitment: commitmentSchema.optional().describe('commitment to a note kept off-chain (no free text on the ledger)'),
});

export const storedAnnotationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.string().optional(),
  labels: z.array(z.string()).optional(),
  noteCommitment: z.string().optional(),
  interactionId: z.string(),
  org: z.string(),
  annotatedBy: z.string(),
  txId: z.string(),
  txTime: z.string(),
});

/** `by`/`value` plus a time range on txTime: the ledger's access paths. */
export const interactionRangeQuery = {
  by: z.enum(INTERACTION_QUERY_KEYS).describe('access path'),
  value: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').describe('the org MSP id, model, actorRef, subjectRef, consentId or applicationId'),
  from: dateTimeSchema.optional().describe('earliest txTime, inclusive'),
  to: dateTimeSchema.optional().describe('latest txTime, inclusive'),
};

export const interactionQuerySchema = z.strictObject({
  ...interactionRangeQuery,
  order: z.enum(['asc', 'desc']).optional().describe('by txTime; default asc'),
  ...pageQueryShape,
});

/** The chaincode filter (`QueryInteractions`, `QueryBatches`) of a validated query. */
export function interactionFilterOf(query: z.output<typeof interactionQuerySchema>): InteractionFilter {
  const { by, value, from, to, order } = query;
  return {
    by,
    value,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(order === undefined ? {} : { order }),
    ...ledgerPaging(query),
  };
}
