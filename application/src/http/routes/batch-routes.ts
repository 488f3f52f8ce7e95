import { LIMITS, TRANSACTIONS, TRANSACTION_ROLES } from '@aal/ledger-contract';
import type { AuditIndex } from '../../audit-index/audit-index';
import { batchPage } from '../../audit-index/index-queries';
import { BARE_ID_RULE, OwnRecordIds } from '../../records/own-record-ids';
import { getBatch, getInclusionProof, recordBatch } from '../../interactions/batch-ledger';
import type { SubjectKeys } from '../../subjects/subject-keys';
import { API_BASE, defineRoute, type AnyRouteDefinition } from '../route';
import {
  batchHeaderSchema,
  batchListingSchema,
  batchParams,
  batchSummarySchema,
  inclusionProofSchema,
  merkleBatchRequestSchema,
} from '../schemas/batch';
import { channelParams, channelRecordParams, requireMemberChannel } from '../schemas/channel';
import { INDEX_PAGING_RULE, indexPageSchema } from '../schemas/index-page';
import { indexInteractionQuerySchema } from '../schemas/interaction-query';
import { indexQueryPage } from './index-query-page';
import { committedRequestRecords } from './content-commitment';

const recordParams = channelRecordParams('interaction id');

/**
 * Batched ingestion with per-record Merkle proofs (issue 5): many interactions in one transaction
 * under one RFC 6962 root, and for each record an inclusion proof an auditor can check against the
 * ledger without trusting this app.
 */
export function batchRoutes({
  channels,
  mspId,
  subjectKeys,
  auditIndex,
  auditorOrgs,
}: {
  channels: readonly string[];
  /** This org's MSP id: a bare record id names this org's record; non-auditors list its batches only. */
  mspId: string;
  subjectKeys: SubjectKeys;
  auditIndex: AuditIndex;
  /** The orgs whose auditors read every org's batches (AAL_AUDITOR_ORGS, as the chaincode's). */
  auditorOrgs: ReadonlySet<string>;
}): AnyRouteDefinition[] {
  const ids = new OwnRecordIds(mspId);
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/batches',
      operationId: 'recordMerkleBatch',
      summary: 'Record a Merkle batch of interactions',
      description:
        `Up to ${LIMITS.merkleBatchRecords} records in one transaction, all or nothing, each as in recordInteraction (content is committed and dropped here). ` +
        "The ledger stores the batch under an RFC 6962 Merkle root; read each record's proof at /batched-interactions/{id}/proof. 201 when any record is new, 200 when all were already recorded. " +
        BARE_ID_RULE +
        ' Ids are qualified before the leaves are hashed, so each proof verifies the record as stored.',
      tag: 'batches',
      roles: TRANSACTION_ROLES[TRANSACTIONS.recordBatch],
      params: channelParams,
      body: merkleBatchRequestSchema,
      links: {
        201: {
          getMerkleBatch: {
            operationId: 'getMerkleBatch',
            parameters: { channel: '$request.path.channel', batchId: '$response.body#/batchId' },
          },
        },
        200: {
          getMerkleBatch: {
            operationId: 'getMerkleBatch',
            parameters: { channel: '$request.path.channel', batchId: '$response.body#/batchId' },
          },
        },
      },
      responses: {
        201: { description: 'Recorded', schema: batchSummarySchema },
        200: {
          description:
            'Every record was already recorded with the same content (an exact replay answers the original batch)',
          schema: batchSummarySchema,
        },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        // Qualified before committing and hashing: the salt and the Merkle leaf cover the stored (qualified) id.
        const records = await committedRequestRecords(
          subjectKeys,
          ledger,
          channel,
          body.records.map((record) => ids.interaction(record)),
          true,
        );
        const written = await recordBatch(ledger, channel, records);
        const summary = {
          ...written.summary,
          transactionId: written.transactionId,
          blockNumber: written.blockNumber.toString(),
        };
        // An exact replay answers the original batch's summary (another transaction id); otherwise
        // every record may still have been recorded before, by other batches.
        const replay = written.summary.batchId !== written.transactionId;
        const allExisted = replay || written.summary.alreadyRecorded.length === records.length;
        return {
          status: allExisted ? 200 : 201,
          ...(allExisted
            ? {}
            : { headers: { Location: `${API_BASE}/channels/${channel}/batches/${written.summary.batchId}` } }),
          body: summary,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/batches',
      operationId: 'queryMerkleBatches',
      summary: 'Query batches',
      description:
        'Batches of an org (`by=org`) or holding at least one record with a model, actor, subject, consent or application, within an optional txTime range, by txTime then batch id, paged. ' +
        "Read their records with queryInteractions (batched records are there, with batchId/leafIndex) or by id. Non-auditors see their own org's batches only. " +
        INDEX_PAGING_RULE,
      tag: 'batches',
      roles: TRANSACTION_ROLES[TRANSACTIONS.queryBatches],
      params: channelParams,
      query: indexInteractionQuerySchema,
      responses: {
        200: { description: 'A page of batch headers (without ids)', schema: indexPageSchema(batchListingSchema) },
      },
      refusals: [403, 404, 422, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const body = await indexQueryPage(
          { auditIndex, mspId, auditorOrgs, ids, subjectKeys },
          { ledger, channel, role: caller.role, query },
          batchPage,
        );
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/batches/:batchId',
      operationId: 'getMerkleBatch',
      summary: 'Read a batch header',
      description:
        "Org, time, size, Merkle root and the record ids in leaf order. Auditors read every org's batches; other roles their own org's.",
      tag: 'batches',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getBatch],
      params: batchParams,
      responses: { 200: { description: 'The batch header', schema: batchHeaderSchema } },
      refusals: [403, 404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        return {
          status: 200,
          body: await getBatch(ledger, requireMemberChannel(params.channel, channels), params.batchId),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/batched-interactions/:id/proof',
      operationId: 'getInclusionProof',
      summary: "A batched record's inclusion proof",
      description:
        "Leaf index, audit path, root and transaction id of a record written by recordMerkleBatch, computed by the chaincode from the stored leaf hashes; the record is taken from the recording transaction on the org's own peer, and the proof is verified against the batch that transaction wrote before it is answered (502 otherwise). " +
        BARE_ID_RULE,
      tag: 'batches',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getInclusionProof],
      params: recordParams,
      responses: { 200: { description: 'The record and its RFC 6962 inclusion proof', schema: inclusionProofSchema } },
      refusals: [403, 404, 422, 502],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        return {
          status: 200,
          body: await getInclusionProof(ledger, requireMemberChannel(params.channel, channels), ids.id(params.id)),
        };
      },
    }),
  ];
}
