import { z } from 'zod';
import { ROLES } from '../auth/role';
import { channelNameSchema, requireMemberChannel } from './channel-param';
import { ledgerPaging, pageFromLedger, pageQueryShape, pageSchema } from './paging';
import { dateTimeSchema, labelSchema, printableTextSchema, recordIdSchema } from './record-id';
import { API_BASE, defineRoute, type AnyRouteDefinition } from './route';

const commitmentSchema = z.string().regex(/^hmac-sha256:[0-9a-f]{64}$/, "must be 'hmac-sha256:' followed by 64 lowercase hex characters");

const uniqueItems = <T extends z.ZodType>(item: T, min: number, max: number) =>
  z
    .array(item)
    .min(min, `must have ${min} to ${max} items`)
    .max(max, `must have ${min} to ${max} items`)
    .refine((items) => new Set(items).size === items.length, 'must not repeat an item');

/** A consent as its controller grants it; the chaincode checks it again and adds who, when and the status. */
const consentInputSchema = z
  .strictObject({
    id: recordIdSchema.describe('consent id, chosen by the client; the idempotency key'),
    subjectRef: recordIdSchema.describe('the subject, registered with this org (POST …/subjects)'),
    grantees: uniqueItems(recordIdSchema, 1, 32).describe('MSP ids (e.g. AIProviderMSP) or application ids'),
    decision: z.enum(['permit', 'deny']),
    purposes: uniqueItems(labelSchema(64), 1, 16).describe('e.g. treatment, ai-inference, model-training, research'),
    dataCategories: uniqueItems(labelSchema(64), 0, 32).optional(),
    period: z.strictObject({ start: dateTimeSchema, end: dateTimeSchema.optional() }).refine(
      (period) => period.end === undefined || Date.parse(period.end) > Date.parse(period.start),
      { message: 'must be after period.start', path: ['end'] },
    ),
    policyCommitment: commitmentSchema.describe('commitment to the signed consent document (kept off the ledger)'),
    jurisdiction: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be an ISO 3166 code such as DE or US-CA').optional(),
    collectionMethod: labelSchema(64).optional(),
  });

const consentSchema = z
  .looseObject({
    id: z.string(),
    subjectRef: z.string(),
    grantees: z.array(z.string()),
    decision: z.enum(['permit', 'deny']),
    purposes: z.array(z.string()),
    dataCategories: z.array(z.string()).optional(),
    period: z.object({ start: z.string(), end: z.string().optional() }),
    policyCommitment: z.string(),
    jurisdiction: z.string().optional(),
    collectionMethod: z.string().optional(),
    controller: z.string().describe('MSP id of the granting org, the only one that may revoke'),
    grantedBy: z.string(),
    grantedAt: z.string(),
    txId: z.string(),
    revokedAt: z.string().optional(),
    revokedBy: z.string().optional(),
    revocationReason: z.string().optional(),
    revocationTxId: z.string().optional(),
    status: z.enum(['active', 'revoked', 'expired', 'pending']).optional().describe('derived at the time of the read'),
  })
  .describe('a consent as stored on the ledger');

const historySchema = z.object({
  records: z.array(z.looseObject({ txId: z.string(), txTime: z.string(), isDelete: z.boolean(), consent: consentSchema.nullable().optional() })),
});

const checkResultSchema = z.object({
  allowed: z.boolean(),
  consentId: z.string().optional().describe('the consent that decided'),
  reason: z.string(),
});

const fhirConsentSchema = z.looseObject({ resourceType: z.literal('Consent') }).describe('HL7 FHIR R5 Consent resource');

/**
 * Consents: hospital systems (consent-manager) grant and revoke; everyone asks whether a use is
 * allowed; readers (auditors, the controller, the grantees — the chaincode decides) read, page
 * through, see the history and export FHIR.
 */
export function consentRoutes(channels: readonly string[]): AnyRouteDefinition[] {
  const channelOnly = z.strictObject({ channel: channelNameSchema });
  const channelAndId = z.strictObject({ channel: channelNameSchema, id: recordIdSchema.describe('consent id') });
  const readers = 'The chaincode answers auditors, the controller org and grantee orgs; others get 403.';
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/consents',
      operationId: 'grantConsent',
      summary: 'Grant a consent',
      description: 'This org becomes the controller. The same id with the same content again answers the stored consent; different content is 409.',
      tag: 'consents',
      roles: ['consent-manager'],
      params: channelOnly,
      body: consentInputSchema,
      responses: { 201: { description: 'Granted (or already granted with the same content)', schema: consentSchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const submitted = await ledger.submit(channel, 'Consents:GrantConsent', [JSON.stringify(body)], { idempotent: true });
        return {
          status: 201,
          headers: { Location: `${API_BASE}/channels/${channel}/consents/${encodeURIComponent(body.id)}`, 'X-Transaction-Id': submitted.transactionId },
          body: JSON.parse(submitted.result) as unknown,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/consents/:id/revoke',
      operationId: 'revokeConsent',
      summary: 'Revoke a consent',
      description: 'Only the controller org may revoke; the revocation counts from its transaction time. Again with the same reason answers the stored consent; another reason is 409.',
      tag: 'consents',
      roles: ['consent-manager'],
      params: channelAndId,
      body: z.strictObject({ reason: printableTextSchema(256).describe('why (no personal data: the ledger is shared)') }),
      responses: { 200: { description: 'Revoked', schema: consentSchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const submitted = await ledger.submit(channel, 'Consents:RevokeConsent', [params.id, body.reason], { idempotent: true });
        return { status: 200, headers: { 'X-Transaction-Id': submitted.transactionId }, body: JSON.parse(submitted.result) as unknown };
      },
    }),
    // Before /consents/:id, which would otherwise take "check" for an id.
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/check',
      operationId: 'checkConsent',
      summary: 'Check a consent',
      description: 'Whether the subject\'s consents allow the purpose for the grantee at a time (default: now). A matching active deny wins over any permit.',
      tag: 'consents',
      roles: ROLES,
      params: channelOnly,
      query: z.strictObject({
        subjectRef: recordIdSchema,
        purpose: labelSchema(64),
        grantee: recordIdSchema.describe('MSP id or application id that wants to use the data'),
        at: dateTimeSchema.optional().describe('the moment to judge (default: the time of the query)'),
      }),
      responses: { 200: { description: 'The verdict', schema: checkResultSchema } },
      refusals: [404, 422],
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const result = await ledger.evaluate(channel, 'Consents:CheckConsent', [query.subjectRef, query.purpose, query.grantee, query.at ?? '']);
        return { status: 200, body: JSON.parse(result) as unknown };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents',
      operationId: 'queryConsents',
      summary: 'Query consents',
      description: `By subject, grantee or purpose, in consent-id order, optionally only those in a status. ${readers} Consents the caller may not read are left out, so a page may hold fewer than pageSize while nextCursor continues.`,
      tag: 'consents',
      roles: ROLES,
      params: channelOnly,
      query: z.strictObject({
        by: z.enum(['subjectRef', 'grantee', 'purpose']),
        value: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters'),
        status: z.enum(['active', 'revoked', 'expired', 'pending']).optional(),
        ...pageQueryShape,
      }),
      responses: { 200: { description: 'A page of consents', schema: pageSchema(consentSchema) } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const filter = { by: query.by, value: query.value, ...(query.status === undefined ? {} : { status: query.status }), ...ledgerPaging(query) };
        return { status: 200, body: pageFromLedger(await ledger.evaluate(channel, 'Consents:QueryConsents', [JSON.stringify(filter)])) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id',
      operationId: 'getConsent',
      summary: 'Read a consent',
      description: `With its status derived now. ${readers}`,
      tag: 'consents',
      roles: ROLES,
      params: channelAndId,
      responses: { 200: { description: 'The consent', schema: consentSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: JSON.parse(await ledger.evaluate(channel, 'Consents:GetConsent', [params.id])) as unknown };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id/history',
      operationId: 'getConsentHistory',
      summary: 'Read a consent\'s history',
      description: `Every version the ledger holds (grant, revocation), newest first. ${readers}`,
      tag: 'consents',
      roles: ROLES,
      params: channelAndId,
      responses: { 200: { description: 'The history', schema: historySchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: JSON.parse(await ledger.evaluate(channel, 'Consents:GetConsentHistory', [params.id])) as unknown };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id/fhir',
      operationId: 'exportConsentFhir',
      summary: 'Export a consent as FHIR',
      description: `HL7 FHIR R5 Consent resource (application/fhir+json). ${readers}`,
      tag: 'consents',
      roles: ROLES,
      params: channelAndId,
      responses: { 200: { description: 'The FHIR resource', schema: fhirConsentSchema, contentType: 'application/fhir+json' } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const resource = JSON.parse(await ledger.evaluate(channel, 'Consents:ExportConsentFHIR', [params.id])) as unknown;
        return { status: 200, headers: { 'Content-Type': 'application/fhir+json; charset=utf-8' }, body: resource };
      },
    }),
  ];
}
