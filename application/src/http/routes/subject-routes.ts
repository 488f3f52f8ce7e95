import { z } from 'zod';
import {
  erasureReceiptSchema,
  recordId,
  subjectIdentifier,
  TRANSACTIONS,
  TRANSACTION_ROLES,
} from '@aal/ledger-contract';
import type { SubjectKeys } from '../../subjects/subject-keys';
import type { SubjectRegistry } from '../../subjects/subject-registry';
import { channelNameSchema, channelParams, requireMemberChannel } from '../schemas/channel';
import { API_BASE, BLOCK_NUMBER_HEADER, defineRoute, type AnyRouteDefinition } from '../route';

const identifierBody = z.strictObject({
  identifier: subjectIdentifier().describe(
    "the person's identifier in this org (e.g. a medical record number); stays in this org",
  ),
});

const subjectRefSchema = z.string().describe('random pseudonym of the person, used on the shared ledger');

const receiptSchema = erasureReceiptSchema.describe(
  "public erasure receipt, checked by other orgs' peers before they endorsed it",
);

/**
 * Subjects: the org's private mapping from a person's identifier to a pseudonymous `subjectRef`,
 * and erasure. Identifiers travel only in request bodies (never in a URL or access log) and, from
 * here, only in the transient map to the org's own peers.
 */
export function subjectRoutes(
  channels: readonly string[],
  registry: SubjectRegistry,
  keys: SubjectKeys,
): AnyRouteDefinition[] {
  const channelAndSubject = z.strictObject({
    channel: channelNameSchema,
    subjectRef: recordId().describe("the subject's pseudonym"),
  });
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/subjects',
      operationId: 'registerSubject',
      summary: 'Register a subject',
      description:
        "Maps an identifier to a new random subjectRef and subject key in this org's private collection (endorsed by this org only). Idempotent: an identifier already registered answers its existing subjectRef with created false.",
      tag: 'subjects',
      roles: TRANSACTION_ROLES[TRANSACTIONS.registerSubject],
      params: channelParams,
      body: identifierBody,
      links: {
        201: {
          getSubjectStatus: {
            operationId: 'getSubjectStatus',
            parameters: { channel: '$request.path.channel', subjectRef: '$response.body#/subjectRef' },
          },
        },
        200: {
          getSubjectStatus: {
            operationId: 'getSubjectStatus',
            parameters: { channel: '$request.path.channel', subjectRef: '$response.body#/subjectRef' },
          },
        },
      },
      responses: {
        201: {
          description: 'Registered now',
          schema: z.object({ subjectRef: subjectRefSchema, created: z.literal(true) }),
        },
        200: {
          description: 'Already registered: the existing subjectRef',
          schema: z.object({ subjectRef: subjectRefSchema, created: z.literal(false) }),
        },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const answer = await registry.register(ledger, channel, body.identifier);
        return { status: answer.created ? 201 : 200, body: { subjectRef: answer.subjectRef, created: answer.created } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/subjects/lookup',
      operationId: 'lookUpSubject',
      summary: 'Look up a subject',
      description:
        'The subjectRef registered for an identifier in this org. POST so that the identifier is never part of a URL.',
      tag: 'subjects',
      roles: TRANSACTION_ROLES[TRANSACTIONS.lookupSubject],
      params: channelParams,
      body: identifierBody,
      responses: {
        200: { description: "The subject's pseudonym", schema: z.object({ subjectRef: subjectRefSchema }) },
      },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: { subjectRef: await registry.lookup(ledger, channel, body.identifier) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/channels/:channel/subjects/:subjectRef',
      operationId: 'eraseSubject',
      summary: 'Erase a subject',
      description:
        "Purges the identifier mapping and the subject key from this org's private collection (crypto-shredding: every commitment of the subject becomes unverifiable), then records the public erasure receipt once the other orgs' peers see the purge. Repeating it answers the same receipt. `X-Block-Number` names the block of the receipt transaction (pass it as `minBlock` to read the erasure back from the audit index).",
      tag: 'subjects',
      roles: TRANSACTION_ROLES[TRANSACTIONS.eraseSubject],
      params: channelAndSubject,
      responses: { 200: { description: 'Erased: the receipt', schema: receiptSchema } },
      refusals: [404, 409, 422],
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const erased = await registry.erase(ledger, channel, params.subjectRef);
        return {
          status: 200,
          headers: {
            'Content-Location': `${API_BASE}/channels/${channel}/subjects/${encodeURIComponent(params.subjectRef)}/erasure`,
            [BLOCK_NUMBER_HEADER]: String(erased.blockNumber),
          },
          body: erased.record,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/subjects/:subjectRef',
      operationId: 'getSubjectStatus',
      summary: "Read a subject's status",
      description:
        "Whether this org holds the subject's key (registered) or destroyed it (erased). The key itself is never answered.",
      tag: 'subjects',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getSubjectKey],
      params: channelAndSubject,
      responses: {
        200: {
          description: 'The status',
          schema: z.object({ subjectRef: subjectRefSchema, status: z.enum(['registered', 'erased']) }),
        },
      },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const key = await keys.subjectKey(ledger, channel, params.subjectRef);
        return {
          status: 200,
          body: { subjectRef: params.subjectRef, status: key.state === 'active' ? 'registered' : 'erased' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/subjects/:subjectRef/erasure',
      operationId: 'getErasureReceipt',
      summary: 'Read an erasure receipt',
      tag: 'subjects',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getErasureReceipt],
      params: channelAndSubject,
      responses: { 200: { description: 'The receipt', schema: receiptSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await registry.receipt(ledger, channel, params.subjectRef) };
      },
    }),
  ];
}
