import {
  DEFAULT_PAGE_SIZE,
  LIMITS,
  TIME_RANGE_RULE,
  storedInteractionSchema,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { z } from 'zod';
import type { AuditIndex } from '../../audit-index/audit-index';
import { decodeIndexCursor } from '../../audit-index/index-cursor';
import { AUDIT_RECORD_TYPES, auditRecordPage, type AuditRecordType } from '../../audit-index/index-queries';
import { indexFilterOf, indexHeight, minBlockQuery, readScopeOf } from '../../audit-index/index-reads';
import { INDEX_PAGING_RULE, indexPageBody, indexPageSchema } from '../schemas/index-page';
import { pageQueryShape } from '../schemas/paging';
import { totalsOf, type IndexFilter, type IndexRow } from '../../audit-index/index-store';
import { USAGE_TOTALS_PER_GROUP } from '../../audit-index/usage-query';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  csvHeader,
  exportLine,
  type ExportFormat,
} from '../../audit/interaction-export';
import { USAGE_GROUPINGS } from '../../audit/usage-summary';
import { MAX_SUBJECT_REFS } from '../../audit-log/auditor-read-log';
import { ReadTally } from '../../audit-log/read-tally';
import { committedFilterValue } from '../../commitments/reference-commitments';
import type { LedgerClient } from '../../ledger/ledger-client';
import { OwnRecordIds } from '../../records/own-record-ids';
import type { SubjectKeys } from '../../subjects/subject-keys';
import { channelParams, requireMemberChannel } from '../schemas/channel';
import { writeChunks } from '../middleware/chunked-body';
import { interactionRangeQuery } from '../schemas/interaction-query';
import { HttpProblem } from '../problem';
import { defineRoute, type AnyRouteDefinition } from '../route';

/** Most groups a usage summary holds in memory. */
export const MAX_USAGE_GROUPS = 10_000;
/** Group-currency totals a usage summary holds at most (the index's bound per group allowed). */
const MAX_USAGE_TOTALS = MAX_USAGE_GROUPS * USAGE_TOTALS_PER_GROUP;
/** The export's header naming the block height it reflects (its body is records only). */
export const AS_OF_BLOCK_HEADER = 'X-As-Of-Block';
/** Violations the violations route examines per request (memory bound); `nextCursor` continues the scan. */
export const VIOLATION_SCAN_RECORDS = 5_000;

/**
 * Rows an export reads first, at most: its first lines leave after a small read, and each next read
 * takes twice as many rows up to the requested page size, so a client that stops early (a preview, a
 * `head`) leaves little reading behind it that the app's next answers would wait for.
 */
const EXPORT_FIRST_PAGE_ROWS = 100;

/** `by`/`value` are optional here: without them, the org's own records (`by=org&value=<own MSP id>`). */
const rangeShape = {
  by: interactionRangeQuery.by.optional().describe("access path; default org (with value = this org's MSP id)"),
  value: interactionRangeQuery.value.optional(),
  from: interactionRangeQuery.from,
  to: interactionRangeQuery.to,
  minBlock: minBlockQuery,
};

const asOfBlock = z
  .string()
  .describe('the block height the answer reflects: every record of the channel committed up to this block');

const bothOrNeither = (query: { by?: unknown; value?: unknown }): boolean =>
  (query.by === undefined) === (query.value === undefined);
const BOTH_OR_NEITHER = { message: 'give by and value together, or neither', path: ['value'] };
/** The rule in the OpenAPI document: query parameters cannot state rules between them in JSON Schema. */
const BOTH_OR_NEITHER_RULE = { 'x-rules': ['`by` and `value` are given together, or neither', TIME_RANGE_RULE] };

const usageQuerySchema = z
  .strictObject({
    ...rangeShape,
    groupBy: z.enum(USAGE_GROUPINGS).describe('model, actor, application, UTC day or the recording org (MSP id)'),
  })
  .refine(bothOrNeither, BOTH_OR_NEITHER)
  .meta(BOTH_OR_NEITHER_RULE);

const violationsQuerySchema = z
  .strictObject({
    ...rangeShape,
    cursor: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,14})$/, 'must be the nextCursor of a previous answer')
      .optional()
      .describe('nextCursor of the previous answer'),
  })
  .refine(bothOrNeither, BOTH_OR_NEITHER)
  .meta(BOTH_OR_NEITHER_RULE);

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
      .describe(
        `records read from the audit index per page (default 1000; the first page reads at most ${EXPORT_FIRST_PAGE_ROWS} and each next page twice the one before up to this size, so the first lines leave early); does not change the output`,
      ),
  })
  .refine(bothOrNeither, BOTH_OR_NEITHER)
  .meta(BOTH_OR_NEITHER_RULE);

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
  asOfBlock,
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

const recordsQuerySchema = z.strictObject({
  type: z
    .enum(Object.keys(AUDIT_RECORD_TYPES) as [AuditRecordType, ...AuditRecordType[]])
    .describe('which kind of ledger record'),
  ...pageQueryShape,
  minBlock: minBlockQuery,
});

/** The sort key in a records cursor: block, position in the block, record key. */
const LEDGER_ORDER_CURSOR = z.tuple([z.number().int().min(0), z.number().int().min(0), z.string()]);

const placedRecordSchema = z.object({
  record: z
    .record(z.string(), z.unknown())
    .describe('the record as the ledger stores it (annotation, artifact, training run or erasure receipt)'),
  txId: z.string(),
  blockNumber: z.string(),
});

/** Counts one row an answer read, for the auditor-read log. */
function countRow(tally: ReadTally, row: IndexRow): void {
  tally.owner(row.org);
  if (row.subjectRef !== null) tally.subject(row.subjectRef);
}

/**
 * Every matching row in ledger order, one page at a time from the first (already read, of
 * `firstPage.size` rows at most), each page twice the size of the one before up to `pageSize`:
 * constant memory at any size.
 */
async function* rowPages(
  index: AuditIndex,
  filter: IndexFilter,
  pageSize: number,
  firstPage: { rows: IndexRow[]; size: number },
): AsyncGenerator<IndexRow[]> {
  let rows = firstPage.rows;
  let size = firstPage.size;
  for (;;) {
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (last === undefined || rows.length < size) return;
    size = Math.min(pageSize, size * 2);
    rows = await index.store.rows(filter, last.seq, size);
  }
}

/** The export's lines, one chunk per page, each page counted in `tally` as it is handed out for writing. */
async function* exportChunks(
  pages: AsyncGenerator<IndexRow[]>,
  format: ExportFormat,
  tally: ReadTally,
): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader();
  for await (const rows of pages) {
    for (const row of rows) countRow(tally, row);
    yield rows
      .map((row) =>
        format === 'ndjson'
          ? `${row.recordJson}\n`
          : exportLine(JSON.parse(row.recordJson) as StoredInteraction, format),
      )
      .join('');
  }
}

/**
 * Audit routes (auditors and the org's admins): usage summaries, consent violations, and a
 * streamed export, answered from the org's audit index (every committed interaction on the
 * channel, single, gathered or batched), with the chaincode's access rule: auditors of an
 * auditor org read every org's records, everyone else their own org's.
 */
export function auditRoutes(deps: {
  readonly channels: readonly string[];
  readonly mspId: string;
  readonly auditIndex: AuditIndex;
  /** The orgs whose auditors read every org's records (AAL_AUDITOR_ORGS, as the chaincode's). */
  readonly auditorOrgs: ReadonlySet<string>;
  /** The org's keys: a clear actorRef in a filter is committed with the org's content key. */
  readonly subjectKeys: SubjectKeys;
}): AnyRouteDefinition[] {
  const { channels, mspId, auditIndex, auditorOrgs, subjectKeys } = deps;
  const ids = new OwnRecordIds(mspId);
  /** The query with a bare `consentId` read as this org's consent and a clear `actorRef` committed with this org's key. */
  const ownQuery = async <Q extends { by?: string; value?: string }>(
    query: Q,
    ledger: LedgerClient,
    channel: string,
  ): Promise<Q> => {
    if (query.value === undefined) return query;
    const value = await committedFilterValue(subjectKeys, ledger, channel, query.by, query.value);
    return { ...query, value: ids.filterValue(query.by, value) ?? value };
  };
  return [
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/usage',
      operationId: 'summariseUsage',
      summary: 'Summarise usage',
      description:
        'Calls, tokens (input, output, cache-read, reasoning) and cost per currency in minor units, with unpriced calls counted apart, ' +
        `in total and per group (at most ${MAX_USAGE_GROUPS} groups and ${MAX_USAGE_TOTALS} group-currency totals, unpriced calls of a group counting as one; more is 422), over every committed record of the channel whatever its write path, ` +
        "summed by the org's audit index; `asOfBlock` is the block height the summary reflects. " +
        'Every total is exact: one above 2^53 − 1 (past what a JSON number states exactly) is refused 422, never rounded.',
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: usageQuerySchema,
      responses: { 200: { description: 'The summary', schema: usageSchema } },
      refusals: [404, 422, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const scope = readScopeOf(caller.role, mspId, auditorOrgs);
        const { filter, asOfBlock } = await indexFilterOf(auditIndex, scope, {
          ...(await ownQuery(query, ledger, channel)),
          channel,
        });
        // A total past 2^53 − 1 (in a group or over them) leaves as TotalTooLargeError: 422 (problem-handler.ts).
        const usage = await auditIndex.store.usage(filter, query.groupBy, MAX_USAGE_GROUPS);
        if (usage.tooManyGroups)
          throw new HttpProblem(
            422,
            'Too many groups',
            `more than ${MAX_USAGE_GROUPS} groups or ${MAX_USAGE_TOTALS} group-currency totals: narrow from/to or group differently`,
          );
        // The answer holds totals, not records: the records summed are what the auditor read. Only an
        // auditor's read is recorded (recordsAuditorRead), so only then are its owners and subjects read.
        const read = new ReadTally();
        if (caller.role === 'auditor') {
          const { owners, subjects, omittedSubjects } = await auditIndex.store.readScope(filter, MAX_SUBJECT_REFS);
          for (const [owner, records] of owners) read.owner(owner, records);
          for (const subjectRef of subjects) read.subject(subjectRef);
          read.subjectsOmitted(omittedSubjects);
        }
        return {
          status: 200,
          body: {
            asOfBlock: String(asOfBlock),
            groupBy: query.groupBy,
            by: filter.by,
            value: filter.value,
            from: query.from ?? null,
            to: query.to ?? null,
            records: usage.records,
            totals: totalsOf(usage.groups),
            groups: usage.groups,
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
        `Interactions whose consent check at commit failed (\`consentCheck.allowed\` false), whatever their write path. Each answer examines up to ${VIOLATION_SCAN_RECORDS} of the channel's violations in ledger order (\`scannedRecords\`; records without a violation are not read) and answers those that match the filter, ` +
        'all at the `asOfBlock` of the first answer when `minBlock` repeats it; ' +
        'while `nextCursor` is not null, pass it as `cursor` to continue the scan (an answer may hold no matching violation yet still continue).',
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: violationsQuerySchema,
      responses: {
        200: {
          description: 'The matching violations among those examined',
          schema: z.object({
            asOfBlock,
            records: z.array(storedInteractionSchema),
            scannedRecords: z.number().int(),
            nextCursor: z.string().nullable(),
          }),
        },
      },
      refusals: [404, 422, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const scope = readScopeOf(caller.role, mspId, auditorOrgs);
        const { filter, asOfBlock } = await indexFilterOf(auditIndex, scope, {
          ...(await ownQuery(query, ledger, channel)),
          channel,
        });
        const scan = await auditIndex.store.violationScan(filter, Number(query.cursor ?? '0'), VIOLATION_SCAN_RECORDS);
        const records = scan.violations.map((row) => JSON.parse(row.recordJson) as StoredInteraction);
        const nextCursor =
          scan.scanned < VIOLATION_SCAN_RECORDS || scan.lastSeq === undefined ? null : String(scan.lastSeq);
        return {
          status: 200,
          body: { asOfBlock: String(asOfBlock), records, scannedRecords: scan.scanned, nextCursor },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/records',
      operationId: 'listLedgerRecords',
      summary: 'List ledger records of one kind',
      description:
        'Annotations, artifacts, training runs or erasure receipts of the channel, in ledger order (block, position), each with its transaction and block. ' +
        "Auditors of an auditor org read every org's records, everyone else their own org's (annotating, registering, declaring or erasing org). " +
        INDEX_PAGING_RULE,
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: recordsQuerySchema,
      responses: { 200: { description: 'A page of records', schema: indexPageSchema(placedRecordSchema) } },
      refusals: [404, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller }) {
        const channel = requireMemberChannel(params.channel, channels);
        const scope = readScopeOf(caller.role, mspId, auditorOrgs);
        const atBlock = await indexHeight(auditIndex, channel, query.minBlock);
        const after = query.cursor === undefined ? undefined : decodeIndexCursor(query.cursor, LEDGER_ORDER_CURSOR);
        const page = await auditRecordPage(
          auditIndex.store.db,
          query.type,
          { channel, atBlock, ...(scope.everything ? {} : { org: scope.mspId }) },
          query.pageSize ?? DEFAULT_PAGE_SIZE,
          after,
        );
        return { status: 200, body: indexPageBody(page, atBlock) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/channels/:channel/audit/export',
      operationId: 'exportInteractions',
      summary: 'Export interactions',
      description:
        'Every matching interaction as NDJSON (one stored record per line) or CSV (header line, nested fields flattened, lists joined with `|`), ' +
        'streamed with chunked transfer encoding while the audit index is paged: any size, constant memory; every committed record whatever its write path, ' +
        'in ledger order, up to the block height in the `X-As-Of-Block` header. A failure after the first bytes cuts the connection.',
      tag: 'audit',
      roles: ['auditor', 'admin'],
      params: channelParams,
      query: exportQuerySchema,
      responses: {
        200: {
          description:
            'NDJSON (`format=ndjson`): one interaction per line; CSV (`format=csv`): a header line, then one row per interaction',
          contentType: 'application/x-ndjson',
          alternativeContentTypes: ['text/csv'],
          schema: z.string(),
        },
      },
      refusals: [404, 422, 503],
      recordsAuditorRead: true,
      async handle({ params, query, caller, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        // Checked before answering, so a refusal (403, 503…) is still a problem answer.
        const scope = readScopeOf(caller.role, mspId, auditorOrgs);
        const { filter, asOfBlock } = await indexFilterOf(auditIndex, scope, {
          ...(await ownQuery(query, ledger, channel)),
          channel,
        });
        const read = new ReadTally();
        const pageSize = query.pageSize ?? LIMITS.pageSize;
        // Read before answering too: an index database that cannot be reached is a 503, not a 200 cut short.
        const firstPageSize = Math.min(pageSize, EXPORT_FIRST_PAGE_ROWS);
        const firstPage = { rows: await auditIndex.store.rows(filter, 0, firstPageSize), size: firstPageSize };
        const chunks = exportChunks(rowPages(auditIndex, filter, pageSize, firstPage), query.format, read);
        const extension = query.format === 'csv' ? 'csv' : 'ndjson';
        return {
          status: 200,
          headers: {
            'Content-Type': EXPORT_CONTENT_TYPES[query.format],
            'Content-Disposition': `attachment; filename="interactions-${channel}.${extension}"`,
            [AS_OF_BLOCK_HEADER]: String(asOfBlock),
          },
          stream: (res) => writeChunks(res, chunks),
          read,
        };
      },
    }),
  ];
}
