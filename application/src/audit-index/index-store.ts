import { sortedKeyJson, type InteractionQueryPath } from '@aal/ledger-contract';
import { Kysely, sql, type Expression, type ExpressionBuilder, type Insertable, type SqlBool } from 'kysely';
import type { DatabaseSync } from 'node:sqlite';
import type { UsageGroup, UsageGrouping, UsageTotals } from '../audit/usage-summary';
import type { DecodedBlock, IndexedInteraction } from './block-decoder';
import { migrate } from './migrations';
import type { AuditIndexDatabase } from './schema';
import { nodeSqliteDialect, openSqlite } from './sqlite-dialect';

/** Which rows a query reads: one channel, one access path and value, a txTime range, and (for non-auditors) one org. */
export interface IndexFilter {
  readonly channel: string;
  readonly by: InteractionQueryPath;
  readonly value: string;
  /** Inclusive txTime bounds in stored form (see the contract's storedTimeBounds). */
  readonly from?: string;
  readonly to?: string;
  /** Only this org's records (every caller but an auditor of an auditor org). */
  readonly org?: string;
  /** Only rows of blocks up to this one: an answer reflects exactly the height it states. */
  readonly atBlock?: number;
}

/** A row read back: the stored record (JSON) and its place in ledger order. */
export interface IndexRow {
  readonly seq: number;
  readonly org: string;
  readonly subjectRef: string | null;
  readonly consentAllowed: number | null;
  readonly recordJson: string;
}

type Db = AuditIndexDatabase;
type Rows = ExpressionBuilder<Db, 'interactions'>;

const PATH_COLUMNS = {
  org: 'org',
  requestModel: 'request_model',
  actorRef: 'actor_ref',
  subjectRef: 'subject_ref',
  consentId: 'consent_id',
  applicationId: 'application_id',
} as const satisfies Record<InteractionQueryPath, keyof Db['interactions']>;

const GROUP_COLUMNS = {
  model: 'request_model',
  actor: 'actor_ref',
  application: 'application_id',
} as const satisfies Record<Exclude<UsageGrouping, 'day'>, keyof Db['interactions']>;

function matches(eb: Rows, filter: IndexFilter): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [
    eb('channel', '=', filter.channel),
    eb(PATH_COLUMNS[filter.by], '=', filter.value),
  ];
  if (filter.org !== undefined) conditions.push(eb('org', '=', filter.org));
  if (filter.from !== undefined) conditions.push(eb('tx_time', '>=', filter.from));
  if (filter.to !== undefined) conditions.push(eb('tx_time', '<=', filter.to));
  if (filter.atBlock !== undefined) conditions.push(eb('block_number', '<=', filter.atBlock));
  return eb.and(conditions);
}

/** The columns of one interaction row. */
function rowOf(channel: string, indexed: IndexedInteraction): Insertable<Db['interactions']> {
  const { record } = indexed;
  const { cost } = record;
  // An unpriced call (or one without amount or currency) has no amount: null, counted apart.
  const priced = cost.status !== 'unpriced' && cost.amountMinor !== undefined && cost.currency !== undefined;
  return {
    channel,
    record_id: record.id,
    org: record.org,
    tx_id: indexed.txId,
    block_number: indexed.blockNumber,
    tx_index: indexed.txIndex,
    batch_id: record.batchId ?? null,
    leaf_index: record.leafIndex ?? null,
    tx_time: record.txTime,
    request_model: record.requestModel,
    actor_ref: record.actorRef ?? null,
    application_id: record.applicationId ?? null,
    subject_ref: record.subjectRef ?? null,
    consent_id: record.consentId ?? null,
    is_error: record.status === 'error' ? 1 : 0,
    input_tokens: record.usage.inputTokens,
    output_tokens: record.usage.outputTokens,
    cache_read_tokens: record.usage.cacheReadTokens ?? 0,
    reasoning_tokens: record.usage.reasoningTokens ?? 0,
    cost_currency: priced ? (cost.currency ?? null) : null,
    cost_amount_minor: priced ? (cost.amountMinor ?? null) : null,
    consent_allowed: record.consentCheck === undefined ? null : record.consentCheck.allowed ? 1 : 0,
    record_json: sortedKeyJson(record),
  };
}

/** Rows inserted per statement: SQLite binds at most 32766 parameters, a row takes 24. */
const INSERT_CHUNK = 500;

/**
 * The audit index's database: one row per committed interaction and one checkpoint per channel,
 * behind a typed query builder (Kysely) on Node's built-in SQLite. A block's rows and its
 * checkpoint are committed in one transaction, so a crash leaves either both or neither, and a
 * block at or below the checkpoint is skipped: ingesting a block twice changes nothing.
 */
export class AuditIndexStore {
  private constructor(readonly db: Kysely<Db>) {}

  /** Opens (creating and migrating as needed) the index at `path`, or in memory for `:memory:`. */
  static async open(path: string): Promise<AuditIndexStore> {
    return AuditIndexStore.over(openSqlite(path));
  }

  /** An index over an open database (tests use this to look inside). */
  static async over(database: DatabaseSync): Promise<AuditIndexStore> {
    const db = new Kysely<Db>({ dialect: nodeSqliteDialect(database) });
    await migrate(db);
    return new AuditIndexStore(db);
  }

  /** The last block of `channel` whose rows are in the index, or undefined before the first. */
  async checkpoint(channel: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('checkpoints')
      .select('block_number')
      .where('channel', '=', channel)
      .executeTakeFirst();
    return row?.block_number;
  }

  /**
   * Adds a block's interactions and moves the channel's checkpoint to it, in one transaction.
   * A block at or below the checkpoint changes nothing (another process sharing the file may have
   * indexed it). Returns the channel's checkpoint afterwards and whether this call added the block.
   *
   * @throws Error for a block that skips one (the index would miss its records)
   */
  async applyBlock(channel: string, block: DecodedBlock): Promise<{ applied: boolean; checkpoint: number }> {
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('checkpoints')
        .select('block_number')
        .where('channel', '=', channel)
        .executeTakeFirst();
      const expected = current === undefined ? 0 : current.block_number + 1;
      if (block.number < expected) return { applied: false, checkpoint: expected - 1 };
      if (block.number > expected)
        throw new Error(`audit index of ${channel}: block ${block.number} arrived, block ${expected} expected`);
      const rows = block.interactions.map((indexed) => rowOf(channel, indexed));
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        await trx
          .insertInto('interactions')
          .values(rows.slice(start, start + INSERT_CHUNK))
          .onConflict((conflict) => conflict.columns(['channel', 'record_id']).doNothing())
          .execute();
      }
      await trx
        .insertInto('checkpoints')
        .values({ channel, block_number: block.number })
        .onConflict((conflict) => conflict.column('channel').doUpdateSet({ block_number: block.number }))
        .execute();
      return { applied: true, checkpoint: block.number };
    });
  }

  /**
   * Usage totals and groups over the matching rows, summed by the database. Reads at most
   * `maxGroups + 1` groups, so a caller can tell "too many" without holding them all.
   */
  async usage(
    filter: IndexFilter,
    groupBy: UsageGrouping,
    maxGroups: number,
  ): Promise<{ records: number; groups: UsageGroup[]; tooManyGroups: boolean }> {
    const key =
      groupBy === 'day'
        ? sql<string | null>`substr(tx_time, 1, 10)`
        : sql<string | null>`${sql.ref(GROUP_COLUMNS[groupBy])}`;
    const totals = await this.db
      .selectFrom('interactions')
      .where((eb) => matches(eb, filter))
      .select((eb) => [
        key.as('key'),
        eb.fn.countAll<number>().as('calls'),
        eb.fn.sum<number>('is_error').as('error_calls'),
        eb.fn.sum<number>('input_tokens').as('input'),
        eb.fn.sum<number>('output_tokens').as('output'),
        eb.fn.sum<number>('cache_read_tokens').as('cache_read'),
        eb.fn.sum<number>('reasoning_tokens').as('reasoning'),
        eb.fn.sum<number>(eb.case().when('cost_amount_minor', 'is', null).then(1).else(0).end()).as('unpriced'),
      ])
      .groupBy('key')
      .limit(maxGroups + 1)
      .execute();
    if (totals.length > maxGroups) return { records: 0, groups: [], tooManyGroups: true };
    const costs = await this.db
      .selectFrom('interactions')
      .where((eb) => eb.and([matches(eb, filter), eb('cost_amount_minor', 'is not', null)]))
      .select((eb) => [
        key.as('key'),
        'cost_currency',
        eb.fn.sum<number>('cost_amount_minor').as('amount'),
        eb.fn.countAll<number>().as('calls'),
      ])
      .groupBy(['key', 'cost_currency'])
      .orderBy('cost_currency')
      .execute();
    const groups = new Map<string | null, UsageGroup>();
    let records = 0;
    for (const row of totals) {
      records += row.calls;
      groups.set(row.key, {
        key: row.key,
        calls: row.calls,
        errorCalls: row.error_calls,
        tokens: { input: row.input, output: row.output, cacheRead: row.cache_read, reasoning: row.reasoning },
        cost: { byCurrency: [], unpricedCalls: row.unpriced },
      });
    }
    for (const row of costs) {
      if (row.cost_currency === null) continue;
      groups
        .get(row.key)
        ?.cost.byCurrency.push({ currency: row.cost_currency, amountMinor: row.amount, calls: row.calls });
    }
    return { records, groups: [...groups.values()].sort(byGroupKey), tooManyGroups: false };
  }

  /** Up to `limit` matching rows after `afterSeq`, in ledger order. */
  async rows(filter: IndexFilter, afterSeq: number, limit: number): Promise<IndexRow[]> {
    const rows = await this.db
      .selectFrom('interactions')
      .where((eb) => eb.and([matches(eb, filter), eb('seq', '>', afterSeq)]))
      .select(['seq', 'org', 'subject_ref', 'consent_allowed', 'record_json'])
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      seq: row.seq,
      org: row.org,
      subjectRef: row.subject_ref,
      consentAllowed: row.consent_allowed,
      recordJson: row.record_json,
    }));
  }

  /** The distinct owners and subjects of the matching rows, for the auditor-read log of a summary. */
  async readScope(filter: IndexFilter): Promise<{ owners: Map<string, number>; subjects: string[] }> {
    const owners = await this.db
      .selectFrom('interactions')
      .where((eb) => matches(eb, filter))
      .select((eb) => ['org', eb.fn.countAll<number>().as('records')])
      .groupBy('org')
      .execute();
    const subjects = await this.db
      .selectFrom('interactions')
      .where((eb) => eb.and([matches(eb, filter), eb('subject_ref', 'is not', null)]))
      .select('subject_ref')
      .distinct()
      .execute();
    return {
      owners: new Map(owners.map((row) => [row.org, row.records])),
      subjects: subjects.flatMap((row) => (row.subject_ref === null ? [] : [row.subject_ref])),
    };
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Groups by key, calls without the grouped field (null) last: the order UsageSummary gives. */
function byGroupKey(a: UsageGroup, b: UsageGroup): number {
  return a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1;
}

/** Totals over groups (every call is in exactly one group). */
export function totalsOf(groups: readonly UsageGroup[]): UsageTotals {
  const totals: UsageTotals = {
    calls: 0,
    errorCalls: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, reasoning: 0 },
    cost: { byCurrency: [], unpricedCalls: 0 },
  };
  const currencies = new Map<string, { currency: string; amountMinor: number; calls: number }>();
  for (const group of groups) {
    totals.calls += group.calls;
    totals.errorCalls += group.errorCalls;
    totals.tokens.input += group.tokens.input;
    totals.tokens.output += group.tokens.output;
    totals.tokens.cacheRead += group.tokens.cacheRead;
    totals.tokens.reasoning += group.tokens.reasoning;
    totals.cost.unpricedCalls += group.cost.unpricedCalls;
    for (const entry of group.cost.byCurrency) {
      const sum = currencies.get(entry.currency) ?? { currency: entry.currency, amountMinor: 0, calls: 0 };
      sum.amountMinor += entry.amountMinor;
      sum.calls += entry.calls;
      currencies.set(entry.currency, sum);
    }
  }
  totals.cost.byCurrency = [...currencies.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
  return totals;
}
