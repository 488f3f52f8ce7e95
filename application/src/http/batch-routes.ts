import { z } from 'zod';
import { ROLES } from '../auth/role';
import { getBatch, getInclusionProof, queryBatches, recordBatch } from '../interactions/batch-ledger';
import type { SubjectKeys } from '../subjects/subject-keys';
import { channelNameSchema, requireMemberChannel } from './channel-param';
import { committedRecords } from './interaction-routes';
import { interactionFilterOf, interactionInputSchema, interactionQuerySchema } from './interaction-schemas';
import { apiPage, pageSchema } from './paging';
import { recordIdSchema } from './record-id';
import { API_BASE, defineRoute, type AnyRouteDefinition } from './route';

/** One `Batches:RecordBatch` transaction holds at most this many records (chaincode limit). */
export const MAX_MERKLE_BATCH_RECORDS = 1000;

const channelParams = z.strictObject({ channel: channelNameSchema });
const batchParams = z.strictObject({ channel: channelNameSchema, batchId: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (the recording transaction id)') });
const recordParams = z.strictObject({ channel: channelNameSchema, id: recordIdSchema.describe('interaction id') });

const batchBodySchema = z.strictObject({
  records: z
    .array(interactionInputSchema)
    .min(1, 'must hold at least one record')
    .max(MAX_MERKLE_BATCH_RECORDS, `must hold at most ${MAX_MERKLE_BATCH_RECORDS} records`),
});

const summarySchema = z.object({
  batchId: z.string().describe('the recording transaction id'),
  org: z.string(),
  txTime: z.string(),
  root: z.string().describe('RFC 6962 Merkle root (hex) over the canonical JSON of the records as submitted'),
  size: z.number().int(),
  alreadyRecorded: z.array(z.object({ index: z.number().int(), id: z.string(), batchId: z.string(), leafIndex: z.number().int() })),
  transactionId: z.string(),
  blockNumber: z.string(),
});

const listingSchema = z.object({
  batchId: z.string().describe('the recording transaction id'),
  org: z.string(),
  recordedBy: z.string(),
  txTime: z.string(),
  size: z.number().int(),
  root: z.string(),
});

const proofSchema = z
  .looseObject({
    record: z.record(z.string(), z.unknown()),
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    auditPath: z.array(z.string()),
    root: z.string(),
    txId: z.string(),
    batchId: z.string(),
  })
  .describe('verify offline against the root read from the ledger: npm run verify-proof -- --proof proof.json');

/**
 * Batched ingestion with per-record Merkle proofs (issue 5): many interactions in one transaction
 * under one RFC 6962 root, and for each record an inclusion proof an auditor can check against the
 * ledger without trusting this app.
 */
export function batchRoutes({ channels, subjectKeys }: { channels: readonly string[]; subjectKeys: SubjectKeys }): AnyRouteDefinition[] {
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/batches',
      operationId: 'recordMerkleBatch',
      summary: 'Record a Merkle batch of interactions',
      description:
        `Up to ${MAX_MERKLE_BATCH_RECORDS} records in one transaction, all or nothing, each as in recordInteraction (content is committed and dropped here). ` +
        'The ledger stores the batch under an RFC 6962 Merkle root; read each record\'s proof at /batched-interactions/{id}/proof. 201 when any record is new, 200 when all were already recorded.',
      tag: 'batches',
      roles: ['recorder', 'admin'],
      params: channelParams,
      body: batchBodySchema,
      responses: { 201: { description: 'Recorded', schema: summarySchema }, 200: { description: 'Every record was already recorded with the same content (an exact replay answers the original batch)', schema: summarySchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const records = await committedRecords(subjectKeys, ledger, channel, body.records);
        const written = await recordBatch(ledger, channel, records);
        const summary = { ...written.summary, transactionId: written.transactionId, blockNumber: written.blockNumber.toString() };
        // An exact replay answers the original batch's summary (another transaction id); otherwise
        // every record may still have been recorded before, by other batches.
        const replay = written.summary.batchId !== written.transactionId;
        const allExisted = replay || written.summary.alreadyRecorded.length === records.length;
        return {
          status: allExisted ? 200 : 201,
          ...(allExisted ? {} : { headers: { Location: `${API_BASE}/channels/${channel}/batches/${written.summary.batchId}` } }),
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
        'Batches of an org (`by=org`) or holding at least one record with a model, actor, subject, consent or application, within an optional txTime range, paged. ' +
        "Batches are indexed once per distinct value, so this finds batches; read their records by id (getMerkleBatch lists the ids, getInteraction reads each). Non-auditors see their own org's batches only.",
      tag: 'batches',
      roles: ROLES,
      params: channelParams,
      query: interactionQuerySchema,
      responses: { 200: { description: 'A page of batch headers (without ids)', schema: pageSchema(listingSchema) } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const page = await queryBatches(ledger, channel, interactionFilterOf(query));
        return { status: 200, body: apiPage(page) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/batches/:batchId',
      operationId: 'getMerkleBatch',
      summary: 'Read a batch header',
      description: "Org, time, size, Merkle root and the record ids in leaf order. Auditors read every org's batches; other roles their own org's.",
      tag: 'batches',
      roles: ROLES,
      params: batchParams,
      responses: { 200: { description: 'The batch header', schema: z.looseObject({ batchId: z.string(), root: z.string(), size: z.number().int(), ids: z.array(z.string()) }) } },
      refusals: [403, 404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        return { status: 200, body: await getBatch(ledger, requireMemberChannel(params.channel, channels), params.batchId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/batched-interactions/:id/proof',
      operationId: 'getInclusionProof',
      summary: "A batched record's inclusion proof",
      description: 'Leaf index, audit path, root and transaction id of a record written by recordMerkleBatch, computed by the chaincode from the stored batch.',
      tag: 'batches',
      roles: ROLES,
      params: recordParams,
      responses: { 200: { description: 'The record and its RFC 6962 inclusion proof', schema: proofSchema } },
      refusals: [403, 404, 422],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        return { status: 200, body: await getInclusionProof(ledger, requireMemberChannel(params.channel, channels), params.id) };
      },
    }),
  ];
}
