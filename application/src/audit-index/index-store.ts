import { sortedKeyJson, type InteractionQueryPath } from '@aal/ledger-contract';
import {
  Kysely,
  sql,
  type Expression,
  type ExpressionBuilder,
  type Selectable,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { DatabaseSync } from 'node:sqlite';
import type { UsageGroup, UsageGrouping, UsageTotals } from '../audit/usage-summary';
import type { DecodedBlock, IndexedInteraction } from './block-decoder';
import { migrate } from './migrations';
import { insertChunks } from './insert-chunks';
import { insertRecordRows } from './record-rows';
import { ReusedInsert } from './reused-insert';
import { addBatchPaths, addToRollup, batchPathInsert, rollupUpsert } from './usage-rollup';
import { addExactly } from './exact-total';
import { compareText, onSnapshot, usageGroups, usagePlan, usageReadScope, type UsageReadScope } from './usage-query';
import { DERIVED_TABLES, type AuditIndexDatabase } from './schema';
import type { NewestTxTime, TimeAnomaly } from './transaction-times';
import { nodeSqliteDialect, openSqlite } from './sqlite-dialect';
import type { AuditIndexBackend } from './store-location';

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

/** The interaction column of each query path. */
export const PATH_COLUMNS = {
  org: 'org',
  requestModel: 'request_model',
  actorRef: 'actor_ref',
  subjectRef: 'subject_ref',
  consentId: 'consent_id',
  applicationId: 'application_id',
} as const satisfies Record<InteractionQueryPath, keyof Db['interactions']>;

/** The condition selecting the interaction rows of a filter. */
export function matches(eb: Rows, filter: IndexFilter, options: { byIndex?: boolean } = {}): Expression<SqlBool> {
  // `column || ''` (the same text) when the caller reads rows through another index (byIndex false):
  // then no path index can be chosen for these conditions.
  const text = (column: 'org' | 'tx_time' | (typeof PATH_COLUMNS)[IndexFilter['by']]) =>
    options.byIndex === false ? sql<string>`${sql.ref(column)} || ''` : sql<string>`${sql.ref(column)}`;
  const conditions: Expression<SqlBool>[] = [
    eb('channel', '=', filter.channel),
    eb(text(PATH_COLUMNS[filter.by]), '=', filter.value),
  ];
  if (filter.org !== undefined) conditions.push(eb(text('org'), '=', filter.org));
  if (filter.from !== undefined) conditions.push(eb(text('tx_time'), '>=', filter.from));
  if (filter.to !== undefined) conditions.push(eb(text('tx_time'), '<=', filter.to));
  // `+block_number`: the height bound holds for nearly every row, so no index may be chosen for it.
  // Without statistics SQLite would take `interactions_in_block_order` (channel, block_number) for
  // it and read and sort every row of the channel instead of the path's index in time order.
  if (filter.atBlock !== undefined) conditions.push(eb(sql<number>`+${sql.ref('block_number')}`, '<=', filter.atBlock));
  return eb.and(conditions);
}

/** An interaction row as stored, without its ingestion sequence number: what `check` compares. */
export type StoredRow = Omit<Selectable<Db['interactions']>, 'seq'>;

/** What ingestion checked and derived of a block besides its rows, committed with them. */
export interface BlockEvidence {
  /** Fabric's header hash of the block (hex). */
  readonly headerHash: string;
  /** The newest transaction time up to and including this block. */
  readonly newest: NewestTxTime | undefined;
  readonly anomalies: readonly TimeAnomaly[];
}

/** A channel's checkpoint with what the next block is checked against. */
export interface ChainState {
  readonly blockNumber: number;
  /** Null for a checkpoint written before the hash chain was kept (migration 3). */
  readonly headerHash: string | null;
  readonly newest: NewestTxTime | undefined;
}

/** An interaction row as ingestion writes it: every column but the database's `seq`. */
export type InteractionRow = Omit<Db['interactions'], 'seq'>;

/** The columns of an interaction row in the order {@link rowOf} lists them. */
const INTERACTION_COLUMNS = [
  'channel',
  'record_id',
  'org',
  'tx_id',
  'block_number',
  'tx_index',
  'batch_id',
  'leaf_index',
  'tx_time',
  'request_model',
  'actor_ref',
  'application_id',
  'subject_ref',
  'consent_id',
  'is_error',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'reasoning_tokens',
  'cost_currency',
  'cost_amount_minor',
  'consent_allowed',
  'record_json',
] as const satisfies readonly (keyof InteractionRow)[];

/** The insert of interaction rows, an id already indexed adding nothing (one instance per store: see ReusedInsert). */
function interactionInsert(): ReusedInsert<InteractionRow> {
  return new ReusedInsert<InteractionRow>(INTERACTION_COLUMNS, (trx, rows) =>
    trx
      .insertInto('interactions')
      .values(rows)
      .onConflict((conflict) => conflict.columns(['channel', 'record_id']).doNothing()),
  );
}

/** The columns of one interaction row. */
export function rowOf(channel: string, indexed: IndexedInteraction): InteractionRow {
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
    // The block's own sorted-key JSON when the decoder kept it: the same bytes, not serialised again.
    record_json: indexed.json ?? sortedKeyJson(record),
  };
}

/**
 * The audit index's database: one row per committed interaction and one checkpoint per channel,
 * behind a typed query builder (Kysely), on SQLite (Node's built-in) or PostgreSQL with the same
 * queries (store-factory.ts picks). A block's rows and its checkpoint are committed in one
 * transaction, so a crash leaves either both or neither, and a block at or below the checkpoint is
 * skipped: ingesting a block twice changes nothing.
 */
export class AuditIndexStore {
  /** Ingestion's hot inserts, compiled once per row count for this store's dialect. */
  private readonly inserts = {
    interactions: interactionInsert(),
    rollup: rollupUpsert(),
    batchPaths: batchPathInsert(),
  };

  private constructor(
    readonly db: Kysely<Db>,
    readonly backend: AuditIndexBackend,
  ) {}

  /** Opens (creating and migrating as needed) the SQLite index at `path`, or in memory for `:memory:`. */
  static async open(path: string): Promise<AuditIndexStore> {
    return AuditIndexStore.over(openSqlite(path));
  }

  /** An index over an open SQLite database (tests use this to look inside). */
  static async over(database: DatabaseSync): Promise<AuditIndexStore> {
    return AuditIndexStore.connect(new Kysely<Db>({ dialect: nodeSqliteDialect(database) }), 'sqlite');
  }

  /** An index over a query builder of either backend: applies the migrations it lacks first. */
  static async connect(db: Kysely<Db>, backend: AuditIndexBackend): Promise<AuditIndexStore> {
    const store = AuditIndexStore.unmigrated(db, backend);
    await store.migrate();
    return store;
  }

  /**
   * An index over a query builder without touching the database yet (a PostgreSQL server may not be
   * reachable): {@link migrate} must succeed before any other call. The app opens its index this way.
   */
  static unmigrated(db: Kysely<Db>, backend: AuditIndexBackend): AuditIndexStore {
    return new AuditIndexStore(db, backend);
  }

  /** Applies the migrations the database lacks (none when it is up to date). */
  async migrate(): Promise<void> {
    await migrate(this.db, this.backend);
  }

  /** Resolves when the database answers a trivial query; rejects as the query would (IndexDatabaseUnavailableError when unreachable). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
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

  /** The channel's checkpoint with its header hash and the time rule's state, or undefined before the first block. */
  async chainState(channel: string): Promise<ChainState | undefined> {
    const row = await this.db.selectFrom('checkpoints').selectAll().where('channel', '=', channel).executeTakeFirst();
    if (row === undefined) return undefined;
    const { newest_tx_time: time, newest_tx_id: txId, newest_tx_block: blockNumber } = row;
    return {
      blockNumber: row.block_number,
      headerHash: row.header_hash,
      newest:
        time === null || txId === null || blockNumber === null
          ? undefined
          : { txId, blockNumber, txTimeMs: Date.parse(time) },
    };
  }

  /**
   * Adds a block's records (interactions here, the other kinds in record-rows.ts) and moves the channel's checkpoint to it, in one transaction.
   * A block at or below the checkpoint changes nothing (another process sharing the file may have
   * indexed it). Returns the channel's checkpoint afterwards and whether this call added the block.
   *
   * @throws Error for a block that skips one (the index would miss its records)
   */
  async applyBlock(
    channel: string,
    block: DecodedBlock,
    evidence: BlockEvidence,
  ): Promise<{ applied: boolean; checkpoint: number }> {
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
      // Only the rows this call inserted are summed: a record id already indexed must not count twice.
      let skipped = false;
      for (const chunk of insertChunks(rows)) {
        const result = await this.inserts.interactions.execute(trx, chunk);
        if (Number(result.numAffectedRows ?? 0) !== chunk.length) skipped = true;
      }
      // Rare (an id already indexed): keep the rows that are this block's, found by their block number.
      const added = skipped ? await rowsOfBlock(trx, channel, block.number, rows) : rows;
      await addToRollup(trx, added, this.inserts.rollup);
      await insertRecordRows(trx, channel, block);
      await addBatchPaths(trx, channel, block.batches, rows, this.inserts.batchPaths);
      if (evidence.anomalies.length > 0)
        await trx
          .insertInto('time_anomalies')
          .values(
            evidence.anomalies.map((anomaly) => ({
              channel,
              block_number: anomaly.blockNumber,
              tx_index: anomaly.txIndex,
              tx_id: anomaly.txId,
              tx_time: anomaly.txTime,
              earlier_tx_id: anomaly.earlierTxId,
              earlier_block_number: anomaly.earlierBlockNumber,
              earlier_tx_time: anomaly.earlierTxTime,
            })),
          )
          .execute();
      const checkpoint = {
        block_number: block.number,
        header_hash: evidence.headerHash,
        newest_tx_time: evidence.newest === undefined ? null : new Date(evidence.newest.txTimeMs).toISOString(),
        newest_tx_id: evidence.newest?.txId ?? null,
        newest_tx_block: evidence.newest?.blockNumber ?? null,
      };
      await trx
        .insertInto('checkpoints')
        .values({ channel, ...checkpoint })
        .onConflict((conflict) => conflict.column('channel').doUpdateSet(checkpoint))
        .execute();
      return { applied: true, checkpoint: block.number };
    });
  }

  /**
   * Usage totals and groups over the matching rows, summed by the database: from the usage rollup
   * for the whole hours of the range and from rows for the partial hours at its edges (or from rows
   * alone when the rollup cannot answer the filter; usage-query.ts), in one pass per source and on
   * one snapshot. Reads little more than `maxGroups + 1` groups, so a caller can tell "too many"
   * without holding them all.
   */
  async usage(
    filter: IndexFilter,
    groupBy: UsageGrouping,
    maxGroups: number,
  ): Promise<{ records: number; groups: UsageGroup[]; tooManyGroups: boolean }> {
    const groups = await onSnapshot(this.db, this.backend, filter.channel, (reader, checkpoint) =>
      usageGroups(reader, usagePlan(filter, checkpoint), groupBy, maxGroups),
    );
    if (groups === undefined) return { records: 0, groups: [], tooManyGroups: true };
    const records = groups.reduce((sum, group) => addExactly(sum, group.calls), 0);
    // Sorted here, not by the database: the order must not depend on a backend's collation.
    return { records, groups: groups.sort(byGroupKey), tooManyGroups: false };
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

  /**
   * A consent-violation scan's step: the channel's next up to `limit` violations (consent verdict
   * false; of `filter.org` alone when the filter names one) after `afterSeq` in ledger order, read
   * from their partial index (migration 7) — never the records without one — of which those
   * matching the filter come with their record.
   *
   * @returns how many violations were examined, the last one's `seq`, and those matching the filter
   */
  async violationScan(
    filter: IndexFilter,
    afterSeq: number,
    limit: number,
  ): Promise<{ scanned: number; lastSeq: number | undefined; violations: IndexRow[] }> {
    return onSnapshot(this.db, this.backend, filter.channel, async (reader) => {
      // The literal `consent_allowed = 0` (no parameter) lets both engines prove the partial index applies.
      const examined = reader
        .selectFrom('interactions')
        .select('seq')
        .where((eb) => {
          const conditions: Expression<SqlBool>[] = [
            eb('channel', '=', filter.channel),
            sql<SqlBool>`consent_allowed = 0`,
            eb('seq', '>', afterSeq),
          ];
          if (filter.atBlock !== undefined)
            conditions.push(eb(sql<number>`+${sql.ref('block_number')}`, '<=', filter.atBlock));
          // A caller scoped to its own org examines its own org's violations only: how many other
          // orgs have, and where, is not its to learn from the count or the cursor.
          if (filter.org !== undefined) conditions.push(eb(sql<string>`org || ''`, '=', filter.org));
          return eb.and(conditions);
        })
        .orderBy('seq')
        .limit(limit);
      const span = await reader
        .selectFrom(examined.as('examined'))
        .select((eb) => [eb.fn.countAll<number | string>().as('scanned'), eb.fn.max('examined.seq').as('last')])
        .executeTakeFirstOrThrow();
      const scanned = Number(span.scanned);
      if (scanned === 0) return { scanned, lastSeq: undefined, violations: [] };
      const rows = await reader
        .selectFrom('interactions')
        .where((eb) =>
          eb.and([
            // Through the violations' index: the path's own index would read all of the path's records.
            matches(eb, filter, { byIndex: false }),
            sql<SqlBool>`consent_allowed = 0`,
            eb('seq', '>', afterSeq),
            eb('seq', '<=', Number(span.last)),
          ]),
        )
        .select(['seq', 'org', 'subject_ref', 'consent_allowed', 'record_json'])
        .orderBy('seq')
        .execute();
      return {
        scanned,
        lastSeq: Number(span.last),
        violations: rows.map((row) => ({
          seq: row.seq,
          org: row.org,
          subjectRef: row.subject_ref,
          consentAllowed: row.consent_allowed,
          recordJson: row.record_json,
        })),
      };
    });
  }

  /**
   * The owners and (up to `maxSubjects`) distinct subjects of the matching rows, for the
   * auditor-read log of a summary (rollup and edge rows, as {@link usage}).
   */
  async readScope(filter: IndexFilter, maxSubjects: number): Promise<UsageReadScope> {
    return onSnapshot(this.db, this.backend, filter.channel, (reader, checkpoint) =>
      usageReadScope(reader, usagePlan(filter, checkpoint), maxSubjects),
    );
  }

  /** Up to `limit` time anomalies of `channel` up to block `atBlock`, after position `after` (block, tx), in ledger order. */
  async timeAnomalies(
    channel: string,
    atBlock: number,
    after: { blockNumber: number; txIndex: number } | undefined,
    limit: number,
  ): Promise<Selectable<Db['time_anomalies']>[]> {
    return this.db
      .selectFrom('time_anomalies')
      .selectAll()
      .where((eb) =>
        eb.and([
          eb('channel', '=', channel),
          eb('block_number', '<=', atBlock),
          ...(after === undefined
            ? []
            : [
                eb.or([
                  eb('block_number', '>', after.blockNumber),
                  eb.and([eb('block_number', '=', after.blockNumber), eb('tx_index', '>', after.txIndex)]),
                ]),
              ]),
        ]),
      )
      .orderBy('block_number')
      .orderBy('tx_index')
      .limit(limit)
      .execute();
  }

  /** Up to `limit` of the channel's rows after `afterSeq`, in ingestion (ledger) order, every column: for `check`. */
  async storedRows(channel: string, afterSeq: number, limit: number): Promise<Selectable<Db['interactions']>[]> {
    return this.db
      .selectFrom('interactions')
      .selectAll()
      .where((eb) => eb.and([eb('channel', '=', channel), eb('seq', '>', afterSeq)]))
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  /** How many interaction rows and time anomalies the index holds for `channel`. */
  /** The stored view (sorted-key JSON) of interaction `id` on `channel`, if the index holds it: one unique-key seek. */
  async interactionJson(channel: string, id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('interactions')
      .select('record_json')
      .where('channel', '=', channel)
      .where('record_id', '=', id)
      .executeTakeFirst();
    return row?.record_json;
  }

  async counts(channel: string): Promise<{ rows: number; anomalies: number }> {
    const rows = await this.db
      .selectFrom('interactions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel', '=', channel)
      .executeTakeFirstOrThrow();
    const anomalies = await this.db
      .selectFrom('time_anomalies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel', '=', channel)
      .executeTakeFirstOrThrow();
    return { rows: Number(rows.n), anomalies: Number(anomalies.n) };
  }

  /**
   * Empties every derived table, checkpoints included, in one transaction (the schema stays): the
   * index then reads from block 0 again. For a rebuild in place, with the app stopped.
   */
  async clear(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of DERIVED_TABLES) await trx.deleteFrom(table).execute();
    });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Those of `rows` stored with block number `blockNumber` (the ones a block's insert added). */
async function rowsOfBlock(
  trx: Transaction<Db>,
  channel: string,
  blockNumber: number,
  rows: readonly InteractionRow[],
): Promise<InteractionRow[]> {
  const stored = new Set<string>();
  for (const chunk of insertChunks(rows)) {
    const found = await trx
      .selectFrom('interactions')
      .select('record_id')
      .where('channel', '=', channel)
      .where(
        'record_id',
        'in',
        chunk.map((row) => row.record_id),
      )
      .where('block_number', '=', blockNumber)
      .execute();
    for (const row of found) stored.add(row.record_id);
  }
  // An id twice in the block was inserted once: keep its first row only.
  const kept = new Set<string>();
  return rows.filter((row) => stored.has(row.record_id) && !kept.has(row.record_id) && kept.add(row.record_id));
}

/** Groups by key, calls without the grouped field (null) last: the order UsageSummary gives. */
function byGroupKey(a: UsageGroup, b: UsageGroup): number {
  return a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : compareText(a.key, b.key);
}

/** Totals over groups (every call is in exactly one group). @throws TotalTooLargeError when a total passes 2^53 − 1 */
export function totalsOf(groups: readonly UsageGroup[]): UsageTotals {
  const totals: UsageTotals = {
    calls: 0,
    errorCalls: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, reasoning: 0 },
    cost: { byCurrency: [], unpricedCalls: 0 },
  };
  const currencies = new Map<string, { currency: string; amountMinor: number; calls: number }>();
  const { tokens } = totals;
  for (const group of groups) {
    totals.calls = addExactly(totals.calls, group.calls);
    totals.errorCalls = addExactly(totals.errorCalls, group.errorCalls);
    tokens.input = addExactly(tokens.input, group.tokens.input);
    tokens.output = addExactly(tokens.output, group.tokens.output);
    tokens.cacheRead = addExactly(tokens.cacheRead, group.tokens.cacheRead);
    tokens.reasoning = addExactly(tokens.reasoning, group.tokens.reasoning);
    totals.cost.unpricedCalls = addExactly(totals.cost.unpricedCalls, group.cost.unpricedCalls);
    for (const entry of group.cost.byCurrency) {
      const sum = currencies.get(entry.currency) ?? { currency: entry.currency, amountMinor: 0, calls: 0 };
      sum.amountMinor = addExactly(sum.amountMinor, entry.amountMinor);
      sum.calls = addExactly(sum.calls, entry.calls);
      currencies.set(entry.currency, sum);
    }
  }
  totals.cost.byCurrency = [...currencies.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
  return totals;
}
