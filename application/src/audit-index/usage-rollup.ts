import type { StoredBatch } from '@aal/ledger-contract';
import { sql, type Insertable, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { ReusedInsert } from './reused-insert';
import type { Indexed } from './block-decoder';
import type { AuditIndexBackend } from './store-location';
import { onSnapshot } from './usage-query';
import { ROLLUP_NONE, type AuditIndexDatabase } from './schema';

type Db = AuditIndexDatabase;
type Trx = Transaction<Db>;

/** The rollup's key columns besides channel and hour: every field a usage summary filters or groups by (but consentId). */
export const USAGE_ROLLUP_KEY_COLUMNS = [
  'org',
  'request_model',
  'actor_ref',
  'application_id',
  'subject_ref',
  'cost_currency',
] as const satisfies readonly (keyof Db['usage_rollup'] & keyof Db['interactions'])[];

/** The rollup's summed columns. */
export const USAGE_SUM_COLUMNS = [
  'calls',
  'error_calls',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'reasoning_tokens',
  'cost_amount_minor',
] as const satisfies readonly (keyof Db['usage_rollup'])[];

/** The record fields a batch listing reads through `batch_paths`, and their interaction columns (org is the batch's own). */
export const BATCH_PATH_COLUMNS = {
  requestModel: 'request_model',
  actorRef: 'actor_ref',
  applicationId: 'application_id',
  subjectRef: 'subject_ref',
  consentId: 'consent_id',
} as const satisfies Record<string, keyof Db['interactions']>;

/** The UTC hour bucket of a stored txTime (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
export function hourOf(txTime: string): string {
  return txTime.slice(0, 13);
}

type InteractionRow = Insertable<Db['interactions']>;
type RollupRow = Db['usage_rollup'];

/** The rollup's columns in the order {@link rollupOf} lists them. */
const ROLLUP_COLUMNS = [
  'channel',
  'hour',
  ...USAGE_ROLLUP_KEY_COLUMNS,
  ...USAGE_SUM_COLUMNS,
] as const satisfies readonly (keyof RollupRow)[];

const BATCH_PATHS = Object.entries(BATCH_PATH_COLUMNS);

/** Rows of one rollup key per statement: a row binds 15 parameters (SQLite allows 32766). */
const UPSERT_CHUNK = 500;

/** The key of a rollup row: JSON of its key columns, unambiguous whatever characters the values hold. */
function rollupKey(entry: RollupRow): string {
  return JSON.stringify([entry.channel, entry.hour, ...USAGE_ROLLUP_KEY_COLUMNS.map((column) => entry[column])]);
}

/** A row's addends to its rollup row's sums, in {@link USAGE_SUM_COLUMNS} order. */
function addendsOf(row: InteractionRow): Record<(typeof USAGE_SUM_COLUMNS)[number], number> {
  return {
    calls: 1,
    error_calls: row.is_error,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cache_read_tokens: row.cache_read_tokens ?? 0,
    reasoning_tokens: row.reasoning_tokens ?? 0,
    cost_amount_minor: row.cost_amount_minor ?? 0,
  };
}

/**
 * The rollup rows of some interaction rows: their sums per channel, hour and key. Sums stay exact in
 * JS numbers: where adding a row would pass 2^53 − 1 (only records written before the per-call
 * limits hold counts that large), the key gets a further row, and the database adds the rows up
 * exactly ({@link addToRollup}).
 */
export function rollupOf(rows: readonly InteractionRow[]): RollupRow[] {
  const sums = new Map<string, RollupRow[]>();
  for (const row of rows) {
    const entry: RollupRow = {
      channel: row.channel,
      hour: hourOf(row.tx_time),
      org: row.org,
      request_model: row.request_model,
      actor_ref: row.actor_ref ?? ROLLUP_NONE,
      application_id: row.application_id ?? ROLLUP_NONE,
      subject_ref: row.subject_ref ?? ROLLUP_NONE,
      cost_currency: row.cost_currency ?? ROLLUP_NONE,
      calls: 0,
      error_calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      reasoning_tokens: 0,
      cost_amount_minor: 0,
    };
    const key = rollupKey(entry);
    const partials = sums.get(key) ?? [];
    sums.set(key, partials);
    const addends = addendsOf(row);
    const last = partials.at(-1);
    const fits =
      last !== undefined && USAGE_SUM_COLUMNS.every((column) => Number.isSafeInteger(last[column] + addends[column]));
    const sum = fits ? last : entry;
    if (!fits) partials.push(entry);
    for (const column of USAGE_SUM_COLUMNS) sum[column] += addends[column];
  }
  return [...sums.values()].flat();
}

/** Rollup rows in rounds in which no key repeats: one upsert statement may not change a row twice (PostgreSQL). */
export function rollupRounds(rollup: readonly RollupRow[]): RollupRow[][] {
  const rounds: RollupRow[][] = [];
  const seen = new Map<string, number>();
  for (const row of rollup) {
    const key = rollupKey(row);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(row);
  }
  return rounds;
}

/** The upsert adding rollup rows to the sums already stored (one instance per store: see ReusedInsert). */
export function rollupUpsert(): ReusedInsert<RollupRow> {
  return new ReusedInsert<RollupRow>(ROLLUP_COLUMNS, (trx, rows) =>
    trx
      .insertInto('usage_rollup')
      .values(rows)
      .onConflict((conflict) =>
        conflict
          .columns(['channel', 'hour', ...USAGE_ROLLUP_KEY_COLUMNS])
          .doUpdateSet((eb) =>
            Object.fromEntries(
              USAGE_SUM_COLUMNS.map((column) => [
                column,
                eb(`usage_rollup.${column}`, '+', eb.ref(`excluded.${column}`)),
              ]),
            ),
          ),
      ),
  );
}

/** Adds interaction rows just inserted to the rollup, in the caller's (the block's) transaction. */
export async function addToRollup(
  trx: Trx,
  rows: readonly InteractionRow[],
  upsert: ReusedInsert<RollupRow>,
): Promise<void> {
  for (const round of rollupRounds(rollupOf(rows)))
    for (let start = 0; start < round.length; start += UPSERT_CHUNK)
      await upsert.execute(trx, round.slice(start, start + UPSERT_CHUNK));
}

type BatchPathRow = Db['batch_paths'];

/** The insert of batch path rows, a row already stored adding nothing (one instance per store: see ReusedInsert). */
export function batchPathInsert(): ReusedInsert<BatchPathRow> {
  return new ReusedInsert<BatchPathRow>(['channel', 'path', 'value', 'tx_time', 'batch_id'], (trx, rows) =>
    trx
      .insertInto('batch_paths')
      .values(rows)
      .onConflict((conflict) => conflict.doNothing()),
  );
}

/** Records each distinct record-field value of each batch in `batch_paths` (a batch seen twice adds nothing). */
export async function addBatchPaths(
  trx: Trx,
  channel: string,
  batches: readonly Indexed<StoredBatch>[],
  rows: readonly InteractionRow[],
  insert: ReusedInsert<BatchPathRow>,
): Promise<void> {
  if (batches.length === 0) return;
  const txTimes = new Map(batches.map((batch) => [batch.record.batchId, batch.record.txTime]));
  const paths = new Map<string, BatchPathRow>();
  for (const row of rows) {
    const batchId = row.batch_id;
    const txTime = batchId === null || batchId === undefined ? undefined : txTimes.get(batchId);
    if (batchId === null || batchId === undefined || txTime === undefined) continue;
    for (const [path, column] of BATCH_PATHS) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      // Unambiguous: neither a path name nor a batch id (hex) holds a NUL.
      paths.set(`${path}\u0000${batchId}\u0000${value}`, { channel, path, value, tx_time: txTime, batch_id: batchId });
    }
  }
  const values = [...paths.values()];
  for (let start = 0; start < values.length; start += UPSERT_CHUNK)
    await insert.execute(trx, values.slice(start, start + UPSERT_CHUNK));
}

/**
 * Compares the channel's rollup with a recount of its interaction rows, on one snapshot: one line
 * per hour and key whose sums differ (or that only one side has). Reads every row: for `check`.
 */
export async function rollupDifferences(
  db: Kysely<Db>,
  backend: AuditIndexBackend,
  channel: string,
): Promise<string[]> {
  return onSnapshot(db, backend, channel, async (reader) => {
    // Sums compared as the database's exact text: a sum past 2^53 − 1 is compared, never rounded or refused.
    const exact = (expression: RawBuilder<unknown>): RawBuilder<string> =>
      sql<string>`CAST(COALESCE(${expression}, 0) AS TEXT)`;
    const recount = await reader
      .selectFrom('interactions')
      .where('channel', '=', channel)
      .select((eb) => [
        sql<string>`substr(tx_time, 1, 13)`.as('hour'),
        ...USAGE_ROLLUP_KEY_COLUMNS.map((column) => eb.fn.coalesce(column, sql.lit(ROLLUP_NONE)).as(column)),
        exact(sql`COUNT(*)`).as('calls'),
        exact(sql`SUM(is_error)`).as('error_calls'),
        ...USAGE_SUM_COLUMNS.filter((column) => column !== 'calls' && column !== 'error_calls').map((column) =>
          exact(sql`SUM(${sql.ref(column)})`).as(column),
        ),
      ])
      .groupBy([sql`substr(tx_time, 1, 13)`, ...USAGE_ROLLUP_KEY_COLUMNS])
      .execute();
    const stored = await reader
      .selectFrom('usage_rollup')
      .where('channel', '=', channel)
      .select([
        'hour',
        ...USAGE_ROLLUP_KEY_COLUMNS,
        ...USAGE_SUM_COLUMNS.map((column) => exact(sql.ref(column)).as(column)),
      ])
      .execute();
    const keyOf = (row: Record<string, unknown>): string =>
      JSON.stringify([row['hour'], ...USAGE_ROLLUP_KEY_COLUMNS.map((column) => row[column])]);
    const sumsOf = (row: Record<string, unknown>): string =>
      USAGE_SUM_COLUMNS.map((column) => String(row[column])).join(',');
    const expected = new Map(recount.map((row) => [keyOf(row), { hour: row.hour, sums: sumsOf(row) }]));
    const differences: string[] = [];
    for (const row of stored) {
      const key = keyOf(row);
      const recounted = expected.get(key)?.sums;
      if (recounted !== sumsOf(row))
        differences.push(`usage rollup ${row.hour}: sums ${sumsOf(row)} stored, ${recounted ?? 'no rows'} recounted`);
      expected.delete(key);
    }
    for (const { hour, sums } of expected.values())
      differences.push(`usage rollup ${hour}: no rollup row, ${sums} recounted from rows`);
    // In hour order, whatever order the database grouped in.
    return differences.sort();
  });
}
