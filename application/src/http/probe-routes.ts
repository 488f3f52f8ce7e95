import { z } from 'zod';
import { ROLES } from '../auth/role';
import { channelNameSchema, requireMemberChannel } from './channel-param';
import { API_BASE, defineRoute, type AnyRouteDefinition } from './route';

const probeIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits or . _ : -').describe('probe id, chosen by the client');

const probeSchema = z.object({ id: z.string(), note: z.string(), org: z.string(), txId: z.string(), txTime: z.string() });

const recordedProbeSchema = z.object({
  probe: probeSchema,
  transactionId: z.string(),
  blockNumber: z.string().describe('decimal block number'),
});

/**
 * `POST /channels/:channel/probes` records a probe; `GET /channels/:channel/probes/:id` reads it
 * back. The thin end-to-end slice: input is checked here first, and again by the chaincode.
 * Recorders and admins write (the roles that write records); every role reads.
 */
export function probeRoutes(channels: readonly string[]): AnyRouteDefinition[] {
  return [
    defineRoute({
      method: 'post',
      path: '/channels/:channel/probes',
      operationId: 'recordProbe',
      summary: 'Record a probe',
      description: 'Writes a probe through endorsement (a majority of the channel\'s orgs), ordering and commit.',
      tag: 'probes',
      roles: ['recorder', 'admin'],
      params: z.strictObject({ channel: channelNameSchema }),
      body: z.strictObject({ id: probeIdSchema, note: z.string().max(1024, 'must be at most 1024 characters') }),
      responses: { 201: { description: 'Recorded', schema: recordedProbeSchema } },
      refusals: [404, 409, 422],
      async handle({ params, body, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        // Not idempotent: a repeat of the same id is refused as a duplicate, so a retry after a
        // commit timeout could turn a success into a 409.
        const submitted = await ledger.submit(channel, 'Probe:RecordProbe', [body.id, body.note]);
        return {
          status: 201,
          headers: { Location: `${API_BASE}/channels/${channel}/probes/${encodeURIComponent(body.id)}` },
          body: { probe: JSON.parse(submitted.result) as unknown, transactionId: submitted.transactionId, blockNumber: submitted.blockNumber.toString() },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/probes/:id',
      operationId: 'getProbe',
      summary: 'Read a probe',
      tag: 'probes',
      roles: ROLES,
      params: z.strictObject({ channel: channelNameSchema, id: probeIdSchema }),
      responses: { 200: { description: 'The probe as stored on the ledger', schema: z.object({ probe: probeSchema }) } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const result = await ledger.evaluate(channel, 'Probe:GetProbe', [params.id]);
        return { status: 200, body: { probe: JSON.parse(result) as unknown } };
      },
    }),
  ];
}
