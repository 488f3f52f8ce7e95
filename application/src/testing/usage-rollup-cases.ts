import type { InteractionQueryPath, StoredInteraction } from '@aal/ledger-contract';
import type { AuditIndex } from '../audit-index/audit-index';
import type { IndexFilter } from '../audit-index/index-store';
import { USAGE_GROUPINGS, UsageSummary, type UsageGrouping } from '../audit/usage-summary';
import { TotalTooLargeError } from '../audit-index/exact-total';
import { rollupDifferences } from '../audit-index/usage-rollup';
import { batchWrites, interactionWrites, nextTestBlock, type TestTransaction } from './block-builder';
import { storedInteraction } from './stored-interactions';

const CHANNEL = 'hospital-a';
const ORGS = ['HospitalAMSP', 'AIProviderMSP'];
const MODELS = ['gpt-4o', 'claude', 'llama'];
const ACTORS = ['actor-1', 'actor-2', undefined];
const APPS = ['app-1', 'app-2', 'app-3'];
const SUBJECTS = ['sub-1', 'sub-2', undefined, undefined];
const CONSENTS = ['c-1', 'c-2', undefined, undefined];
/** Hours the records fall in: across a UTC day boundary, so `day` groups and hour buckets both matter. */
const HOURS = ['2026-01-01T22', '2026-01-01T23', '2026-01-02T00', '2026-01-02T01', '2026-01-02T03'];

/** A small deterministic PRNG (mulberry32): a failing case reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random time in one of the hours, often exactly on an hour's first or last millisecond. */
function timeIn(pick: <T>(values: readonly T[]) => T, next: () => number): string {
  const hour = pick(HOURS);
  const edge = next();
  if (edge < 0.15) return `${hour}:00:00.000Z`;
  if (edge < 0.3) return `${hour}:59:59.999Z`;
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${hour}:${pad(Math.floor(next() * 60))}:${pad(Math.floor(next() * 60))}.${pad(Math.floor(next() * 1000), 3)}Z`;
}

const FIELD_OF: Record<InteractionQueryPath, keyof StoredInteraction> = {
  org: 'org',
  requestModel: 'requestModel',
  actorRef: 'actorRef',
  subjectRef: 'subjectRef',
  consentId: 'consentId',
  applicationId: 'applicationId',
};

/**
 * The usage rollup's cases, on each backend: a summary (and the read scope an auditor's summary logs)
 * answered from the rollup plus edge rows equals a brute-force sum over the records, for random
 * records, filters, groupings, time bounds (on and off hour edges) and heights; and migration 5
 * fills the rollup and batch paths of an index made before it.
 */
export function describeUsageRollupCases(current: () => AuditIndex): void {
  it('answers usage from the rollup exactly as a recount of the records, for random records and filters', async () => {
    const index = current();
    const next = random(20261130);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    /** Every record ingested, as the index stores it, with its block. */
    const ingested: { record: StoredInteraction; block: number }[] = [];
    let id = 0;
    const randomRecord = (): Record<string, unknown> => {
      const subjectRef = pick(SUBJECTS);
      const consentId = pick(CONSENTS);
      const priced = next();
      return storedInteraction(`r-${(id += 1)}`, {
        org: pick(ORGS),
        txTime: timeIn(pick, next),
        requestModel: pick(MODELS),
        ...(pick(ACTORS) === undefined ? {} : { actorRef: pick(['actor-1', 'actor-2']) }),
        applicationId: pick(APPS),
        ...(subjectRef === undefined ? {} : { subjectRef }),
        ...(consentId === undefined ? {} : { consentId }),
        ...(subjectRef !== undefined || consentId !== undefined ? { purpose: 'ai-inference' } : {}),
        usage: {
          inputTokens: Math.floor(next() * 1000),
          outputTokens: Math.floor(next() * 100),
          ...(next() < 0.5 ? { cacheReadTokens: Math.floor(next() * 50) } : {}),
          ...(next() < 0.3 ? { reasoningTokens: Math.floor(next() * 20) } : {}),
          source: 'provider',
        },
        cost:
          priced < 0.2
            ? { status: 'unpriced' }
            : { status: 'priced', amountMinor: Math.floor(next() * 500), currency: pick(['EUR', 'USD', 'CHF']) },
        ...(next() < 0.1 ? { status: 'error', errorType: 'timeout' } : {}),
      });
    };
    for (let block = 0; block < 6; block += 1) {
      const singles = Array.from({ length: 40 }, randomRecord);
      const batch = {
        batchId: String(block).repeat(64).slice(0, 64),
        org: pick(ORGS),
        recordedBy: 'app-recorder',
        txTime: timeIn(pick, next),
      };
      const leaves = Array.from({ length: 15 }, () => {
        const { org: _org, recordedBy: _by, txId: _tx, txTime: _time, ...leaf } = randomRecord();
        return leaf;
      });
      const transactions: TestTransaction[] = [
        {
          txId: String(block + 1)
            .repeat(64)
            .slice(0, 64),
          writes: interactionWrites(singles),
        },
        {
          txId: batch.batchId,
          writes: batchWrites(
            batch,
            leaves.map((leaf) => ({ record: leaf })),
          ),
        },
      ];
      expect(await index.ingest(CHANNEL, nextTestBlock(index, CHANNEL, transactions))).toBe(true);
      for (const record of singles) ingested.push({ record: record as unknown as StoredInteraction, block });
      for (const leaf of leaves)
        ingested.push({
          record: { ...leaf, org: batch.org, recordedBy: batch.recordedBy, txTime: batch.txTime } as StoredInteraction,
          block,
        });
    }
    expect(await rollupDifferences(index.store.db, index.store.backend, CHANNEL)).toEqual([]);
    const values: Record<InteractionQueryPath, readonly string[]> = {
      org: ORGS,
      requestModel: MODELS,
      actorRef: ['actor-1', 'actor-2'],
      subjectRef: ['sub-1', 'sub-2'],
      consentId: ['c-1', 'c-2'],
      applicationId: APPS,
    };
    const bound = (): string | undefined => {
      const kind = next();
      if (kind < 0.25) return undefined;
      if (kind < 0.45) return `${pick(HOURS)}:00:00.000Z`;
      if (kind < 0.65) return `${pick(HOURS)}:59:59.999Z`;
      return timeIn(pick, next);
    };
    for (let run = 0; run < 60; run += 1) {
      const by = pick(Object.keys(values) as InteractionQueryPath[]);
      let [from, to] = [bound(), bound()];
      if (from !== undefined && to !== undefined && from > to) [from, to] = [to, from];
      const org = next() < 0.3 ? 'HospitalAMSP' : undefined;
      // Mostly the checkpoint (the rollup answers); sometimes an older height (rows answer).
      const atBlock = next() < 0.8 ? 5 : Math.floor(next() * 5);
      const filter: IndexFilter = {
        channel: CHANNEL,
        by,
        value: pick(values[by]),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(org === undefined ? {} : { org }),
        atBlock,
      };
      const groupBy: UsageGrouping = pick(USAGE_GROUPINGS);
      const expected = new UsageSummary(groupBy, 1000);
      const owners = new Map<string, number>();
      const subjects = new Set<string>();
      for (const { record, block } of ingested) {
        if (record[FIELD_OF[by]] !== filter.value || block > atBlock) continue;
        if ((org !== undefined && record.org !== org) || (from !== undefined && record.txTime < from)) continue;
        if (to !== undefined && record.txTime > to) continue;
        expected.add(record);
        owners.set(record.org, (owners.get(record.org) ?? 0) + 1);
        if (record.subjectRef !== undefined) subjects.add(record.subjectRef);
      }
      const context = JSON.stringify({ run, filter, groupBy });
      expect({ context, usage: await index.store.usage(filter, groupBy, 1000) }).toEqual({
        context,
        usage: { records: expected.records, groups: expected.groupList(), tooManyGroups: false },
      });
      const scope = await index.store.readScope(filter, 1000);
      expect({ context, owners: scope.owners, subjects: scope.subjects, omitted: scope.omittedSubjects }).toEqual({
        context,
        owners,
        subjects: [...subjects].sort(),
        omitted: 0,
      });
      // Bounded: the first subjects in text order, the others counted once each (edge rows and rollup alike).
      const bounded = await index.store.readScope(filter, 1);
      expect({ context, subjects: bounded.subjects, omitted: bounded.omittedSubjects }).toEqual({
        context,
        subjects: [...subjects].sort().slice(0, 1),
        omitted: Math.max(subjects.size - 1, 0),
      });
    }
  });

  it('sums only the rows a block adds: an id already indexed, or twice in the block, counts once', async () => {
    const index = current();
    const first = storedInteraction('d-1', { txTime: '2026-01-01T10:00:00.000Z' });
    await index.ingest(
      CHANNEL,
      nextTestBlock(index, CHANNEL, [{ txId: 'a'.repeat(64), writes: interactionWrites([first]) }]),
    );
    const again = storedInteraction('d-1', {
      txTime: '2026-01-01T10:00:00.000Z',
      usage: { inputTokens: 500, outputTokens: 1, source: 'provider' },
    });
    const twice = storedInteraction('d-2', { txTime: '2026-01-01T10:00:00.000Z' });
    await index.ingest(
      CHANNEL,
      nextTestBlock(index, CHANNEL, [
        { txId: 'b'.repeat(64), writes: interactionWrites([again, twice]) },
        { txId: 'c'.repeat(64), writes: interactionWrites([twice]) },
      ]),
    );
    const filter: IndexFilter = { channel: CHANNEL, by: 'org', value: 'HospitalAMSP', atBlock: 1 };
    const usage = await index.store.usage(filter, 'org', 10);
    expect(usage.records).toBe(2);
    expect(usage.groups[0]?.tokens.input).toBe(20);
    expect(await rollupDifferences(index.store.db, index.store.backend, CHANNEL)).toEqual([]);
  });

  it('answers a range that starts in the last hour or ends in the first hour the stored form writes', async () => {
    const index = current();
    await index.ingest(
      CHANNEL,
      nextTestBlock(index, CHANNEL, [
        {
          txId: 'e'.repeat(64),
          writes: interactionWrites([
            storedInteraction('edge-1', { txTime: '2026-05-01T10:15:00.000Z' }),
            storedInteraction('edge-2', { txTime: '2026-05-01T12:15:00.000Z' }),
          ]),
        },
      ]),
    );
    const usage = async (bounds: { from?: string; to?: string }): Promise<number> =>
      (await index.store.usage({ channel: CHANNEL, by: 'org', value: 'HospitalAMSP', ...bounds }, 'model', 10)).records;
    // The hour after 9999-12-31T23 and the one before 0000-01-01T00 have no stored form: rows answer.
    expect(await usage({ from: '9999-12-31T23:30:00.000Z' })).toBe(0);
    expect(await usage({ to: '0000-01-01T00:30:00.000Z' })).toBe(0);
    expect(await usage({ from: '0000-01-01T00:30:00.000Z' })).toBe(2);
    expect(await usage({ from: '0000-01-01T00:30:00.000Z', to: '9999-12-31T23:30:00.000Z' })).toBe(2);
    expect(await usage({ from: '2026-05-01T10:30:00.000Z', to: '9999-12-31T23:30:00.000Z' })).toBe(1);
  });

  it('refuses a total past 2^53 − 1 as TotalTooLargeError, never a rounded one, and answers a range whose totals fit', async () => {
    const index = current();
    // Counts written before the contract bounded them per call: the index sums whatever the ledger holds.
    const near = Number.MAX_SAFE_INTEGER - 1;
    const large = (id: string, txTime: string, field: 'inputTokens' | 'amountMinor'): Record<string, unknown> =>
      storedInteraction(id, {
        txTime,
        ...(field === 'inputTokens'
          ? { usage: { inputTokens: near, outputTokens: 1, source: 'provider' } }
          : { cost: { status: 'priced', amountMinor: near, currency: 'EUR' } }),
      });
    await index.ingest(
      CHANNEL,
      nextTestBlock(index, CHANNEL, [
        {
          txId: 'f'.repeat(64),
          writes: interactionWrites([
            large('big-1', '2026-03-01T10:15:00.000Z', 'inputTokens'),
            large('big-2', '2026-03-01T11:15:00.000Z', 'inputTokens'),
            // Three in one hour: the rollup row's own sum is past 2^53, and odd — what no JS number states.
            large('big-3', '2026-03-02T10:15:00.000Z', 'amountMinor'),
            large('big-4', '2026-03-02T10:45:00.000Z', 'amountMinor'),
            storedInteraction('small-5', {
              txTime: '2026-03-02T10:50:00.000Z',
              cost: { status: 'priced', amountMinor: 1, currency: 'EUR' },
            }),
          ]),
        },
      ]),
    );
    // check compares the rollup with a recount in the database's exact text, past 2^53 too.
    expect(await rollupDifferences(index.store.db, index.store.backend, CHANNEL)).toEqual([]);
    const filter = (from: string, to: string): IndexFilter => ({
      channel: CHANNEL,
      by: 'org',
      value: 'HospitalAMSP',
      from,
      to,
    });
    // Rollup hours, edge rows and the totals over groups each refuse.
    for (const [from, to] of [
      ['2026-03-01T00:00:00.000Z', '2026-03-01T23:59:59.999Z'],
      ['2026-03-01T10:15:00.000Z', '2026-03-01T11:15:00.000Z'],
      ['2026-03-02T00:00:00.000Z', '2026-03-02T23:59:59.999Z'],
      ['2026-03-02T10:15:00.000Z', '2026-03-02T10:45:00.000Z'],
    ] as const)
      await expect(index.store.usage(filter(from, to), 'model', 10)).rejects.toThrow(TotalTooLargeError);
    for (const groupBy of ['day', 'application'] as const)
      await expect(
        index.store.usage(filter('2026-03-01T00:00:00.000Z', '2026-03-02T23:59:59.999Z'), groupBy, 10),
      ).rejects.toThrow(TotalTooLargeError);
    // One record's hour: its total fits and is exact.
    const one = await index.store.usage(filter('2026-03-01T10:00:00.000Z', '2026-03-01T10:59:59.999Z'), 'model', 10);
    expect(one.groups.map((group) => group.tokens.input)).toEqual([near]);
  });

  it('fills the rollup and the batch paths of an index made before migration 5, as ingestion would have', async () => {
    const index = current();
    const next = random(7);
    const records = Array.from({ length: 30 }, (_, i) =>
      storedInteraction(`m-${i}`, {
        txTime: `${HOURS[i % HOURS.length] ?? ''}:1${i % 10}:00.000Z`,
        requestModel: MODELS[i % MODELS.length],
        ...(i % 3 === 0 ? {} : { actorRef: `actor-${i % 3}` }),
        cost: next() < 0.3 ? { status: 'unpriced' } : { status: 'priced', amountMinor: i, currency: 'EUR' },
      }),
    );
    const batch = {
      batchId: 'e'.repeat(64),
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txTime: `${HOURS[0]}:30:00.000Z`,
    };
    const leaves = records.slice(0, 10).map((record) => {
      const { org: _org, recordedBy: _by, txId: _tx, txTime: _time, ...leaf } = record;
      return { record: { ...leaf, id: `leaf-${String(record['id'])}` } };
    });
    await index.ingest(
      CHANNEL,
      nextTestBlock(index, CHANNEL, [
        { txId: 'a'.repeat(64), writes: interactionWrites(records) },
        { txId: batch.batchId, writes: batchWrites(batch, leaves) },
      ]),
    );
    const { db } = index.store;
    const dump = async (): Promise<unknown[]> => [
      await db
        .selectFrom('usage_rollup')
        .selectAll()
        .orderBy('hour')
        .orderBy('request_model')
        .orderBy('actor_ref')
        .orderBy('cost_currency')
        .execute(),
      await db.selectFrom('batch_paths').selectAll().orderBy('path').orderBy('value').execute(),
    ];
    const ingestedAs = await dump();
    expect((ingestedAs[0] as unknown[]).length).toBeGreaterThan(5);
    expect(ingestedAs[1]).toContainEqual({
      channel: CHANNEL,
      path: 'requestModel',
      value: 'gpt-4o',
      tx_time: batch.txTime,
      batch_id: batch.batchId,
    });
    // Back to migration 4's schema, with the rows kept; then migrate again.
    await db.schema.dropTable('usage_rollup').execute();
    await db.schema.dropTable('batch_paths').execute();
    await db.schema.dropIndex('batches_by_org_in_order').execute();
    await db.schema.createIndex('batches_by_org').on('batches').columns(['channel', 'org', 'tx_time']).execute();
    await db.deleteFrom('schema_migrations').where('version', '=', 5).execute();
    await index.store.migrate();
    expect(await dump()).toEqual(ingestedAs);
    expect(await rollupDifferences(db, index.store.backend, CHANNEL)).toEqual([]);
  });
}
