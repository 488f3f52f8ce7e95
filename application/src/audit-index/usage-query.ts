import { sql, type Kysely, type Transaction } from 'kysely';
import type { UsageGroup, UsageGrouping } from '../audit/usage-summary';
import type { IndexFilter } from './index-store';
import { matches, PATH_COLUMNS } from './index-store';
import { ROLLUP_NONE, type AuditIndexDatabase } from './schema';
import type { AuditIndexBackend } from './store-location';
import { addExactly } from './exact-total';
import { hourOf } from './usage-rollup';

type Db = AuditIndexDatabase;
type Reader = Transaction<Db>;

/** The sums of one group in one currency (null: unpriced calls), from rows or from the rollup. */
interface GroupCurrencySums {
  readonly key: string | null;
  readonly currency: string | null;
  readonly calls: number;
  readonly error_calls: number;
  readonly input: number;
  readonly output: number;
  readonly cache_read: number;
  readonly reasoning: number;
  readonly amount: number;
}

/** The rows a usage answer reads: raw rows over whole or edge ranges, rollup rows over whole hours. */
export interface UsagePlan {
  /** Filters answered from raw interaction rows (the edge hours, or everything when the rollup cannot answer). */
  readonly raw: readonly IndexFilter[];
  /** Whole hours answered from the rollup (inclusive `YYYY-MM-DDTHH` bounds), or undefined for none. */
  readonly rollup?: { readonly filter: IndexFilter; readonly fromHour?: string; readonly toHour?: string };
}

const HOUR_MS = 3_600_000;
/** An hour as the rollup keys it: `YYYY-MM-DDTHH`, a four-digit year. */
const STORED_HOUR = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}$/;
const hourStart = (hour: string): string => `${hour}:00:00.000Z`;
const hourEnd = (hour: string): string => `${hour}:59:59.999Z`;
const shiftHour = (hour: string, hours: number): string =>
  hourOf(new Date(Date.parse(hourStart(hour)) + hours * HOUR_MS).toISOString());

/**
 * How to answer `filter` exactly: from the rollup for the whole hours inside its time bounds plus
 * raw rows for the partial hours at its edges; from raw rows alone when the rollup cannot answer —
 * a consentId filter (not a rollup key), or a height below the index's checkpoint (the rollup holds
 * every block up to the checkpoint and cannot take a later block out).
 */
export function usagePlan(filter: IndexFilter, checkpoint: number | undefined): UsagePlan {
  if (filter.by === 'consentId') return { raw: [filter] };
  if (filter.atBlock !== undefined && checkpoint !== undefined && checkpoint > filter.atBlock) return { raw: [filter] };
  const { from, to } = filter;
  const fromHour =
    from === undefined ? undefined : from === hourStart(hourOf(from)) ? hourOf(from) : shiftHour(hourOf(from), 1);
  const toHour = to === undefined ? undefined : to === hourEnd(hourOf(to)) ? hourOf(to) : shiftHour(hourOf(to), -1);
  // A bound inside the first or last hour the stored form can write has no whole hour beyond it (the
  // shifted hour would be '+010000-…' or '-000001-…', which sorts before every hour): rows answer.
  if ([fromHour, toHour].some((hour) => hour !== undefined && !STORED_HOUR.test(hour))) return { raw: [filter] };
  if (fromHour !== undefined && toHour !== undefined && fromHour > toHour) return { raw: [filter] };
  const raw: IndexFilter[] = [];
  if (from !== undefined && fromHour !== undefined && from < hourStart(fromHour))
    raw.push({ ...filter, to: hourEnd(shiftHour(fromHour, -1)) });
  if (to !== undefined && toHour !== undefined && to > hourEnd(toHour))
    raw.push({ ...filter, from: hourStart(shiftHour(toHour, 1)) });
  return {
    raw,
    rollup: { filter, ...(fromHour === undefined ? {} : { fromHour }), ...(toHour === undefined ? {} : { toHour }) },
  };
}

/**
 * Runs `read` on one snapshot of the index (PostgreSQL: repeatable read; SQLite: one transaction),
 * after reading the channel's checkpoint in it, so the rollup and the rows agree with each other.
 */
export async function onSnapshot<T>(
  db: Kysely<Db>,
  backend: AuditIndexBackend,
  channel: string,
  read: (reader: Reader, checkpoint: number | undefined) => Promise<T>,
): Promise<T> {
  const transaction = backend === 'postgres' ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return transaction.execute(async (trx) => {
    const row = await trx
      .selectFrom('checkpoints')
      .select('block_number')
      .where('channel', '=', channel)
      .executeTakeFirst();
    return read(trx, row === undefined ? undefined : Number(row.block_number));
  });
}

/**
 * Totals (a group's sums in one currency, or its unpriced calls) a usage answer may hold per group it
 * may hold: with `maxGroups` groups, at most `maxGroups × 4` totals. Currencies are any three capital
 * letters, so without this bound one group's records could name thousands.
 */
export const USAGE_TOTALS_PER_GROUP = 4;

/**
 * The usage groups of a plan, summed in one pass per source; undefined when more than `maxGroups`
 * groups, or more than `maxGroups × USAGE_TOTALS_PER_GROUP` group-currency totals, exist. Reads at
 * most one total more than that per source, so "too many" is told without holding them all.
 */
export async function usageGroups(
  db: Reader,
  plan: UsagePlan,
  groupBy: UsageGrouping,
  maxGroups: number,
): Promise<UsageGroup[] | undefined> {
  const maxTotals = maxGroups * USAGE_TOTALS_PER_GROUP;
  const groups = new Map<string | null, UsageGroup>();
  const totals = new Set<string>();
  const sources: ((limit: number) => Promise<GroupCurrencySums[]>)[] = plan.raw.map(
    (filter) => (limit) => rawSums(db, filter, groupBy, limit),
  );
  const { rollup } = plan;
  if (rollup !== undefined) sources.push((limit) => rollupSums(db, rollup, groupBy, limit));
  for (const source of sources) {
    // One row per group and currency: more rows than totals allowed is too many already.
    const rows = await source(maxTotals + 1);
    if (rows.length > maxTotals) return undefined;
    for (const row of rows) {
      add(groups, row);
      totals.add(JSON.stringify([row.key, row.currency]));
    }
    if (groups.size > maxGroups || totals.size > maxTotals) return undefined;
  }
  for (const group of groups.values()) group.cost.byCurrency.sort((a, b) => compareText(a.currency, b.currency));
  return [...groups.values()];
}

/** What an auditor's summary read: the orgs owning its records and (some of) the subjects they name. */
export interface UsageReadScope {
  /** Records read per owning org. */
  readonly owners: Map<string, number>;
  /** The first `maxSubjects` distinct subjects, in text order. */
  readonly subjects: string[];
  /** How many more distinct subjects the records name. */
  readonly omittedSubjects: number;
}

/**
 * The orgs owning the plan's records (with counts) and the distinct subjects they name, at most
 * `maxSubjects` of them read (a summary over a million records may name as many subjects: the
 * rest are counted by the database, never held).
 */
export async function usageReadScope(db: Reader, plan: UsagePlan, maxSubjects: number): Promise<UsageReadScope> {
  const owners = new Map<string, number>();
  for (const filter of plan.raw) {
    const orgs = await db
      .selectFrom('interactions')
      .where((eb) => matches(eb, filter))
      .select((eb) => ['org', eb.fn.countAll<number>().as('records')])
      .groupBy('org')
      .execute();
    for (const row of orgs) owners.set(row.org, (owners.get(row.org) ?? 0) + Number(row.records));
  }
  const { rollup } = plan;
  if (rollup !== undefined) {
    const orgs = await rollupRows(db, rollup)
      .select((eb) => ['org', eb.fn.sum<number>('calls').as('records')])
      .groupBy('org')
      .execute();
    for (const row of orgs) owners.set(row.org, (owners.get(row.org) ?? 0) + Number(row.records));
  }
  const named = [
    ...plan.raw.map((filter) =>
      db
        .selectFrom('interactions')
        .where((eb) => eb.and([matches(eb, filter), eb('subject_ref', 'is not', null)]))
        .select(sql<string>`subject_ref`.as('subject'))
        .distinct(),
    ),
    ...(rollup === undefined
      ? []
      : [
          rollupRows(db, rollup)
            .where('subject_ref', '<>', ROLLUP_NONE)
            .select(sql<string>`subject_ref`.as('subject'))
            .distinct(),
        ]),
  ];
  const [first, ...others] = named;
  if (first === undefined) return { owners, subjects: [], omittedSubjects: 0 };
  // Each source distinct, and UNION: a subject in both an edge hour and the rollup is one subject.
  const distinct = others.reduce((union, next) => union.union(next), first);
  const listed = await db
    .selectFrom(distinct.as('named'))
    .select('named.subject')
    .orderBy('named.subject')
    .limit(maxSubjects + 1)
    .execute();
  if (listed.length <= maxSubjects) return { owners, subjects: listed.map((row) => row.subject), omittedSubjects: 0 };
  const counted = await db
    .selectFrom(distinct.as('named'))
    .select((eb) => eb.fn.countAll<number | string>().as('subjects'))
    .executeTakeFirstOrThrow();
  return {
    owners,
    subjects: listed.slice(0, maxSubjects).map((row) => row.subject),
    omittedSubjects: Number(counted.subjects) - maxSubjects,
  };
}

const ROLLUP_GROUP_COLUMNS = {
  model: 'request_model',
  actor: 'actor_ref',
  application: 'application_id',
  org: 'org',
} as const satisfies Record<Exclude<UsageGrouping, 'day'>, keyof Db['usage_rollup']>;

/** One pass over the matching interaction rows: sums per group and currency. */
async function rawSums(
  db: Reader,
  filter: IndexFilter,
  groupBy: UsageGrouping,
  limit: number,
): Promise<GroupCurrencySums[]> {
  const key =
    groupBy === 'day'
      ? sql<string | null>`substr(tx_time, 1, 10)`
      : sql<string | null>`${sql.ref(ROLLUP_GROUP_COLUMNS[groupBy])}`;
  const query = db
    .selectFrom('interactions')
    .where((eb) => matches(eb, filter))
    .select((eb) => [
      key.as('key'),
      'cost_currency as currency',
      eb.fn.countAll<number>().as('calls'),
      eb.fn.sum<number>('is_error').as('error_calls'),
      eb.fn.sum<number>('input_tokens').as('input'),
      eb.fn.sum<number>('output_tokens').as('output'),
      eb.fn.sum<number>('cache_read_tokens').as('cache_read'),
      eb.fn.sum<number>('reasoning_tokens').as('reasoning'),
      eb.fn.sum<number>('cost_amount_minor').as('amount'),
    ])
    .groupBy(['key', 'cost_currency'])
    .orderBy('key')
    .limit(limit);
  return (await query.execute()).map((row) => ({ ...row, amount: row.amount ?? 0 }));
}

/** The rollup rows of the plan's whole hours that match its filter. */
function rollupRows(db: Reader, rollup: NonNullable<UsagePlan['rollup']>) {
  const { filter, fromHour, toHour } = rollup;
  let query = db
    .selectFrom('usage_rollup')
    .where('channel', '=', filter.channel)
    .where(PATH_COLUMNS[filter.by as Exclude<IndexFilter['by'], 'consentId'>], '=', filter.value);
  if (filter.org !== undefined) query = query.where('org', '=', filter.org);
  if (fromHour !== undefined) query = query.where('hour', '>=', fromHour);
  if (toHour !== undefined) query = query.where('hour', '<=', toHour);
  return query;
}

/** One pass over the rollup rows of the plan's whole hours: sums per group and currency. */
async function rollupSums(
  db: Reader,
  rollup: NonNullable<UsagePlan['rollup']>,
  groupBy: UsageGrouping,
  limit: number,
): Promise<GroupCurrencySums[]> {
  const key =
    groupBy === 'day' ? sql<string>`substr(hour, 1, 10)` : sql<string>`${sql.ref(ROLLUP_GROUP_COLUMNS[groupBy])}`;
  const query = rollupRows(db, rollup)
    .select((eb) => [
      key.as('key'),
      'cost_currency as currency',
      eb.fn.sum<number>('calls').as('calls'),
      eb.fn.sum<number>('error_calls').as('error_calls'),
      eb.fn.sum<number>('input_tokens').as('input'),
      eb.fn.sum<number>('output_tokens').as('output'),
      eb.fn.sum<number>('cache_read_tokens').as('cache_read'),
      eb.fn.sum<number>('reasoning_tokens').as('reasoning'),
      eb.fn.sum<number>('cost_amount_minor').as('amount'),
    ])
    .groupBy(['key', 'cost_currency'])
    .orderBy('key')
    .limit(limit);
  // The rollup's "none" stands for an absent field and for the currency of unpriced calls.
  return (await query.execute()).map((row) => ({
    ...row,
    key: row.key === ROLLUP_NONE ? null : row.key,
    currency: row.currency === ROLLUP_NONE ? null : row.currency,
  }));
}

/** Adds one group-currency row to its group. @throws TotalTooLargeError when a sum passes 2^53 − 1 */
function add(groups: Map<string | null, UsageGroup>, row: GroupCurrencySums): void {
  let group = groups.get(row.key);
  if (group === undefined) {
    group = {
      key: row.key,
      calls: 0,
      errorCalls: 0,
      tokens: { input: 0, output: 0, cacheRead: 0, reasoning: 0 },
      cost: { byCurrency: [], unpricedCalls: 0 },
    };
    groups.set(row.key, group);
  }
  const calls = Number(row.calls);
  group.calls = addExactly(group.calls, calls);
  group.errorCalls = addExactly(group.errorCalls, Number(row.error_calls));
  const { tokens } = group;
  tokens.input = addExactly(tokens.input, Number(row.input));
  tokens.output = addExactly(tokens.output, Number(row.output));
  tokens.cacheRead = addExactly(tokens.cacheRead, Number(row.cache_read));
  tokens.reasoning = addExactly(tokens.reasoning, Number(row.reasoning));
  if (row.currency === null) {
    group.cost.unpricedCalls = addExactly(group.cost.unpricedCalls, calls);
    return;
  }
  const currency = row.currency;
  const entry = group.cost.byCurrency.find((candidate) => candidate.currency === currency);
  if (entry === undefined)
    group.cost.byCurrency.push({ currency, amountMinor: addExactly(0, Number(row.amount)), calls });
  else {
    entry.amountMinor = addExactly(entry.amountMinor, Number(row.amount));
    entry.calls = addExactly(entry.calls, calls);
  }
}

/** Code-unit order, whatever the database's collation. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
