import { INTERACTION_QUERY_PATHS, type StoredInteraction } from '@aal/ledger-contract';
import { Kysely, type CompiledQuery } from 'kysely';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { indexQueryBlocks } from '../testing/index-queries-suite';
import { storedInteraction } from '../testing/stored-interactions';
import { decodeBlock } from './block-decoder';
import { batchPage, interactionPage } from './index-queries';
import { AuditIndexStore, type IndexFilter } from './index-store';
import type { AuditIndexDatabase } from './schema';
import { nodeSqliteDialect } from './sqlite-dialect';

/**
 * Every read of interaction and batch rows must find its rows through an index, never by scanning
 * the table: first pages stay fast at a million rows only so. Checked with SQLite's own planner
 * (`EXPLAIN QUERY PLAN`) on the statements the queries send, after migration 6 dropped the indexes
 * no query used and left rows without an optional field out of that field's index.
 */
describe('audit index query plans (SQLite)', () => {
  let database: DatabaseSync;
  let store: AuditIndexStore;
  const sent: CompiledQuery[] = [];
  beforeEach(async () => {
    database = new DatabaseSync(':memory:');
    const db = new Kysely<AuditIndexDatabase>({
      dialect: nodeSqliteDialect(database),
      log: (event) => {
        if (event.level === 'query') sent.push(event.query);
      },
    });
    store = await AuditIndexStore.connect(db, 'sqlite');
    for (const block of indexQueryBlocks())
      await store.applyBlock('ch', decodeBlock(block, 'audit'), {
        headerHash: '00'.repeat(32),
        newest: undefined,
        anomalies: [],
      });
    sent.length = 0;
  });
  afterEach(() => store.close());

  /** The plan lines of each statement sent since the last call, with its SQL. */
  const plans = (): { sql: string; plan: string[] }[] =>
    sent.splice(0).map((query) => ({
      sql: query.sql,
      plan: database
        .prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
        .all(...(query.parameters as SQLInputValue[]))
        .map((row) => String(row['detail'])),
    }));
  /** Plan lines reading a table of records whole: `SCAN interactions`, `SCAN b`… (a SCAN of an index is a search in order). */
  const tableScans = (plan: readonly string[]): string[] =>
    plan.filter((line) => /^SCAN (interactions|batches|batch_paths|b|p)$/.test(line));

  const filter = (by: IndexFilter['by'], extra: Partial<IndexFilter> = {}): IndexFilter => ({
    channel: 'ch',
    by,
    value: by === 'org' ? 'HospitalAMSP' : 'v',
    atBlock: 3,
    ...extra,
  });

  it('reads the first and a later page of interactions by every path through an index', async () => {
    for (const by of INTERACTION_QUERY_PATHS) {
      await interactionPage(store.db, filter(by), 'desc', 100);
      await interactionPage(store.db, filter(by, { org: 'HospitalAMSP' }), 'asc', 100, ['2026-01-01', 'x']);
      await store.rows(filter(by, { from: '2026-01-01', to: '2026-02-01' }), 10, 100);
    }
    const read = plans();
    expect(read).toHaveLength(INTERACTION_QUERY_PATHS.length * 3);
    for (const { sql, plan } of read) {
      expect({ sql, scans: tableScans(plan) }).toEqual({ sql, scans: [] });
      expect(`${sql}\n${plan.join(' | ')}`).toMatch(/\n.*USING (COVERING )?INDEX interactions_by_/);
    }
  });

  it("scans consent violations through the violations' own index, never a path's records", async () => {
    // Violations after the queries' blocks, so each scan examines some and sends its second query.
    const violation = (id: string, extra: Record<string, unknown>) =>
      storedInteraction(id, {
        consentCheck: { allowed: false, reason: 'no consent' },
        txTime: '2026-01-15T00:00:00.000Z',
        ...extra,
      });
    await store.applyBlock(
      'ch',
      {
        number: 4,
        interactions: [
          violation('v-1', { actorRef: 'v', applicationId: 'v', subjectRef: 'v', consentId: 'v', requestModel: 'v' }),
          violation('v-2', { org: 'AIProviderMSP' }),
        ].map((record, txIndex) => ({
          record: record as unknown as StoredInteraction,
          txId: 'f'.repeat(64),
          blockNumber: 4,
          txIndex,
        })),
        batches: [],
        consents: [],
        annotations: [],
        artifacts: [],
        trainingRuns: [],
        erasureReceipts: [],
      },
      { headerHash: '00'.repeat(32), newest: undefined, anomalies: [] },
    );
    sent.length = 0;
    for (const by of INTERACTION_QUERY_PATHS) {
      const scan = await store.violationScan(
        filter(by, { org: 'HospitalAMSP', from: '2026-01-01', to: '2026-02-01', atBlock: 4 }),
        0,
        5000,
      );
      expect({ by, scanned: scan.scanned, found: scan.violations.length }).toEqual({ by, scanned: 1, found: 1 });
    }
    const read = plans().filter(({ sql }) => /"interactions"/.test(sql));
    expect(read.length).toBeGreaterThanOrEqual(INTERACTION_QUERY_PATHS.length * 2);
    for (const { sql, plan } of read) {
      expect({ sql, scans: tableScans(plan) }).toEqual({ sql, scans: [] });
      expect(`${sql}\n${plan.join(' | ')}`).toMatch(/\n.*USING (COVERING )?INDEX interactions_violations_in_order/);
      expect(plan.join(' | ')).not.toMatch(/interactions_by_/);
    }
  });

  it('reads batch pages by org and by every record field through an index', async () => {
    for (const by of INTERACTION_QUERY_PATHS) {
      await batchPage(store.db, filter(by), 'desc', 100);
      await batchPage(store.db, filter(by), 'asc', 100, ['2026-01-01', 'x']);
    }
    for (const { sql, plan } of plans()) expect({ sql, scans: tableScans(plan) }).toEqual({ sql, scans: [] });
  });

  it('sums usage over raw rows through an index where the rollup cannot answer (consentId, edge hours)', async () => {
    await store.usage(filter('consentId'), 'model', 100);
    await store.usage(
      filter('actorRef', { from: '2026-01-01T10:30:00.000Z', to: '2026-01-01T12:30:00.000Z' }),
      'day',
      100,
    );
    await store.readScope(filter('subjectRef', { from: '2026-01-01T10:30:00.000Z' }), 1000);
    const raw = plans().filter(({ sql }) => /from "interactions"/.test(sql));
    expect(raw.length).toBeGreaterThanOrEqual(4);
    for (const { sql, plan } of raw) expect({ sql, scans: tableScans(plan) }).toEqual({ sql, scans: [] });
  });
});
