import { z } from 'zod';
import { commitment, count, currency, dateTime, issueAt, label, list, oneOf, recordId } from './fields';
import { newRecordId } from './record-id';
import { LIMITS } from '../limits';
import {
  ANNOTATION_LABELS,
  DATA_CATEGORIES,
  PURPOSES,
  annotationLabel,
  dataCategory,
  purpose,
  storedVocabularyValue,
} from './vocabularies';

/** Model names as providers spell them: `gpt-4o-2024-08-06`, `models/gemini-1.5-pro`, `claude-3-5-sonnet@20240620`. */
const modelName = () =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must be 1 to 256 characters')
    .max(256, 'must be 1 to 256 characters')
    .regex(/^[A-Za-z0-9._:/@+-]+$/, 'must be letters, digits and . _ : / @ + -');

/** Provider-issued ids are opaque: any printable ASCII without spaces. */
const opaqueId = () =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must be 1 to 256 characters')
    .max(256, 'must be 1 to 256 characters')
    .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');

export const USAGE_SOURCES = ['provider', 'estimated'] as const;
export const COST_STATUSES = ['priced', 'unpriced', 'provider'] as const;
export const INTERACTION_STATUSES = ['ok', 'error'] as const;

/** Token usage, each count at most `maxTokens` (unbounded: as records written before the per-call limit hold it). */
const tokenUsage = (maxTokens?: number) =>
  z.strictObject({
    inputTokens: count(maxTokens),
    outputTokens: count(maxTokens),
    cacheReadTokens: count(maxTokens).optional(),
    reasoningTokens: count(maxTokens).optional(),
    source: oneOf(USAGE_SOURCES).describe('provider: as the provider reported it; estimated: counted by the recorder'),
  });

export const tokenUsageSchema = tokenUsage(LIMITS.tokensPerCall);

const PRICED_COST_STATUSES = COST_STATUSES.filter((status) => status !== 'unpriced');

/** A call's cost, its amount at most `maxMinor` (unbounded: as records written before the per-call limit hold it). */
const callCost = (maxMinor?: number) =>
  z
    .strictObject({
      status: oneOf(COST_STATUSES).describe('an unpriced call carries no amount, never 0'),
      amountMinor: count(maxMinor).optional().describe('minor units (e.g. cents); absent when unpriced'),
      currency: currency().optional(),
      priceTableVersion: label(64).optional(),
    })
    // checkInteractionRelations' cost rule, as JSON Schema states it for the OpenAPI document.
    .meta({
      anyOf: [
        { properties: { status: { const: 'unpriced' }, amountMinor: false, currency: false } },
        { properties: { status: { enum: PRICED_COST_STATUSES } }, required: ['amountMinor', 'currency'] },
      ],
    });

export const callCostSchema = callCost(LIMITS.costMinorPerCall);

/**
 * The fields of an AI interaction as the recording org submits it (metadata and commitments, never
 * content). Field names follow the OpenTelemetry GenAI conventions where one exists.
 */
export const interactionFields = {
  id: newRecordId(),
  startTime: dateTime(),
  endTime: dateTime(),
  provider: label(64).describe('gen_ai.provider.name'),
  operation: label(64).describe('gen_ai.operation.name'),
  requestModel: modelName().describe('gen_ai.request.model'),
  responseModel: modelName().optional(),
  responseId: opaqueId().optional(),
  usage: tokenUsageSchema,
  cost: callCostSchema,
  latencyMs: count(),
  timeToFirstTokenMs: count()
    .describe('streamed calls: ms from the request to the first output chunk (gen_ai.server.time_to_first_token)')
    .optional(),
  status: oneOf(INTERACTION_STATUSES),
  errorType: label(128).optional(),
  finishReasons: list(label(64), { maxItems: 16 }).optional(),
  actorRef: commitment()
    .optional()
    .describe("keyed commitment to the pseudonymous staff/end user (the recording org's app computes it)"),
  applicationId: recordId(),
  conversationId: commitment().optional().describe('keyed commitment to gen_ai.conversation.id'),
  promptCommitment: commitment(),
  outputCommitment: commitment().optional(),
  subjectRef: recordId().optional(),
  consentId: recordId().describe("the consent's qualified id ('<MSP id>:<local>')").optional(),
  purpose: purpose().optional(),
  dataCategories: list(dataCategory(), { maxItems: 32, unique: true }).optional(),
  tags: list(commitment(), { maxItems: 32, unique: true }).optional().describe('keyed commitments to tags'),
  modelArtifactId: recordId().describe("the model's qualified artifact id ('<MSP id>:<local>')").optional(),
};

/**
 * `actorRef`, `conversationId` and `tags` as the recording org's own client gives them to its app:
 * clear values, which the app replaces by keyed commitments (`referenceCommitment`) before they
 * reach the ledger.
 */
export const clearReferenceFields = {
  actorRef: recordId().optional().describe('pseudonymous staff/end user; the app stores a keyed commitment to it'),
  conversationId: recordId().optional().describe('gen_ai.conversation.id; the app stores a keyed commitment to it'),
  tags: list(label(64), { maxItems: 32, unique: true })
    .optional()
    .describe('the app stores a keyed commitment to each tag'),
};

/**
 * The fields whose rules were tightened (closed vocabularies, commitments, per-call limits) as stored
 * records hold them: records written before keep their clear values, labels and counts, and reads
 * return them as stored.
 */
const storedTightenedFields = {
  actorRef: z
    .string()
    .optional()
    .describe('keyed commitment (a record written before commitments may hold a clear id)'),
  conversationId: z
    .string()
    .optional()
    .describe('keyed commitment (a record written before commitments may hold a clear id)'),
  tags: z
    .array(z.string())
    .optional()
    .describe('keyed commitments (a record written before commitments may hold clear labels)'),
  purpose: storedVocabularyValue(PURPOSES).optional(),
  dataCategories: z.array(storedVocabularyValue(DATA_CATEGORIES)).optional(),
  usage: tokenUsage().describe('token counts (a record written before the per-call limit may hold larger ones)'),
  cost: callCost().describe('the call cost (a record written before the per-call limit may hold a larger amount)'),
};

/** The parts of an interaction the rules between fields look at. */
export interface InteractionRelationFields {
  readonly startTime: string;
  readonly endTime: string;
  readonly cost: {
    readonly status: string;
    readonly amountMinor?: number | undefined;
    readonly currency?: string | undefined;
  };
  readonly status: string;
  readonly errorType?: string | undefined;
  readonly subjectRef?: string | undefined;
  readonly consentId?: string | undefined;
  readonly purpose?: string | undefined;
}

/** The rules that relate an interaction's fields; used by every schema that carries them. */
export function checkInteractionRelations(record: InteractionRelationFields, context: z.RefinementCtx): void {
  if (Date.parse(record.endTime) < Date.parse(record.startTime))
    issueAt(context, 'endTime', 'must not be before startTime');
  if (record.cost.status === 'unpriced') {
    if (record.cost.amountMinor !== undefined)
      issueAt(context, 'cost.amountMinor', 'must be absent when cost.status is unpriced');
    if (record.cost.currency !== undefined)
      issueAt(context, 'cost.currency', 'must be absent when cost.status is unpriced');
  } else {
    if (record.cost.amountMinor === undefined)
      issueAt(context, 'cost.amountMinor', `is required when cost.status is ${record.cost.status}`);
    if (record.cost.currency === undefined)
      issueAt(context, 'cost.currency', `is required when cost.status is ${record.cost.status}`);
  }
  if (record.status === 'error' && record.errorType === undefined)
    issueAt(context, 'errorType', 'is required when status is error');
  if (record.status === 'ok' && record.errorType !== undefined)
    issueAt(context, 'errorType', 'must be absent when status is ok');
  if ((record.subjectRef !== undefined || record.consentId !== undefined) && record.purpose === undefined) {
    issueAt(context, 'purpose', 'is required with subjectRef or consentId');
  }
}

/**
 * The rules of {@link checkInteractionRelations} on the record (the cost rule sits on `cost`) as JSON
 * Schema, for the OpenAPI document: `allOf` the rules it can state, `x-rules` in words the one it
 * cannot (comparing two date-times).
 */
export const INTERACTION_RELATIONS_JSON_SCHEMA = {
  allOf: [
    {
      anyOf: [
        { properties: { status: { const: 'ok' }, errorType: false } },
        { properties: { status: { const: 'error' } }, required: ['errorType'] },
      ],
    },
    { anyOf: [{ required: ['purpose'] }, { properties: { subjectRef: false, consentId: false } }] },
  ],
  'x-rules': ['`endTime` must not be before `startTime`'],
} as const satisfies { allOf: readonly object[]; 'x-rules': readonly string[] };

/** An interaction as the chaincode takes it (`RecordInteraction`, `RecordInteractions`, `RecordBatch`). */
export const interactionInputSchema = z
  .strictObject(interactionFields)
  .superRefine(checkInteractionRelations)
  .meta(INTERACTION_RELATIONS_JSON_SCHEMA);
export type InteractionInput = z.output<typeof interactionInputSchema>;

/** The field names a client supplies: the part of a stored record idempotency compares. */
export const INTERACTION_INPUT_FIELDS = Object.keys(interactionFields) as (keyof InteractionInput)[];

export const consentVerdictSchema = z.object({
  allowed: z.boolean(),
  consentId: z.string().optional(),
  reason: z.string(),
});
/** The ledger's consent verdict for a record, taken at commit time. */
export type ConsentVerdict = z.output<typeof consentVerdictSchema>;

/** What only the ledger can say about a recorded interaction. */
export const interactionLedgerFields = {
  org: z.string().describe('recording org (MSP id), from the certificate'),
  recordedBy: z.string().describe('enrollment id of the recording identity'),
  txId: z.string(),
  txTime: z.string(),
  consentCheck: consentVerdictSchema.optional().describe("the ledger's consent verdict at commit time"),
  batchId: z
    .string()
    .optional()
    .describe('present when the record was written in a Merkle batch: the batch, whose id is its txId'),
  leafIndex: z.int().optional().describe("the record's leaf in its Merkle batch"),
};

/** An interaction as stored and returned: the input plus what only the ledger can say. */
export const storedInteractionSchema = z.object({
  ...interactionFields,
  ...storedTightenedFields,
  ...interactionLedgerFields,
});
/** A stored interaction; its vocabulary fields are plain strings, since records written before may hold any label. */
export type StoredInteraction = Omit<InteractionInput, 'purpose' | 'dataCategories'> & {
  readonly purpose?: string | undefined;
  readonly dataCategories?: string[] | undefined;
  readonly org: string;
  readonly recordedBy: string;
  readonly txId: string;
  readonly txTime: string;
  readonly consentCheck?: ConsentVerdict;
  readonly batchId?: string;
  readonly leafIndex?: number;
};

export const ANNOTATION_KINDS = ['review', 'flag', 'resolution'] as const;
export const ANNOTATION_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

/** A review or flag linked to an interaction. No free text: a note is a commitment to text kept off-chain. */
export const annotationInputSchema = z.strictObject({
  id: newRecordId('annotation id, unique per interaction,'),
  kind: oneOf(ANNOTATION_KINDS),
  severity: oneOf(ANNOTATION_SEVERITIES).optional(),
  labels: list(annotationLabel(), { maxItems: 16, unique: true }).optional(),
  noteCommitment: commitment().optional().describe('commitment to a note kept off-chain (no free text on the ledger)'),
});
export type AnnotationInput = z.output<typeof annotationInputSchema>;
export const ANNOTATION_INPUT_FIELDS = Object.keys(annotationInputSchema.shape) as (keyof AnnotationInput)[];

export const storedAnnotationSchema = z.object({
  ...annotationInputSchema.shape,
  labels: z.array(storedVocabularyValue(ANNOTATION_LABELS)).optional(),
  interactionId: z.string(),
  org: z.string(),
  annotatedBy: z.string(),
  txId: z.string(),
  txTime: z.string(),
});
export type StoredAnnotation = z.output<typeof storedAnnotationSchema>;
