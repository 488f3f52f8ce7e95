import { z } from 'zod';
import { ROLES } from '@aal/ledger-contract';
import { LedgerError } from '../../ledger/ledger-error';
import { decodeTransactionProof } from '../../ledger/transaction-proof';
import { channelNameSchema, requireMemberChannel } from '../schemas/channel';
import { HttpProblem } from '../problem';
import { defineRoute, type AnyRouteDefinition } from '../route';

const endorsementSchema = z.object({
  mspId: z.string(),
  subject: z.string(),
  fingerprint: z.string().describe("SHA-256 fingerprint of the endorser's certificate (colon-separated hex)"),
});

const transactionProofSchema = z.object({
  transactionId: z.string(),
  channel: z.string(),
  blockNumber: z.string(),
  validationCode: z.string().describe('VALID, or the reason Fabric invalidated the transaction'),
  timestamp: z.string(),
  creatorMspId: z.string(),
  creatorSubject: z.string().describe("subject of the submitting identity's certificate"),
  creatorCertificateSha256: z
    .string()
    .describe(
      "SHA-256 fingerprint of the submitting identity's certificate (colon-separated hex): which enrollment signed",
    ),
  endorsements: z.array(endorsementSchema),
  endorsingOrgs: z.array(z.string()),
});

/**
 * `GET /channels/:channel/transactions/:txId`: the transaction's proof, read from the ledger.
 * Every role may read proofs: each role writes something (records, consents, keys' admin
 * actions) and must be able to show that it committed; a proof holds org ids, certificate
 * subjects of application users and peers, and block metadata — no record content.
 */
export function transactionRoutes(channels: readonly string[]): AnyRouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/channels/:channel/transactions/:txId',
      operationId: 'getTransactionProof',
      summary: 'Read a transaction proof',
      description:
        'Block number, validation code, creator and endorsements, read from the peer with the query system chaincode (qscc).',
      tag: 'audit',
      roles: ROLES,
      params: z.strictObject({
        channel: channelNameSchema,
        txId: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
      }),
      responses: { 200: { description: 'The proof', schema: transactionProofSchema } },
      refusals: [404],
      recordsAuditorRead: true,
      async handle({ params, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        let processed: Uint8Array;
        let block: Uint8Array;
        try {
          processed = await ledger.evaluateSystem(channel, 'qscc', 'GetTransactionByID', [channel, params.txId]);
          block = await ledger.evaluateSystem(channel, 'qscc', 'GetBlockByTxID', [channel, params.txId]);
        } catch (error) {
          // qscc answers a plain failure for an unknown id.
          if (error instanceof LedgerError && /not found|no such transaction/i.test(error.message)) {
            throw new HttpProblem(404, 'Not found', `no transaction ${params.txId} on channel ${channel}`);
          }
          throw error;
        }
        return { status: 200, body: decodeTransactionProof(processed, block) };
      },
    }),
  ];
}
