import { LIMITS, storedInteractionSchema, type InteractionFilter, type StoredInteraction } from '@aal/ledger-contract';
import { z } from 'zod';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  csvHeader,
  exportLine,
  type ExportFormat,
} from '../../audit/interaction-export';
import { TooManyGroupsError, USAGE_GROUPINGS, UsageSummary } from '../../audit/usage-summary';
import { interactionPages, type InteractionPage } from '../../interactions/interaction-ledger';
import { ReadTally } from '../../audit-log/read-tally';
import { channelParams, requireMemberChannel } from '../schemas/channel';
import { writeChunks } from '../middleware/chunked-body';
import { interactionRangeQuery } from '../schemas/interaction-query';
import { HttpProblem } from '../problem';
import { defineRoute, type AnyRouteDefinition } from '../route';

/** Most records a usage summary reads (1000 pages of 1000): beyond that, narrow the time range. */
export const MAX_USAGE_RECORDS = 1_000_000;
/** Most groups a usage summary holds in memory. */
export const MAX_USAGE_GROUPS = 10_000;
/** Records the violations route reads per request (memory bound); `nextCursor` continues the scan. */
export const VIOLATION_SCAN_RECORDS = 5_000;

/** `by`/`value` are optional here: without them, the org's own records (`by=org&value=<own MSP id>`). */
const rangeShape = {
  by: interactionRangeQuery.by.optional().describe("access path; default org (with value = this org's MSP id)"),
  value: interactionRangeQuery.value.optional(),
  from: interactionRangeQuery.from,
  to: interactionRangeQuery.to,
};

const bothOrNeither = (query: { by?: unknown; value?: unknown }): boolean =>
  (query.by === undefined) === (query.value === undefined);
const BOTH_OR_NEITHER = { message: 'give by and value together, or neither', path: ['value'] };

const usageQuerySchema = z
  .strictObject({ ...rangeShape, groupBy: z.enum(USAGE_GROUPINGS).describe('model, actor, application or UTC day') })
  .refine(bothOrNeither, BOTH_OR_NEITHER);

const violationsQuerySchema = z
  .strictObject({
    ...rangeShape,
    cursor: z.string().min(1).max(4096).optional().describe('nextCursor of the previous answer'),
  })
  .refine(bothOrNeither, BOTH_OR_NEITHER);

const exportQuerySchema = z
  .strictObject({
    ...rangeShape,
    format: z.enum(EXPORT_FORMATS),
    pageSize: z.coerce
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(LIMITS.pageSize, `must be at most ${LIMITS.pageSize}`)
      .optional()
      .describe('records read from the ledger per page (default 1000); does not change the output'),
  })
  .refine(bothOrNeither, BOTH_OR_NEITHER);

const totalsShape = {
  calls: z.number().int(),
  errorCalls: z.number().int(),
  tokens: z.object({
    input: z.number().int(),
    output: z.number().int(),
    cacheRead: z.number().int(),
    reasoning: z.number().int(),
  }),
  cost: z.object({
    byCurrency: z
      .array(z.object({ currency: z.string(), amountMinor: z.number().int(), calls: z.number().int() }))
      .describe('priced and provider-billed calls per currency, minor units'),
    unpricedCalls: z.number().int().describe('calls without a price: counted here, never as 0'),
  }),
};

const usageSchema = z.object({
  groupBy: z.enum(USAGE_GROUPINGS),
  by: z.string(),
  value: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  records: z.number().int(),
  totals: z.object(totalsShape),
  groups: z.array(
    z.object({ key: z.string().nullable().describe('null: calls without the grouped field'), ...totalsShape }),
  ),
});

function filterOf(
  query: { by?: InteractionFilter['by']; value?: string; from?: string; to?: string },
  mspId: string,
  pageSize: number,
): Omit<InteractionFilter, 'bookmark'> {
  return {
    by: query.by ?? 'org',
    value: query.value ?? mspId,
    ...(query.from === undefined ? {} : { from: query.from }),
    ...(query.to === undefined ? {} : { to: query.to }),
    pageSize,
  };
}

/** Counts one interaction an answer read, for the auditor-read log. */
function countRecord(tally: ReadTally, record: StoredInteraction): void {
  tally.owner(record.org);
  if (record.subjectRef !== undefined) tally.subject(record.subjectRef);
}

/**
 * The remaining pages after one already read, without holding more than one; each page is counted
 * in `tally` as it is handed out for writing.
 */
async function* recordsFrom(
  first: InteractionPage,
  rest: AsyncGenerator<InteractionPage> | undefined,
  format: ExportFormat,
  tally: ReadTally,
): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader();
  // One chunk per page keeps the number of writes low while holding a single page.
  const chunk = (page: InteractionPage): string => {
    for (const record of page.records) countRecord(tally, record);
    return page.records.map((record) => exportLine(record, format)).join('');
  };
  yield chunk(first);
  if (rest === undefined) return;
  for await (const page of rest) yield chunk(page);
}

/**
 * Audit routes (auditors and the org's admins): usage summaries, consent violations, and a
 * streamed export. Each pages `Interactions:QueryInteractions` and keeps at most one page of
 * records in memory; the summary adds its groups.
 */
export function auditRoutes(deps: {
  readonly channels: readonly string[];
  readonly mspId: string;
}): AnyRouteDefinition[] {
  const { channels, mspId } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/usage',
      operationId: 'summariseUsage',
      summary: 'Summarise usage',
      description:
        'Calls, tokens (input, output, cache-read, reasoning) and cost per currency in minor units, with unpriced calls counted apart, ' +
        `in total and per group. Reads every matching record (at most ${MAX_USAGE_RECORDS}; at most ${MAX_USAGE_GROUPS} groups), one page at a time.`,
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: usageQuerySchema,
      responses: { 200: { description: 'The summary', schema: usageSchema } },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const filter = filterOf(query, mspId, LIMITS.pageSize);
        const summary = new UsageSummary(query.groupBy, MAX_USAGE_GROUPS);
        // The answer holds totals, not records: the records summed are what the auditor read.
        const read = new ReadTally();
        try {
          for await (const page of interactionPages(ledger, channel, filter)) {
            for (const record of page.records) {
              summary.add(record);
              countRecord(read, record);
            }
            if (summary.records > MAX_USAGE_RECORDS)
              throw new HttpProblem(
                422,
                'Too many records',
                `more than ${MAX_USAGE_RECORDS} records match: narrow from/to`,
              );
          }
        } catch (error) {
          if (error instanceof TooManyGroupsError)
            throw new HttpProblem(
              422,
              'Too many groups',
              `more than ${MAX_USAGE_GROUPS} groups: narrow from/to or group differently`,
            );
          throw error;
        }
        return {
          status: 200,
          body: {
            groupBy: query.groupBy,
            by: filter.by,
            value: filter.value,
            from: query.from ?? null,
            to: query.to ?? null,
            records: summary.records,
            totals: summary.totals,
            groups: summary.groupList(),
          },
          read,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/violations',
      operationId: 'listConsentViolations',
      summary: 'List consent violations',
      description:
        `Interactions whose consent check at commit failed (\`consentCheck.allowed\` false). Each answer reads up to ${VIOLATION_SCAN_RECORDS} records; ` +
        'while `nextCursor` is not null, pass it as `cursor` to continue the scan (an answer may hold no violation yet still continue).',
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: violationsQuerySchema,
      responses: {
        200: {
          description: 'Violations among the records read',
          schema: z.object({
            records: z.array(storedInteractionSchema),
            scannedRecords: z.number().int(),
            nextCursor: z.string().nullable(),
          }),
        },
      },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const pages = interactionPages(ledger, channel, filterOf(query, mspId, LIMITS.pageSize), query.cursor ?? '');
        const records = [];
        let scannedRecords = 0;
        let nextCursor: string | null = null;
        for await (const page of pages) {
          records.push(...page.records.filter((record) => record.consentCheck?.allowed === false));
          scannedRecords += page.records.length;
          nextCursor = page.bookmark === '' ? null : page.bookmark;
          if (scannedRecords >= VIOLATION_SCAN_RECORDS) break;
        }
        return { status: 200, body: { records, scannedRecords, nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/export',
      operationId: 'exportInteractions',
      summary: 'Export interactions',
      description:
        'Every matching interaction as NDJSON (one stored record per line) or CSV (header line, nested fields flattened, lists joined with `|`), ' +
        'streamed with chunked transfer encoding while the ledger is paged: any size, constant memory. A failure after the first bytes cuts the connection.',
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: exportQuerySchema,
      responses: {
        200: {
          description: 'NDJSON: one interaction per line',
          contentType: 'application/x-ndjson',
          schema: z.string(),
        },
      },
      refusals: [404, 422],
      recordsAuditorRead: true,
      async handle({ params, query, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const filter = filterOf(query, mspId, query.pageSize ?? LIMITS.pageSize);
        // The first page is read before answering, so a refusal (403, 422…) is still a problem answer.
        const pages = interactionPages(ledger, channel, filter);
        const first = await pages.next();
        const firstPage: InteractionPage = first.done === true ? { records: [], bookmark: '' } : first.value;
        const read = new ReadTally();
        const chunks = recordsFrom(firstPage, firstPage.bookmark === '' ? undefined : pages, query.format, read);
        const extension = query.format === 'csv' ? 'csv' : 'ndjson';
        return {
          status: 200,
          headers: {
            'Content-Type': EXPORT_CONTENT_TYPES[query.format],
            'Content-Disposition': `attachment; filename="interactions-${channel}.${extension}"`,
          },
          stream: (res) => writeChunks(res, chunks),
          read,
        };
      },
    }),
  ];
}
