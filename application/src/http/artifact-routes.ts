import { z } from 'zod';
import { ROLES } from '../auth/role';
import { LedgerError } from '../ledger/ledger-error';
import { channelNameSchema, requireMemberChannel } from './channel-param';
import { ledgerPaging, pageFromLedger, pageQueryShape, pageSchema } from './paging';
import { HttpProblem } from './problem';
import { dateTimeSchema, labelSchema, printableTextSchema, recordIdSchema } from './record-id';
import { API_BASE, defineRoute, type AnyRouteDefinition } from './route';
import { trainingRunRefusals } from './training-run-refusal';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256 digest)');

const uniqueIds = (max: number) =>
  z
    .array(recordIdSchema)
    .max(max, `must have at most ${max} items`)
    .refine((items) => new Set(items).size === items.length, 'must not repeat an item');

const artifactInputSchema = z
  .strictObject({
    id: recordIdSchema.describe('artifact id, chosen by the client; the idempotency key'),
    kind: z.enum(['dataset', 'model', 'other']),
    name: labelSchema(128),
    version: labelSchema(64),
    sha256: sha256Schema.describe("digest of the artifact's bytes"),
    uri: z.string().max(2048, 'must be at most 2048 characters').regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'must be an absolute URI such as s3://bucket/key').optional(),
    parents: uniqueIds(100).optional().describe('lineage: registered artifacts this one derives from'),
    consentIds: uniqueIds(1000).optional().describe("consents covering a dataset's subjects; checked by training runs"),
  })
  .refine((artifact) => !(artifact.parents ?? []).includes(artifact.id), { message: "must not contain the artifact's own id", path: ['parents'] });

const artifactSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['dataset', 'model', 'other']),
  name: z.string(),
  version: z.string(),
  sha256: z.string(),
  uri: z.string().optional(),
  parents: z.array(z.string()).optional(),
  consentIds: z.array(z.string()).optional(),
  registeredBy: z.string(),
  registeredByUser: z.string(),
  txId: z.string(),
  txTime: z.string(),
});

const trainingRunInputSchema = z.strictObject({
  id: recordIdSchema.describe('training run id; the idempotency key'),
  modelArtifactId: recordIdSchema,
  datasetArtifactIds: uniqueIds(100).min(1, 'must have 1 to 100 items'),
  startTime: dateTimeSchema.optional(),
  notes: printableTextSchema(1024).optional().describe('shared free text: no personal data'),
});

const trainingRunSchema = z.looseObject({
  id: z.string(),
  modelArtifactId: z.string(),
  datasetArtifactIds: z.array(z.string()),
  startTime: z.string().optional(),
  notes: z.string().optional(),
  org: z.string(),
  recordedBy: z.string(),
  txId: z.string(),
  txTime: z.string(),
  consentCoverage: z.array(z.object({ datasetArtifactId: z.string(), consentIds: z.array(z.string()) })),
});

/**
 * Artifacts (datasets, models) by digest with lineage and consents, digest verification, and
 * training runs that the ledger refuses unless every dataset's consents cover model training.
 * AI apps (recorder) and admins register; every role reads and verifies.
 */
export function artifactRoutes(channels: readonly string[]): AnyRouteDefinition[] {
  const channelOnly = z.strictObject({ channel: channelNameSchema });
  const channelAndId = z.strictObject({ channel: channelNameSchema, id: recordIdSchema });
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/artifacts',
      operationId: 'registerArtifact',
      summary: 'Register an artifact',
      description: 'Write-once: the same id with the same content answers the stored artifact; different content, or an id another org took, is 409. Unknown parents or consents are 404.',
      tag: 'artifacts',
      roles: ['recorder', 'admin'],
      params: channelOnly,
      body: artifactInputSchema,
      responses: { 201: { description: 'Registered (or already registered with the same content)', schema: artifactSchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const submitted = await ledger.submit(channel, 'Artifacts:RegisterArtifact', [JSON.stringify(body)], { idempotent: true });
        return {
          status: 201,
          headers: { Location: `${API_BASE}/channels/${channel}/artifacts/${encodeURIComponent(body.id)}`, 'X-Transaction-Id': submitted.transactionId },
          body: JSON.parse(submitted.result) as unknown,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/artifacts',
      operationId: 'queryArtifacts',
      summary: 'Query artifacts',
      description: 'By kind, name or registering org (MSP id), in registration order.',
      tag: 'artifacts',
      roles: ROLES,
      params: channelOnly,
      query: z.strictObject({ by: z.enum(['kind', 'name', 'registeredBy']), value: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters'), ...pageQueryShape }),
      responses: { 200: { description: 'A page of artifacts', schema: pageSchema(artifactSchema) } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const filter = { by: query.by, value: query.value, ...ledgerPaging(query) };
        return { status: 200, body: pageFromLedger(await ledger.evaluate(channel, 'Artifacts:QueryArtifacts', [JSON.stringify(filter)])) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/artifacts/:id',
      operationId: 'getArtifact',
      summary: 'Read an artifact',
      tag: 'artifacts',
      roles: ROLES,
      params: channelAndId,
      responses: { 200: { description: 'The artifact', schema: artifactSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: JSON.parse(await ledger.evaluate(channel, 'Artifacts:GetArtifact', [params.id])) as unknown };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/artifacts/:id/verify',
      operationId: 'verifyArtifact',
      summary: 'Verify an artifact digest',
      description: "Compares a digest computed by the caller (SHA-256 of the bytes it holds) with the registered one. A mismatch is an answer (match false), not an error.",
      tag: 'artifacts',
      roles: ROLES,
      params: channelAndId,
      body: z.strictObject({ sha256: sha256Schema }),
      responses: { 200: { description: 'The comparison', schema: z.looseObject({ id: z.string(), match: z.boolean(), registeredSha256: z.string() }) } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: JSON.parse(await ledger.evaluate(channel, 'Artifacts:VerifyArtifact', [params.id, body.sha256])) as unknown };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/training-runs',
      operationId: 'recordTrainingRun',
      summary: 'Record a training run',
      description:
        'Declared before training. Refused (422, one entry in `errors` per failing artifact) unless the model is registered as a model and every dataset is registered as a dataset whose consents allow model-training for this org now.',
      tag: 'artifacts',
      roles: ['recorder', 'admin'],
      params: channelOnly,
      body: trainingRunInputSchema,
      responses: { 201: { description: 'Accepted and recorded, with the consents that covered each dataset', schema: trainingRunSchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        try {
          const submitted = await ledger.submit(channel, 'Artifacts:RecordTrainingRun', [JSON.stringify(body)], { idempotent: true });
          return {
            status: 201,
            headers: { Location: `${API_BASE}/channels/${channel}/training-runs/${encodeURIComponent(body.id)}`, 'X-Transaction-Id': submitted.transactionId },
            body: JSON.parse(submitted.result) as unknown,
          };
        } catch (error) {
          if (error instanceof LedgerError && error.kind === 'precondition-failed') {
            throw new HttpProblem(422, 'Training run refused', error.message, { errors: trainingRunRefusals(error.message, body) });
          }
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/training-runs/:id',
      operationId: 'getTrainingRun',
      summary: 'Read a training run',
      tag: 'artifacts',
      roles: ROLES,
      params: channelAndId,
      responses: { 200: { description: 'The run', schema: trainingRunSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: JSON.parse(await ledger.evaluate(channel, 'Artifacts:GetTrainingRun', [params.id])) as unknown };
      },
    }),
  ];
}
