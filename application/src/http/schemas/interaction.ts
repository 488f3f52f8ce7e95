import {
  LIMITS,
  INTERACTION_RELATIONS_JSON_SCHEMA,
  checkInteractionRelations,
  clearReferenceFields,
  codePointLength,
  interactionFields,
  issueAt,
  nfcKeyCollisionOf,
  storedInteractionSchema,
  type Content,
} from '@aal/ledger-contract';
import { z } from 'zod';

/**
 * Request and response schemas of the interaction routes. A record's fields and the rules between
 * them are the contract's (the chaincode validates with the same definitions); what the app adds is
 * content: a client gives `prompt` / `output` as text or chat messages, which the app commits to and
 * drops, instead of the commitments.
 */

/** One chat message: a role plus whatever else the provider's message format carries. */
const chatMessageSchema = z
  .object({
    role: z
      .string()
      .min(1, 'must not be empty')
      // Code points, as the document's maxLength counts them.
      .refine((role) => codePointLength(role) <= 64, 'must be at most 64 characters')
      .meta({ maxLength: 64 }),
  })
  .catchall(z.unknown());

/**
 * Prompt or output content: text, or a list of chat messages. Committed by the app, never stored or
 * logged. Messages with an object holding two keys equal after Unicode NFC are refused: they have
 * no canonical form (canonicalContent would merge the keys, giving two contents one commitment).
 */
export const contentSchema = z
  .union([z.string(), z.array(chatMessageSchema).min(1, 'must hold at least one message')])
  // The body was parsed from JSON text, so the messages' other fields are JSON values.
  .transform((content): Content => content as Content)
  .superRefine((content, context) => {
    const collision = typeof content === 'string' ? undefined : nfcKeyCollisionOf(content);
    if (collision !== undefined)
      context.addIssue({
        code: 'custom',
        path: [...collision.path],
        message: `holds the key ${JSON.stringify(collision.key)} twice after Unicode NFC normalisation (NFC and NFD spellings of one key): give each key once`,
      });
  })
  .describe(
    'text, or chat messages ({ role, … }); the app commits to it and discards it. No object in the messages may hold two keys that are equal after Unicode NFC normalisation.',
  );

/**
 * An interaction as a client records it: the contract's fields, with content or commitments (exactly
 * one per field), and clear `actorRef` / `conversationId` / `tags`, which the app commits to with the
 * org's key.
 */
export const interactionRequestSchema = z
  .strictObject({
    ...interactionFields,
    ...clearReferenceFields,
    promptCommitment: interactionFields.promptCommitment.optional(),
    prompt: contentSchema.optional(),
    output: contentSchema.optional(),
  })
  .superRefine((record, context) => {
    checkInteractionRelations(record, context);
    if ((record.prompt === undefined) === (record.promptCommitment === undefined))
      issueAt(context, 'prompt', 'give exactly one of prompt and promptCommitment');
    if (record.output !== undefined && record.outputCommitment !== undefined)
      issueAt(context, 'output', 'give at most one of output and outputCommitment');
  })
  .meta({
    allOf: [
      ...INTERACTION_RELATIONS_JSON_SCHEMA.allOf,
      {
        anyOf: [
          { required: ['prompt'], properties: { promptCommitment: false } },
          { required: ['promptCommitment'], properties: { prompt: false } },
        ],
      },
      { anyOf: [{ properties: { output: false } }, { properties: { outputCommitment: false } }] },
    ],
    'x-rules': [...INTERACTION_RELATIONS_JSON_SCHEMA['x-rules']],
  });
export type InteractionRequest = z.output<typeof interactionRequestSchema>;

/** `records` of a batch request, bounded by the transaction's limit in the contract. */
export function recordsOf(maxRecords: number) {
  return (
    z
      .array(interactionRequestSchema)
      .min(1, 'must hold at least one record')
      .max(maxRecords, `must hold at most ${maxRecords} records`)
      // The chaincode refuses these too, but its refusal names every duplicate: over gRPC's
      // trailer size for a large batch, which resets the connection (issue 15's fuzzer found it).
      .superRefine((records, context) => {
        const first = new Map<string, number>();
        records.forEach((record, index) => {
          const earlier = first.get(record.id);
          if (earlier === undefined) first.set(record.id, index);
          else context.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicates [${earlier}].id` });
        });
      })
      .meta({ 'x-rules': [UNIQUE_RECORD_IDS_RULE] })
  );
}

/** The rule between a batch's records, in words for the OpenAPI document. */
export const UNIQUE_RECORD_IDS_RULE = 'each of `records[].id` appears once in the request';

/** `Interactions:RecordInteractions`: one transaction, all or nothing. */
export const interactionBatchRequestSchema = z.strictObject({ records: recordsOf(LIMITS.interactionBatchRecords) });

export const recordedInteractionSchema = z.object({
  interaction: storedInteractionSchema,
  transactionId: z.string().optional().describe('present when this request wrote the record'),
  blockNumber: z.string().optional().describe('decimal block number; present when this request wrote the record'),
});

export const recordedInteractionBatchSchema = z.object({
  records: z.array(storedInteractionSchema),
  created: z.array(z.string()).describe('ids this request wrote; the others already existed with the same content'),
  transactionId: z.string(),
  blockNumber: z.string(),
});

export const contentVerdictSchema = z.enum(['match', 'mismatch', 'erased', 'not-recorded']);

export const verifyContentRequestSchema = z
  .strictObject({
    prompt: contentSchema.optional(),
    output: contentSchema.optional(),
    salt: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
      .optional()
      .describe("the record's disclosed salt; without it the recording org's app derives it from its keys"),
  })
  .refine((body) => body.prompt !== undefined || body.output !== undefined, {
    message: 'give prompt, output or both',
    path: ['prompt'],
  })
  .meta({ anyOf: [{ required: ['prompt'] }, { required: ['output'] }] });

export const contentVerificationSchema = z.object({
  interactionId: z.string(),
  prompt: contentVerdictSchema.optional(),
  output: contentVerdictSchema.optional(),
});

export const saltDisclosureSchema = z.object({
  interactionId: z.string(),
  salt: z.string().describe('HMAC-SHA256(key, interaction id) as 64 hex: verifies this record and no other'),
  derivedFrom: z.enum(['subject-key', 'org-content-key']),
  promptCommitment: z.string(),
  outputCommitment: z.string().optional(),
});
