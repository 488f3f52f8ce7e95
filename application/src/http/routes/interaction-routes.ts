import {
  LIMITS,
  annotationInputSchema,
  recordSalt,
  storedAnnotationSchema,
  storedInteractionSchema,
  type StoredInteraction,
  TRANSACTIONS,
  TRANSACTION_ROLES,
} from '@aal/ledger-contract';
import { z } from 'zod';
import type { AuditIndex } from '../../audit-index/audit-index';
import { interactionPage } from '../../audit-index/index-queries';
import { verifyRecordContent } from '../../commitments/record-content';
import {
  annotateInteraction,
  getAnnotations,
  getInteraction,
  recordInteraction,
  recordInteractions,
} from '../../interactions/interaction-ledger';
import type { IndexedInteraction } from '../../interactions/vouched-interaction';
import { BARE_ID_RULE, OwnRecordIds } from '../../records/own-record-ids';
import type { SubjectKeys } from '../../subjects/subject-keys';
import { HttpProblem } from '../problem';
import { API_BASE, defineRoute, type AnyRouteDefinition } from '../route';
import { channelParams, channelRecordParams, requireMemberChannel } from '../schemas/channel';
import {
  contentVerificationSchema,
  interactionBatchRequestSchema,
  interactionRequestSchema,
  recordedInteractionBatchSchema,
  recordedInteractionSchema,
  saltDisclosureSchema,
  verifyContentRequestSchema,
} from '../schemas/interaction';
import { indexInteractionQuerySchema } from '../schemas/interaction-query';
import { INDEX_PAGING_RULE, indexPageSchema } from '../schemas/index-page';
import { indexQueryPage } from './index-query-page';
import { committedRequestRecords, keyOfStoredRecord } from './content-commitment';

/** What the interaction routes need besides the caller's ledger client. */
export interface InteractionRouteDeps {
  readonly channels: readonly string[];
  /** This org's MSP id: only the recording org holds a record's keys. */
  readonly mspId: string;
  readonly subjectKeys: SubjectKeys;
  readonly auditIndex: AuditIndex;
  /** The orgs whose auditors read every org's records (AAL_AUDITOR_ORGS, as the chaincode's). */
  readonly auditorOrgs: ReadonlySet<string>;
}

const interactionParams = channelRecordParams('interaction id');

/** True when the ledger's answer is a record this request wrote (a repeat answers the earlier transaction's record). */
function writtenBy(record: { readonly txId?: unknown }, transactionId: string): boolean {
  return record.txId === transactionId;
}

/**
 * Interactions (docs/api.md): record (single, batch), read, query, annotate, verify content against
 * the commitments, and disclose one record's salt. Content (prompt, output) is committed here with
 * the record's key and dropped: it never reaches the ledger or a log line.
 */
export function interactionRoutes(deps: InteractionRouteDeps): AnyRouteDefinition[] {
  const { channels, mspId, subjectKeys, auditIndex, auditorOrgs } = deps;
  // Point reads of batched records take the record from the index when it hashes to the ledger's leaf.
  const indexedInteraction: IndexedInteraction = (channel, id) => auditIndex.store.interactionJson(channel, id);
  const ids = new OwnRecordIds(mspId);
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/interactions',
      operationId: 'recordInteraction',
      summary: 'Record an interaction',
      description:
        "Give `prompt` (and optionally `output`) as text or chat messages: the app commits to them with the record's salt and discards them. " +
        'Or give `promptCommitment` / `outputCommitment` computed the same way (exactly one of the two per field). ' +
        'Write-once by id: the same record again answers 200 with the stored record, different content 409. ' +
        'Concurrent requests are gathered into one Merkle batch (Batches:RecordBatch; AAL_INTERACTION_BATCH_*): the answer comes after it commits, `transactionId` is the shared one, and the record carries its `batchId` and `leafIndex` (proof: GET …/batched-interactions/{id}/proof). ' +
        BARE_ID_RULE +
        ' The answer carries the qualified id.',
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.recordInteraction],
      params: channelParams,
      body: interactionRequestSchema,
      links: {
        201: {
          getInteraction: {
            operationId: 'getInteraction',
            parameters: { channel: '$request.path.channel', id: '$request.body#/id' },
          },
        },
        200: {
          getInteraction: {
            operationId: 'getInteraction',
            parameters: { channel: '$request.path.channel', id: '$request.body#/id' },
          },
        },
      },
      responses: {
        201: { description: 'Recorded', schema: recordedInteractionSchema },
        200: { description: 'Already recorded with the same content', schema: recordedInteractionSchema },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        // Qualified before committing: the record's salt is derived from its (qualified) id.
        const [record] = await committedRequestRecords(subjectKeys, ledger, channel, [ids.interaction(body)], false);
        const written = await recordInteraction(ledger, channel, record ?? {});
        const stored = written.records[0] as StoredInteraction;
        if (!writtenBy(stored, written.transactionId)) return { status: 200, body: { interaction: stored } };
        return {
          status: 201,
          headers: { Location: `${API_BASE}/channels/${channel}/interactions/${encodeURIComponent(stored.id)}` },
          body: {
            interaction: stored,
            transactionId: written.transactionId,
            blockNumber: written.blockNumber.toString(),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/interactions/batch',
      operationId: 'recordInteractionBatch',
      summary: 'Record a batch of interactions',
      description: `Up to ${LIMITS.interactionBatchRecords} records in one transaction, all or nothing; each as in recordInteraction. 201 when any record is new, 200 when all already existed. ${BARE_ID_RULE}`,
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.recordInteractions],
      params: channelParams,
      body: interactionBatchRequestSchema,
      responses: {
        201: { description: 'Recorded', schema: recordedInteractionBatchSchema },
        200: {
          description: 'Every record already existed with the same content',
          schema: recordedInteractionBatchSchema,
        },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const records = await committedRequestRecords(
          subjectKeys,
          ledger,
          channel,
          body.records.map((record) => ids.interaction(record)),
          true,
        );
        const written = await recordInteractions(ledger, channel, records);
        const created = written.records
          .filter((record) => writtenBy(record, written.transactionId))
          .map((record) => record.id);
        return {
          status: created.length > 0 ? 201 : 200,
          body: {
            records: written.records,
            created,
            transactionId: written.transactionId,
            blockNumber: written.blockNumber.toString(),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/interactions/:id',
      operationId: 'getInteraction',
      summary: 'Read an interaction',
      description: `Auditors read every org's records; other roles their own org's only (others are 404). The record is checked against its recording transaction on the org's own peer before it is answered: a batched record must hash to the leaf the ledger holds for it (taken from the org's audit index when it holds the record, else from the transaction's arguments, where it must also match the batch root), any other must be what the transaction wrote (502 otherwise). ${BARE_ID_RULE}`,
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getInteraction],
      params: interactionParams,
      responses: {
        200: { description: 'The interaction as stored', schema: z.object({ interaction: storedInteractionSchema }) },
      },
      refusals: [404, 502],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return {
          status: 200,
          body: { interaction: await getInteraction(ledger, channel, ids.id(params.id), indexedInteraction) },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/interactions',
      operationId: 'queryInteractions',
      summary: 'Query interactions',
      description:
        "One access path (`by` + `value`) and an optional txTime range, by txTime then id, paged; every committed record whatever its write path (single, gathered or in a Merkle batch, with `batchId`/`leafIndex`). Non-auditors see their own org's records only (`by=org` with another org is 403). " +
        INDEX_PAGING_RULE,
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.queryInteractions],
      params: channelParams,
      query: indexInteractionQuerySchema,
      responses: {
        200: { description: 'A page of interactions', schema: indexPageSchema(storedInteractionSchema) },
      },
      refusals: [403, 404, 422, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const body = await indexQueryPage(
          { auditIndex, mspId, auditorOrgs, ids, subjectKeys },
          { ledger, channel, role: caller.role, query },
          interactionPage,
        );
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/interactions/:id/annotations',
      operationId: 'annotateInteraction',
      summary: 'Annotate an interaction',
      description:
        "A review, flag or resolution of one of the org's own interactions; a note is a commitment, never free text. Write-once by annotation id. " +
        BARE_ID_RULE,
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.annotateInteraction],
      params: interactionParams,
      body: annotationInputSchema,
      responses: {
        201: {
          description: 'Annotated',
          schema: z.object({ annotation: storedAnnotationSchema, transactionId: z.string(), blockNumber: z.string() }),
        },
        200: {
          description: 'Already annotated with the same content',
          schema: z.object({ annotation: storedAnnotationSchema }),
        },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const written = await annotateInteraction(ledger, channel, ids.id(params.id), { ...body, id: ids.id(body.id) });
        const annotation = written.annotation as { txId?: unknown };
        if (!writtenBy(annotation, written.transactionId)) return { status: 200, body: { annotation } };
        return {
          status: 201,
          body: { annotation, transactionId: written.transactionId, blockNumber: written.blockNumber.toString() },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/interactions/:id/annotations',
      operationId: 'getInteractionAnnotations',
      summary: "Read an interaction's annotations",
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getAnnotations],
      params: interactionParams,
      responses: {
        200: {
          description: 'Annotations, oldest first',
          schema: z.object({ annotations: z.array(storedAnnotationSchema) }),
        },
      },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: { annotations: await getAnnotations(ledger, channel, ids.id(params.id)) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/interactions/:id/verify',
      operationId: 'verifyInteractionContent',
      summary: 'Verify content against an interaction',
      description:
        "Recomputes the commitments of the presented prompt/output and compares them with the record's: per field `match`, `mismatch`, " +
        "`erased` (the subject's key was destroyed) or `not-recorded` (the record has no commitment for it). The recording org's app " +
        'derives the salt from its keys; any app verifies with a salt the recording org disclosed. The content is not stored or logged.',
      tag: 'interactions',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getInteraction],
      params: interactionParams,
      body: verifyContentRequestSchema,
      responses: {
        200: {
          description: 'The verdict per presented field',
          schema: contentVerificationSchema,
        },
      },
      refusals: [404, 422, 502],
      recordsAuditorRead: true,
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const record = await getInteraction(ledger, channel, ids.id(params.id));
        let salt: Buffer | 'erased';
        if (body.salt !== undefined) salt = Buffer.from(body.salt, 'hex');
        else {
          if (record.org !== mspId) {
            throw new HttpProblem(
              422,
              'Salt required',
              `the record was made by ${record.org}, whose keys this org does not hold: verify at that org's app, or send the salt it disclosed`,
              {
                errors: [{ field: 'salt', message: "is required for another org's record" }],
              },
            );
          }
          const key = await keyOfStoredRecord(subjectKeys, ledger, channel, record.subjectRef);
          salt = key === 'erased' ? 'erased' : recordSalt(key.keyHex, record.id);
        }
        return { status: 200, body: { interactionId: record.id, ...verifyRecordContent(record, salt, body) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/interactions/:id/disclosures',
      operationId: 'discloseInteractionSalt',
      summary: "Disclose an interaction's salt",
      description:
        "The per-record salt of one of this org's interactions, for an auditor to verify that record's content (and no other record's). " +
        "Every disclosure is recorded in the org's auditor-read log (who, when, which record — never the salt).",
      tag: 'interactions',
      roles: ['recorder', 'admin'],
      params: interactionParams,
      responses: { 200: { description: 'The salt', schema: saltDisclosureSchema } },
      refusals: [404, 422, 502],
      recordsEveryCall: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const record = await getInteraction(ledger, channel, ids.id(params.id));
        if (record.org !== mspId) throw new HttpProblem(403, 'Forbidden', 'only the recording org can disclose a salt');
        const key = await keyOfStoredRecord(subjectKeys, ledger, channel, record.subjectRef);
        if (key === 'erased')
          throw new HttpProblem(
            422,
            'Subject erased',
            "the record's subject was erased: its key is gone, so no salt exists any more",
          );
        return {
          status: 200,
          body: {
            interactionId: record.id,
            salt: recordSalt(key.keyHex, record.id).toString('hex'),
            derivedFrom: key.derivedFrom,
            promptCommitment: record.promptCommitment,
            ...(record.outputCommitment === undefined ? {} : { outputCommitment: record.outputCommitment }),
          },
        };
      },
    }),
  ];
}
