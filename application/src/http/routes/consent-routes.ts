import { consentInputSchema, DEFAULT_PAGE_SIZE, TRANSACTIONS, TRANSACTION_ROLES } from '@aal/ledger-contract';
import { z } from 'zod';
import type { AuditIndex } from '../../audit-index/audit-index';
import { decodeIndexCursor } from '../../audit-index/index-cursor';
import { consentHistory, consentPage, type ConsentReadScope } from '../../audit-index/index-queries';
import { indexHeight, minBlockQuery, readScopeOf } from '../../audit-index/index-reads';
import {
  checkConsent,
  exportConsentFhir,
  getConsent,
  grantConsent,
  revokeConsent,
} from '../../consents/consent-ledger';
import { ReadTally } from '../../audit-log/read-tally';
import { API_BASE, BLOCK_NUMBER_HEADER, defineRoute, type AnyRouteDefinition } from '../route';
import { channelParams, channelRecordParams, requireMemberChannel } from '../schemas/channel';
import { BARE_ID_RULE, OwnRecordIds } from '../../records/own-record-ids';
import {
  consentCheckQuerySchema,
  consentCheckSchema,
  consentHistorySchema,
  consentQuerySchema,
  consentResponseSchema,
  fhirConsentSchema,
  revokeConsentRequestSchema,
} from '../schemas/consent';
import { asOfBlockSchema, INDEX_PAGING_RULE, indexPageBody, indexPageSchema } from '../schemas/index-page';
import { HttpProblem } from '../problem';

/** The sort key in an index cursor of consents: the consent id. */
const CONSENT_CURSOR = z.tuple([z.string()]);

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
export function consentRoutes(deps: {
  readonly channels: readonly string[];
  readonly mspId: string;
  readonly auditIndex: AuditIndex;
  /** The orgs whose auditors read every org's consents (AAL_AUDITOR_ORGS, as the chaincode's). */
  readonly auditorOrgs: ReadonlySet<string>;
}): AnyRouteDefinition[] {
  const { channels, mspId, auditIndex, auditorOrgs } = deps;
  const ids = new OwnRecordIds(mspId);
  const channelAndId = channelRecordParams(`consent id; ${BARE_ID_RULE}`);
  const readers = 'The chaincode answers auditors, the controller org and grantee orgs; others get 403.';
  const indexReaders =
    "As the chaincode's rule: auditors of an auditor org read every consent, other callers those their org controls or is a grantee of.";
  /** The consents a caller reads from the index, at the height it has reached `minBlock`. */
  const consentScope = async (
    channel: string,
    role: Parameters<typeof readScopeOf>[0],
    minBlock: number | undefined,
  ): Promise<ConsentReadScope> => {
    const scope = readScopeOf(role, mspId, auditorOrgs);
    const atBlock = await indexHeight(auditIndex, channel, minBlock);
    return { channel, atBlock, ...(scope.everything ? {} : { readerOrg: mspId }) };
  };
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/consents',
      operationId: 'grantConsent',
      summary: 'Grant a consent',
      description:
        'This org becomes the controller. The same id with the same content again answers the stored consent; different content is 409. ' +
        BARE_ID_RULE +
        ' The answer (and Location) carry the qualified id.',
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.grantConsent],
      params: channelParams,
      body: consentInputSchema,
      links: {
        201: {
          getConsent: {
            operationId: 'getConsent',
            parameters: { channel: '$request.path.channel', id: '$request.body#/id' },
          },
        },
      },
      responses: {
        201: { description: 'Granted (or already granted with the same content)', schema: consentResponseSchema },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const consent = { ...body, id: ids.id(body.id) };
        const granted = await grantConsent(ledger, channel, consent);
        return {
          status: 201,
          headers: {
            Location: `${API_BASE}/channels/${channel}/consents/${encodeURIComponent(consent.id)}`,
            'X-Transaction-Id': granted.transactionId,
            [BLOCK_NUMBER_HEADER]: String(granted.blockNumber),
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
        const revoked = await revokeConsent(ledger, channel, ids.id(params.id), body.reason);
        return {
          status: 200,
          headers: { 'X-Transaction-Id': revoked.transactionId, [BLOCK_NUMBER_HEADER]: String(revoked.blockNumber) },
          body: revoked.record,
        };
      },
    }),
    // Before /consents/:id, which would otherwise take "check" for an id.
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/check',
      operationId: 'checkConsent',
      summary: 'Check a consent',
      description:
        "Whether the subject's consents allow the purpose for the grantee at a time (default: now). A matching active deny wins over any permit. The ledger answers only the configured auditor orgs' auditors, the org that owns the subject (its namespace), and an org asking for itself (grantee its MSP id or `<MSP id>:<applicationId>`); anyone else gets 403, whether the subject exists or not.",
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
      description: `By subject, grantee or purpose, in consent-id order, optionally only those in a status (derived at the time of the read from the consent as of asOfBlock). ${indexReaders} A page may hold fewer than pageSize (status filter) while nextCursor continues. ${INDEX_PAGING_RULE}`,
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.queryConsents],
      params: channelParams,
      query: consentQuerySchema.extend({ minBlock: minBlockQuery }),
      responses: { 200: { description: 'A page of consents', schema: indexPageSchema(consentResponseSchema) } },
      refusals: [404, 422, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller }) {
        const channel = requireMemberChannel(params.channel, channels);
        const scope = await consentScope(channel, caller.role, query.minBlock);
        const after = query.cursor === undefined ? undefined : decodeIndexCursor(query.cursor, CONSENT_CURSOR)[0];
        const page = await consentPage(
          auditIndex.store.db,
          scope,
          { by: query.by, value: query.value, ...(query.status === undefined ? {} : { status: query.status }) },
          new Date().toISOString(),
          query.pageSize ?? DEFAULT_PAGE_SIZE,
          after,
        );
        return { status: 200, body: indexPageBody(page, scope.atBlock) };
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
        return { status: 200, body: await getConsent(ledger, channel, ids.id(params.id)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/consents/:id/history',
      operationId: 'getConsentHistory',
      summary: "Read a consent's history",
      description: `Every version the ledger holds (grant, revocation) up to asOfBlock, newest first, each with its transaction and block. ${indexReaders} Others get 403; a consent not in the index at that height is 404. Answered from this org's audit index; \`minBlock\` waits for a height (up to 10 s, then 503).`,
      tag: 'consents',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getConsentHistory],
      params: channelAndId,
      query: z.strictObject({ minBlock: minBlockQuery }),
      responses: {
        200: { description: 'The history', schema: consentHistorySchema.extend({ asOfBlock: asOfBlockSchema }) },
      },
      refusals: [403, 404, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller }) {
        const channel = requireMemberChannel(params.channel, channels);
        const scope = await consentScope(channel, caller.role, query.minBlock);
        const history = await consentHistory(auditIndex.store.db, scope, ids.id(params.id));
        if (history === undefined)
          throw new HttpProblem(
            404,
            'Not found',
            `consent ${ids.id(params.id)} does not exist (as of block ${scope.atBlock})`,
          );
        if (!history.readable)
          throw new HttpProblem(403, 'Forbidden', `access denied: ${mspId} may not read consent ${ids.id(params.id)}`);
        return { status: 200, body: { records: history.versions, asOfBlock: String(scope.atBlock) } };
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
        const resource = await exportConsentFhir(ledger, channel, ids.id(params.id));
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
