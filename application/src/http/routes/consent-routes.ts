import { consentInputSchema, TRANSACTIONS, TRANSACTION_ROLES } from '@aal/ledger-contract';
import {
  checkConsent,
  exportConsentFhir,
  getConsent,
  getConsentHistory,
  grantConsent,
  queryConsents,
  revokeConsent,
} from '../../consents/consent-ledger';
import { ReadTally } from '../../audit-log/read-tally';
import { API_BASE, defineRoute, type AnyRouteDefinition } from '../route';
import { channelParams, channelRecordParams, requireMemberChannel } from '../schemas/channel';
import {
  consentCheckQuerySchema,
  consentCheckSchema,
  consentHistorySchema,
  consentQuerySchema,
  consentResponseSchema,
  fhirConsentSchema,
  revokeConsentRequestSchema,
} from '../schemas/consent';
import { apiPage, ledgerPaging, pageSchema } from '../schemas/paging';

/**
 * A FHIR Consent names its controller org and its subject by identifier (`controller[].identifier`,
 * `subject.identifier`), not in the fields the auditor-read log counts records by: it is one
 * consent of the controller, about the subject.
 */
function fhirConsentRead(resource: unknown): ReadTally {
  const tally = new ReadTally();
  const valueOf = (reference: unknown): unknown =>
    (reference as { identifier?: { value?: unknown } } | null)?.identifier?.value;
  const fhir = resource as { controller?: unknown; subject?: unknown };
  for (const controller of Array.isArray(fhir.controller) ? (fhir.controller as unknown[]) : []) {
    const owner = valueOf(controller);
    if (typeof owner === 'string') tally.owner(owner);
  }
  const subjectRef = valueOf(fhir.subject);
  if (typeof subjectRef === 'string') tally.subject(subjectRef);
  return tally;
}

/**
 * Consents: hospital systems (consent-manager) grant and revoke; everyone asks whether a use is
 * allowed; readers (auditors, the controller, the grantees — the chaincode decides) read, page
 * through, see the history and export FHIR.
 */
export function consentRoutes(channels: readonly string[]): AnyRouteDefinition[] {
  const channelAndId = channelRecordParams('consent id');
  const readers = 'The chaincode answers auditors, the controller org and grantee orgs; others get 403.';
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/consents',
      operationId: 'grantConsent',
      summary: 'Grant a consent',
      description:
        'This org becomes the controller. The same id with the same content again answers the stored consent; different content is 409.',
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.grantConsent],
      params: channelParams,
      body: consentInputSchema,
      responses: {
        201: { description: 'Granted (or already granted with the same content)', schema: consentResponseSchema },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const granted = await grantConsent(ledger, channel, body);
        return {
          status: 201,
          headers: {
            Location: `${API_BASE}/channels/${channel}/consents/${encodeURIComponent(body.id)}`,
            'X-Transaction-Id': granted.transactionId,
          },
          body: granted.record,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/consents/:id/revoke',
      operationId: 'revokeConsent',
      summary: 'Revoke a consent',
      description:
        'Only the controller org may revoke; the revocation counts from its transaction time. Again with the same reason answers the stored consent; another reason is 409.',
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.revokeConsent],
      params: channelAndId,
      body: revokeConsentRequestSchema,
      responses: { 200: { description: 'Revoked', schema: consentResponseSchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const revoked = await revokeConsent(ledger, channel, params.id, body.reason);
        return { status: 200, headers: { 'X-Transaction-Id': revoked.transactionId }, body: revoked.record };
      },
    }),
    // Before /consents/:id, which would otherwise take "check" for an id.
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/check',
      operationId: 'checkConsent',
      summary: 'Check a consent',
      description:
        "Whether the subject's consents allow the purpose for the grantee at a time (default: now). A matching active deny wins over any permit.",
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.checkConsent],
      params: channelParams,
      query: consentCheckQuerySchema,
      responses: { 200: { description: 'The verdict', schema: consentCheckSchema } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await checkConsent(ledger, channel, query) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents',
      operationId: 'queryConsents',
      summary: 'Query consents',
      description: `By subject, grantee or purpose, in consent-id order, optionally only those in a status. ${readers} Consents the caller may not read are left out, so a page may hold fewer than pageSize while nextCursor continues.`,
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.queryConsents],
      params: channelParams,
      query: consentQuerySchema,
      responses: { 200: { description: 'A page of consents', schema: pageSchema(consentResponseSchema) } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const filter = {
          by: query.by,
          value: query.value,
          ...(query.status === undefined ? {} : { status: query.status }),
          ...ledgerPaging(query),
        };
        return { status: 200, body: apiPage(await queryConsents(ledger, channel, filter)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id',
      operationId: 'getConsent',
      summary: 'Read a consent',
      description: `With its status derived now. ${readers}`,
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getConsent],
      params: channelAndId,
      responses: { 200: { description: 'The consent', schema: consentResponseSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await getConsent(ledger, channel, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id/history',
      operationId: 'getConsentHistory',
      summary: "Read a consent's history",
      description: `Every version the ledger holds (grant, revocation), newest first. ${readers}`,
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getConsentHistory],
      params: channelAndId,
      responses: { 200: { description: 'The history', schema: consentHistorySchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await getConsentHistory(ledger, channel, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id/fhir',
      operationId: 'exportConsentFhir',
      summary: 'Export a consent as FHIR',
      description: `HL7 FHIR R5 Consent resource (application/fhir+json). ${readers}`,
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.exportConsentFhir],
      params: channelAndId,
      responses: {
        200: { description: 'The FHIR resource', schema: fhirConsentSchema, contentType: 'application/fhir+json' },
      },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const resource = await exportConsentFhir(ledger, channel, params.id);
        return {
          status: 200,
          headers: { 'Content-Type': 'application/fhir+json; charset=utf-8' },
          body: resource,
          read: fhirConsentRead(resource),
        };
      },
    }),
  ];
}
