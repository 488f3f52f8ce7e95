import {
  artifactInputSchema,
  storedArtifactSchema,
  storedTrainingRunSchema,
  trainingRunInputSchema,
  TRANSACTIONS,
  TRANSACTION_ROLES,
} from '@aal/ledger-contract';
import {
  getArtifact,
  getTrainingRun,
  queryArtifacts,
  recordTrainingRun,
  registerArtifact,
  verifyArtifact,
} from '../../artifacts/artifact-ledger';
import { LedgerError } from '../../ledger/ledger-error';
import { BARE_ID_RULE, OwnRecordIds } from '../../records/own-record-ids';
import { HttpProblem, ledgerFieldErrors } from '../problem';
import { API_BASE, BLOCK_NUMBER_HEADER, defineRoute, type AnyRouteDefinition } from '../route';
import { artifactQuerySchema, artifactVerificationSchema, verifyArtifactRequestSchema } from '../schemas/artifact';
import { channelParams, channelRecordParams, requireMemberChannel } from '../schemas/channel';
import { apiPage, ledgerPaging, pageSchema } from '../schemas/paging';

/**
 * Artifacts (datasets, models) by digest with lineage and consents, digest verification, and
 * training runs that the ledger refuses unless every dataset's consents cover model training.
 * AI apps (recorder) and admins register; every role reads and verifies.
 */
export function artifactRoutes(channels: readonly string[], mspId: string): AnyRouteDefinition[] {
  const ids = new OwnRecordIds(mspId);
  const channelAndId = channelRecordParams(`artifact or training run id; ${BARE_ID_RULE}`);
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/artifacts',
      operationId: 'registerArtifact',
      summary: 'Register an artifact',
      description:
        'Write-once: the same id with the same content answers the stored artifact; different content, or an id another org took, is 409. Unknown parents or consents are 404; a consent this org does not control is 422 (an org lists only its own consents). ' +
        BARE_ID_RULE +
        ' (id, parents and consentIds alike); the answer carries the qualified ids.',
      tag: 'artifacts',
      roles: TRANSACTION_ROLES[TRANSACTIONS.registerArtifact],
      params: channelParams,
      body: artifactInputSchema,
      links: {
        201: {
          getArtifact: {
            operationId: 'getArtifact',
            parameters: { channel: '$request.path.channel', id: '$request.body#/id' },
          },
        },
      },
      responses: {
        201: { description: 'Registered (or already registered with the same content)', schema: storedArtifactSchema },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const artifact = ids.artifact(body);
        const registered = await registerArtifact(ledger, channel, artifact);
        return {
          status: 201,
          headers: {
            Location: `${API_BASE}/channels/${channel}/artifacts/${encodeURIComponent(artifact.id)}`,
            'X-Transaction-Id': registered.transactionId,
            [BLOCK_NUMBER_HEADER]: String(registered.blockNumber),
          },
          body: registered.record,
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
      roles: TRANSACTION_ROLES[TRANSACTIONS.queryArtifacts],
      params: channelParams,
      query: artifactQuerySchema,
      responses: { 200: { description: 'A page of artifacts', schema: pageSchema(storedArtifactSchema) } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const filter = { by: query.by, value: query.value, ...ledgerPaging(query) };
        return { status: 200, body: apiPage(await queryArtifacts(ledger, channel, filter)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/artifacts/:id',
      operationId: 'getArtifact',
      summary: 'Read an artifact',
      tag: 'artifacts',
      roles: TRANSACTION_ROLES[TRANSACTIONS.getArtifact],
      params: channelAndId,
      responses: { 200: { description: 'The artifact', schema: storedArtifactSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await getArtifact(ledger, channel, ids.id(params.id)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/artifacts/:id/verify',
      operationId: 'verifyArtifact',
      summary: 'Verify an artifact digest',
      description:
        'Compares a digest computed by the caller (SHA-256 of the bytes it holds) with the registered one. A mismatch is an answer (match false), not an error.',
      tag: 'artifacts',
      roles: TRANSACTION_ROLES[TRANSACTIONS.verifyArtifact],
      params: channelAndId,
      body: verifyArtifactRequestSchema,
      responses: { 200: { description: 'The comparison', schema: artifactVerificationSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await verifyArtifact(ledger, channel, ids.id(params.id), body.sha256) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/channels/:channel/training-runs',
      operationId: 'recordTrainingRun',
      summary: 'Record a training run',
      description:
        'Declared before training. Refused (422, one entry in `errors` per failing artifact) unless the model is registered as a model and every dataset is registered as a dataset whose consents allow model-training for this org now. ' +
        BARE_ID_RULE +
        " (id, modelArtifactId and datasetArtifactIds alike): name another org's dataset by its qualified id, e.g. 'HospitalAMSP:ds-1'.",
      tag: 'artifacts',
      roles: TRANSACTION_ROLES[TRANSACTIONS.recordTrainingRun],
      params: channelParams,
      body: trainingRunInputSchema,
      links: {
        201: {
          getTrainingRun: {
            operationId: 'getTrainingRun',
            parameters: { channel: '$request.path.channel', id: '$request.body#/id' },
          },
        },
      },
      responses: {
        201: {
          description: 'Accepted and recorded, with the consents that covered each dataset',
          schema: storedTrainingRunSchema,
        },
      },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        try {
          const run = ids.trainingRun(body);
          const recorded = await recordTrainingRun(ledger, channel, run);
          return {
            status: 201,
            headers: {
              Location: `${API_BASE}/channels/${channel}/training-runs/${encodeURIComponent(run.id)}`,
              'X-Transaction-Id': recorded.transactionId,
              [BLOCK_NUMBER_HEADER]: String(recorded.blockNumber),
            },
            body: recorded.record,
          };
        } catch (error) {
          if (error instanceof LedgerError && error.kind === 'precondition-failed') {
            throw new HttpProblem(422, 'Training run refused', error.message, { errors: ledgerFieldErrors(error) });
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
      roles: TRANSACTION_ROLES[TRANSACTIONS.getTrainingRun],
      params: channelAndId,
      responses: { 200: { description: 'The run', schema: storedTrainingRunSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        return { status: 200, body: await getTrainingRun(ledger, channel, ids.id(params.id)) };
      },
    }),
  ];
}
