import { DEFAULT_PAGE_SIZE, LIMITS } from '@aal/ledger-contract';
import { z } from 'zod';
import type { AuditIndex } from '../../audit-index/audit-index';
import { BLOCK_NUMBER_DIGITS } from '../../ledger/block-number';
import { minBlockQuery, indexHeight } from '../../audit-index/index-reads';
import { channelParams, requireMemberChannel } from '../schemas/channel';
import { defineRoute, type AnyRouteDefinition } from '../route';

/** `<block>:<position in the block>` of the last anomaly a page returned. */
const CURSOR = new RegExp(`^(${BLOCK_NUMBER_DIGITS}):(0|[1-9][0-9]{0,6})$`);

const timeAnomalyQuerySchema = z.strictObject({
  minBlock: minBlockQuery,
  pageSize: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(LIMITS.pageSize, `must be at most ${LIMITS.pageSize}`)
    .optional()
    .describe(`anomalies per page, 1–${LIMITS.pageSize} (default ${DEFAULT_PAGE_SIZE})`),
  cursor: z
    .string()
    .regex(CURSOR, 'must be the nextCursor of a previous answer')
    .optional()
    .describe('nextCursor of the previous page'),
});

const timeAnomalySchema = z.object({
  blockNumber: z.string().describe('the block holding the transaction'),
  txIndex: z.number().int().describe("the transaction's position in its block"),
  txId: z.string(),
  txTime: z.string().describe("the transaction's timestamp (chosen by its submitting client)"),
  earlierTxId: z.string().describe('the transaction of an earlier block with the newest time before this block'),
  earlierBlockNumber: z.string(),
  earlierTxTime: z.string(),
  earlierByMs: z.number().int().describe(`how far txTime lies before earlierTxTime (more than ${LIMITS.txTimeSkewMs})`),
});

/**
 * Auditors' evidence on client-chosen transaction times (issue 10): the transactions the audit index
 * found dated more than the endorsers' skew before a transaction committed in an earlier block of
 * the channel (rule in docs/security.md). Read-only, from the org's audit index.
 */
export function timeAnomalyRoutes(deps: {
  readonly channels: readonly string[];
  readonly auditIndex: AuditIndex;
}): AnyRouteDefinition[] {
  const { channels, auditIndex } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/time-anomalies',
      operationId: 'listTimeAnomalies',
      summary: 'List transaction time anomalies',
      description:
        `Valid transactions whose client-chosen timestamp lies more than ${LIMITS.txTimeSkewMs} ms (the endorsers' skew) before the newest ` +
        'timestamp of a transaction in an earlier block of the channel, with that earlier transaction: either this one was backdated (or held back after ' +
        'endorsement), or the earlier one was dated ahead. In ledger order, up to the block height `asOfBlock` states.',
      tag: 'audit',
      roles: ['auditor'],
      params: channelParams,
      query: timeAnomalyQuerySchema,
      responses: {
        200: {
          description: 'A page of anomalies',
          schema: z.object({
            asOfBlock: z.string().describe('the block height the answer reflects'),
            anomalies: z.array(timeAnomalySchema),
            nextCursor: z.string().nullable().describe('pass as cursor for the next page; null at the end'),
          }),
        },
      },
      refusals: [404, 503],
      async handle({ params, query }) {
        const channel = requireMemberChannel(params.channel, channels);
        const asOfBlock = await indexHeight(auditIndex, channel, query.minBlock);
        const [, block, tx] = query.cursor === undefined ? [] : (CURSOR.exec(query.cursor) ?? []);
        const after =
          block === undefined || tx === undefined ? undefined : { blockNumber: Number(block), txIndex: Number(tx) };
        const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
        const rows = await auditIndex.store.timeAnomalies(channel, asOfBlock, after, pageSize);
        const last = rows.at(-1);
        return {
          status: 200,
          body: {
            asOfBlock: String(asOfBlock),
            anomalies: rows.map((row) => ({
              blockNumber: String(row.block_number),
              txIndex: row.tx_index,
              txId: row.tx_id,
              txTime: row.tx_time,
              earlierTxId: row.earlier_tx_id,
              earlierBlockNumber: String(row.earlier_block_number),
              earlierTxTime: row.earlier_tx_time,
              earlierByMs: Date.parse(row.earlier_tx_time) - Date.parse(row.tx_time),
            })),
            nextCursor: rows.length < pageSize || last === undefined ? null : `${last.block_number}:${last.tx_index}`,
          },
        };
      },
    }),
  ];
}
