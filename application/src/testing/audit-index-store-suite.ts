import { AuditIndex } from '../audit-index/audit-index';
import { AuditIndexStore, totalsOf } from '../audit-index/index-store';
import { indexFilterOf } from '../audit-index/index-reads';
import { MIGRATIONS } from '../audit-index/migrations';
import { sampleRows, type SampleKind } from '../audit-index/sample-rows';
import { sortedKeyJson } from '@aal/ledger-contract';
import { batchWrites, compositeKey, interactionWrites, testBlock, type TestWrite } from './block-builder';
import { describeIndexQueries } from './index-queries-suite';
import { TEST_BATCH, batchLeaf, storedInteraction as record } from './stored-interactions';
import { describeUsageRollupCases } from './usage-rollup-cases';

/** A write of a record under its composite key, as the chaincode stores it. */
const recordWrite = (type: string, id: string, value: Record<string, unknown>): TestWrite => ({
  key: compositeKey(type, id),
  value: sortedKeyJson(value),
});
const consent = (id: string, controller: string, grantees: string[]): Record<string, unknown> => ({
  id,
  subjectRef: `${controller}:s-1`,
  grantees,
  decision: 'permit',
  purposes: ['ai-inference'],
  period: { start: '2025-01-01T00:00:00Z' },
  policyCommitment: `sha256:${'1'.repeat(64)}`,
  controller,
  grantedBy: 'app-consent-manager',
  grantedAt: '2026-01-01T00:00:00.000Z',
  txId: 'c'.repeat(64),
});
const ARTIFACT = {
  id: 'ds-1',
  kind: 'dataset',
  name: 'notes',
  version: '1',
  sha256: '4'.repeat(64),
  registeredBy: 'AIProviderMSP',
  registeredByUser: 'app-admin',
  txId: 'c'.repeat(64),
  txTime: '2026-01-01T00:00:00.000Z',
};

/**
 * The audit index store's test cases, run against each backend (SQLite in the unit tests,
 * PostgreSQL in `*.postgres.test.ts`): the same queries must give the same answers, of the same JS
 * types. `openEmpty` opens a store over an empty database (no tables). The queries over every
 * record kind (consent, batch and interaction pages, consent history) run with them.
 */
export function describeAuditIndexStore(backend: string, openEmpty: () => Promise<AuditIndexStore>): void {
  describeIndexQueries(backend, openEmpty);
  describe(`AuditIndexStore and AuditIndex (${backend})`, () => {
    let index: AuditIndex;
    beforeEach(async () => {
      index = await AuditIndex.over(await openEmpty(), 'audit', ['hospital-a']);
    });
    afterEach(() => index.store.close());

    const count = async (): Promise<number> =>
      (
        await index.store.db
          .selectFrom('interactions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const checkpoint = async (): Promise<unknown> =>
      (await index.store.db.selectFrom('checkpoints').select('block_number').executeTakeFirst())?.block_number;

    it('applies its migrations once and records them', async () => {
      const recorded = async (): Promise<unknown> =>
        index.store.db.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute();
      expect(await recorded()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
      // Opening the same database again applies nothing.
      await AuditIndexStore.connect(index.store.db, index.store.backend);
      expect(await recorded()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    });

    it('ingests a block once: seeing it again (or an older one) changes nothing, and the height is kept', async () => {
      const block0 = testBlock(0, [
        { txId: 'a'.repeat(64), writes: interactionWrites([record('s-1'), record('s-2')]) },
      ]);
      const block1 = testBlock(
        1,
        [{ txId: TEST_BATCH.batchId, writes: batchWrites(TEST_BATCH, [{ record: batchLeaf('m-1') }]) }],
        block0,
      );
      expect(await index.ingest('hospital-a', block0)).toBe(true);
      expect(await index.ingest('hospital-a', block1)).toBe(true);
      expect(await index.ingest('hospital-a', block0)).toBe(false);
      expect(await index.ingest('hospital-a', block1)).toBe(false);
      expect(await count()).toBe(3);
      expect(index.asOfBlock('hospital-a')).toBe(1);
      expect(await checkpoint()).toBe(1);
      // Reopened, it resumes after its checkpoint.
      const reopened = await AuditIndex.over(index.store, 'audit', ['hospital-a']);
      expect(reopened.nextBlock('hospital-a')).toBe(2n);
      await expect(index.ingest('hospital-a', testBlock(3, []))).rejects.toThrow(/block 3 arrived, block 2 expected/);
    });

    it("commits a block's rows and its checkpoint together: a failure part-way leaves neither", async () => {
      const block0 = testBlock(0, [{ txId: 'a'.repeat(64), writes: interactionWrites([record('s-1')]) }]);
      await index.ingest('hospital-a', block0);
      // A row the database refuses (NOT NULL request_model) after a good one in the same block.
      const broken = testBlock(
        1,
        [{ txId: 'b'.repeat(64), writes: interactionWrites([record('s-2'), record('s-3', { requestModel: null })]) }],
        block0,
      );
      await expect(index.ingest('hospital-a', broken)).rejects.toThrow();
      expect(await count()).toBe(1);
      expect(await checkpoint()).toBe(0);
      expect(index.asOfBlock('hospital-a')).toBe(0);
    });

    it('sums usage in the database: per group, per currency, unpriced apart, scoped by org and time', async () => {
      await index.ingest(
        'hospital-a',
        testBlock(0, [
          {
            txId: 'a'.repeat(64),
            writes: interactionWrites([
              record('s-1'),
              record('s-2', { cost: { status: 'unpriced' }, status: 'error', errorType: 'timeout' }),
              record('s-3', {
                cost: { status: 'provider', amountMinor: 4, currency: 'USD' },
                requestModel: 'gpt-4o-mini',
              }),
              record('s-4', { org: 'AIProviderMSP' }),
              record('s-5', { txTime: '2026-02-01T00:00:00.000Z' }),
              record('s-6', { cost: { status: 'provider', amountMinor: 7, currency: 'USD' } }),
            ]),
          },
        ]),
      );
      const { filter } = await indexFilterOf(
        index,
        { everything: false, mspId: 'HospitalAMSP' },
        { channel: 'hospital-a', by: 'applicationId', value: 'app-1', to: '2026-01-31T00:00:00Z' },
      );
      const usage = await index.store.usage(filter, 'model', 10);
      expect(usage).toEqual({
        records: 4,
        tooManyGroups: false,
        groups: [
          {
            key: 'gpt-4o',
            calls: 3,
            errorCalls: 1,
            tokens: { input: 30, output: 6, cacheRead: 0, reasoning: 0 },
            cost: {
              byCurrency: [
                { currency: 'EUR', amountMinor: 3, calls: 1 },
                { currency: 'USD', amountMinor: 7, calls: 1 },
              ],
              unpricedCalls: 1,
            },
          },
          {
            key: 'gpt-4o-mini',
            calls: 1,
            errorCalls: 0,
            tokens: { input: 10, output: 2, cacheRead: 0, reasoning: 0 },
            cost: { byCurrency: [{ currency: 'USD', amountMinor: 4, calls: 1 }], unpricedCalls: 0 },
          },
        ],
      });
      expect((await index.store.usage(filter, 'model', 1)).tooManyGroups).toBe(true);
      const byDay = await index.store.usage({ ...filter, to: undefined }, 'day', 10);
      expect(byDay.groups.map((group) => [group.key, group.calls])).toEqual([
        ['2026-01-01', 4],
        ['2026-02-01', 1],
      ]);
    });

    it('refuses a summary holding more group-currency totals than its groups allow (4 per group), whatever its sources', async () => {
      // One model, five currencies and unpriced calls: six totals in one group, at times that put
      // them in both edge hours and the whole hours between (AAA in an edge and in the rollup).
      const currencies = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'AAA'];
      const times = ['23:45', '00:10', '01:10', '02:15', '00:20', '01:30'].map((time) =>
        time.startsWith('23') ? `2025-12-31T${time}:00.000Z` : `2026-01-01T${time}:00.000Z`,
      );
      await index.ingest(
        'hospital-a',
        testBlock(0, [
          {
            txId: 'a'.repeat(64),
            writes: interactionWrites([
              ...currencies.map((currency, i) =>
                record(`c-${i}`, { cost: { status: 'provider', amountMinor: i + 1, currency }, txTime: times[i] }),
              ),
              record('c-unpriced', { cost: { status: 'unpriced' }, txTime: '2025-12-31T23:50:00.000Z' }),
            ]),
          },
        ]),
      );
      const { filter } = await indexFilterOf(
        index,
        { everything: true, mspId: 'RegulatorMSP' },
        { channel: 'hospital-a', by: 'applicationId', value: 'app-1' },
      );
      expect((await index.store.usage(filter, 'model', 1)).tooManyGroups).toBe(true);
      const allowed = await index.store.usage(filter, 'model', 2);
      expect(allowed.tooManyGroups).toBe(false);
      expect(
        allowed.groups.map((group) => [group.key, group.cost.byCurrency.length, group.cost.unpricedCalls]),
      ).toEqual([['gpt-4o', 5, 1]]);
      // Partial hours at both edges and the rollup between them: the totals are counted once across sources.
      const edged = { ...filter, from: '2025-12-31T23:30:00.000Z', to: '2026-01-01T02:30:00.000Z' };
      expect((await index.store.usage(edged, 'model', 1)).tooManyGroups).toBe(true);
      expect((await index.store.usage(edged, 'model', 2)).groups).toEqual(allowed.groups);
    });

    it('groups usage by recording org: an auditor sees each org apart, the groups summing to the totals', async () => {
      await index.ingest(
        'hospital-a',
        testBlock(0, [
          {
            txId: 'a'.repeat(64),
            writes: interactionWrites([
              record('s-1'),
              record('s-2', { org: 'AIProviderMSP', cost: { status: 'provider', amountMinor: 4, currency: 'USD' } }),
              record('s-3', { org: 'AIProviderMSP', cost: { status: 'unpriced' } }),
            ]),
          },
          { txId: TEST_BATCH.batchId, writes: batchWrites(TEST_BATCH, [{ record: batchLeaf('m-1') }]) },
        ]),
      );
      const everything = await indexFilterOf(
        index,
        { everything: true, mspId: 'RegulatorMSP' },
        { channel: 'hospital-a', by: 'applicationId', value: 'app-1' },
      );
      const usage = await index.store.usage(everything.filter, 'org', 10);
      expect(usage.records).toBe(4);
      expect(usage.groups).toEqual([
        {
          key: 'AIProviderMSP',
          calls: 2,
          errorCalls: 0,
          tokens: { input: 20, output: 4, cacheRead: 0, reasoning: 0 },
          cost: { byCurrency: [{ currency: 'USD', amountMinor: 4, calls: 1 }], unpricedCalls: 1 },
        },
        {
          key: 'HospitalAMSP',
          calls: 2,
          errorCalls: 0,
          tokens: { input: 20, output: 4, cacheRead: 0, reasoning: 0 },
          cost: { byCurrency: [{ currency: 'EUR', amountMinor: 6, calls: 2 }], unpricedCalls: 0 },
        },
      ]);
      expect(totalsOf(usage.groups).calls).toBe(4);
      // A non-auditor's summary by org holds its own org only.
      const own = await indexFilterOf(
        index,
        { everything: false, mspId: 'HospitalAMSP' },
        { channel: 'hospital-a', by: 'applicationId', value: 'app-1' },
      );
      expect((await index.store.usage(own.filter, 'org', 10)).groups.map((group) => [group.key, group.calls])).toEqual([
        ['HospitalAMSP', 2],
      ]);
    });

    it('samples rows for check --sample by seed or page by page, within the reader scope, up to a block', async () => {
      await index.ingest(
        'hospital-a',
        testBlock(0, [
          {
            txId: 'a'.repeat(64),
            writes: interactionWrites([record('s-1'), record('s-2'), record('s-3', { org: 'AIProviderMSP' })]),
          },
          { txId: TEST_BATCH.batchId, writes: batchWrites(TEST_BATCH, [{ record: batchLeaf('m-1') }]) },
          {
            txId: 'c'.repeat(64),
            writes: [
              recordWrite('consent', 'c-a', consent('c-a', 'HospitalAMSP', ['AIProviderMSP:triage'])),
              recordWrite('consent', 'c-p', consent('c-p', 'AIProviderMSP', ['RegulatorMSP'])),
              recordWrite('artifact', 'ds-1', ARTIFACT),
            ],
          },
        ]),
      );
      const own = { everything: false, mspId: 'HospitalAMSP' };
      const query = { channel: 'hospital-a', atBlock: 0, scope: own };
      const ids = (rows: readonly { id: string }[]): string[] => rows.map((row) => row.id);
      const seededTwo = await sampleRows(index.store.db, 'interaction', { ...query, pick: { seed: 1 }, limit: 2 });
      expect(ids(seededTwo)).toEqual(['s-1', 's-2']);
      expect(typeof seededTwo[0]?.blockNumber).toBe('number');
      expect(ids(await sampleRows(index.store.db, 'interaction', { ...query, pick: { seed: 1 }, limit: 1 }))).toEqual([
        's-1',
      ]);
      const firstPage = await sampleRows(index.store.db, 'interaction', {
        ...query,
        pick: { afterId: undefined },
        limit: 1,
      });
      expect(ids(firstPage)).toEqual(['s-1']);
      expect(
        ids(await sampleRows(index.store.db, 'interaction', { ...query, pick: { afterId: 's-1' }, limit: 5 })),
      ).toEqual(['s-2']);
      expect(
        ids(
          await sampleRows(index.store.db, 'interaction', {
            ...query,
            scope: { everything: true, mspId: 'RegulatorMSP' },
            pick: { afterId: undefined },
            limit: 5,
          }),
        ),
      ).toEqual(['s-1', 's-2', 's-3']);
      const batched = await sampleRows(index.store.db, 'batched-interaction', {
        ...query,
        pick: { seed: 0 },
        limit: 5,
      });
      expect(ids(batched)).toEqual(['m-1']);
      expect(JSON.parse(batched[0]?.recordJson ?? '{}')).toMatchObject({
        id: 'm-1',
        batchId: TEST_BATCH.batchId,
        leafIndex: 0,
      });
      // Consents: only those the org may read (controller or grantee org); artifacts: every one.
      const consents = await sampleRows(index.store.db, 'consent', { ...query, pick: { seed: 0 }, limit: 5 });
      expect(consents.map((row) => [row.id, row.revoked])).toEqual([['c-a', false]]);
      expect(
        ids(
          await sampleRows(index.store.db, 'consent', {
            ...query,
            scope: { everything: true, mspId: 'RegulatorMSP' },
            pick: { afterId: undefined },
            limit: 5,
          }),
        ),
      ).toEqual(['c-a', 'c-p']);
      expect(ids(await sampleRows(index.store.db, 'artifact', { ...query, pick: { seed: 0 }, limit: 5 }))).toEqual([
        'ds-1',
      ]);
      expect(
        await sampleRows(index.store.db, 'interaction', { ...query, atBlock: -1, pick: { seed: 0 }, limit: 5 }),
      ).toEqual([]);
    });

    it('samples the same rows for the same seed, spread over the blocks, other rows for another seed', async () => {
      // 40 blocks of 3 interactions each (and one consent and artifact every 4th block).
      let previous = testBlock(0, []);
      await index.ingest('hospital-a', previous);
      for (let number = 1; number <= 40; number++) {
        const transactions = [
          {
            txId: number.toString(16).padStart(64, '0'),
            writes: interactionWrites([0, 1, 2].map((leaf) => record(`r-${number}-${leaf}`))),
          },
        ];
        if (number % 4 === 0)
          transactions.push({
            txId: number.toString(16).padStart(64, 'f'),
            writes: [
              recordWrite('consent', `c-${number}`, consent(`c-${number}`, 'HospitalAMSP', ['RegulatorMSP'])),
              recordWrite('artifact', `ds-${number}`, { ...ARTIFACT, id: `ds-${number}` }),
            ],
          });
        previous = testBlock(number, transactions, previous);
        await index.ingest('hospital-a', previous);
      }
      const scope = { everything: true, mspId: 'RegulatorMSP' };
      const idsOf = (rows: readonly { id: string }[]): string[] => rows.map((row) => row.id);
      const sample = (kind: SampleKind, seed: number, limit: number) =>
        sampleRows(index.store.db, kind, { channel: 'hospital-a', atBlock: 40, scope, pick: { seed }, limit });
      const first = await sample('interaction', 7, 10);
      expect(first).toHaveLength(10);
      expect(await sample('interaction', 7, 10)).toEqual(first);
      // One a stride of 4 blocks: ten different blocks, the first row of each.
      const blocks = first.map((row) => row.blockNumber);
      expect(new Set(blocks).size).toBe(10);
      expect(Math.max(...blocks) - Math.min(...blocks)).toBeGreaterThanOrEqual(32);
      expect(first.every((row) => row.id === `r-${row.blockNumber}-0`)).toBe(true);
      // Another seed shifts the strides: other rows.
      const seeds = [0, 1, 2, 3, 4, 5];
      const samples = await Promise.all(seeds.map(async (seed) => idsOf(await sample('interaction', seed, 10)).join()));
      expect(new Set(samples).size).toBeGreaterThan(1);
      // Fewer rows than asked: every one (consents and artifacts of blocks 4, 8 … 40).
      expect(idsOf(await sample('consent', 3, 100)).sort()).toEqual(
        Array.from({ length: 10 }, (_, index) => `c-${(index + 1) * 4}`).sort(),
      );
      expect(await sample('artifact', 3, 4)).toHaveLength(4);
    });

    it('reads block numbers past 2^31 and sums past 2^32 back as exact JS numbers', async () => {
      // A channel far along: its checkpoint placed directly, then the next block ingested.
      const far = 3_000_000_000;
      await index.store.db.insertInto('checkpoints').values({ channel: 'hospital-a', block_number: far }).execute();
      const reopened = await AuditIndex.over(index.store, 'audit', ['hospital-a']);
      expect(reopened.nextBlock('hospital-a')).toBe(BigInt(far + 1));
      const big = { inputTokens: 3_000_000_000, outputTokens: 2_500_000_000, source: 'provider' };
      const cost = { status: 'priced', amountMinor: 4_000_000_000, currency: 'EUR' };
      await reopened.ingest(
        'hospital-a',
        testBlock(far + 1, [
          {
            txId: 'a'.repeat(64),
            writes: interactionWrites([record('s-1', { usage: big, cost }), record('s-2', { usage: big, cost })]),
          },
        ]),
      );
      expect(await index.store.checkpoint('hospital-a')).toBe(far + 1);
      const { filter } = await indexFilterOf(
        reopened,
        { everything: true, mspId: 'RegulatorMSP' },
        { channel: 'hospital-a', by: 'applicationId', value: 'app-1' },
      );
      expect(filter.atBlock).toBe(far + 1);
      expect(await index.store.usage(filter, 'application', 10)).toEqual({
        records: 2,
        tooManyGroups: false,
        groups: [
          {
            key: 'app-1',
            calls: 2,
            errorCalls: 0,
            tokens: { input: 6_000_000_000, output: 5_000_000_000, cacheRead: 0, reasoning: 0 },
            cost: { byCurrency: [{ currency: 'EUR', amountMinor: 8_000_000_000, calls: 2 }], unpricedCalls: 0 },
          },
        ],
      });
      const rows = await index.store.rows(filter, 0, 10);
      expect(rows.map((row) => [typeof row.seq, row.org, row.consentAllowed])).toEqual([
        ['number', 'HospitalAMSP', null],
        ['number', 'HospitalAMSP', null],
      ]);
      expect((rows[1]?.seq ?? 0) > (rows[0]?.seq ?? 0)).toBe(true);
      expect(await index.store.rows(filter, rows[0]?.seq ?? 0, 10)).toEqual([rows[1]]);
      const scope = await index.store.readScope(filter, 1000);
      expect(scope.owners).toEqual(new Map([['HospitalAMSP', 2]]));
    });

    it('stores the consent verdict as 1/0/null and reads it back as numbers', async () => {
      await index.ingest(
        'hospital-a',
        testBlock(0, [
          {
            txId: 'a'.repeat(64),
            writes: interactionWrites([
              record('c-1', { subjectRef: 'sub-1', consentCheck: { allowed: true } }),
              record('c-2', { subjectRef: 'sub-2', consentCheck: { allowed: false } }),
              record('c-3'),
            ]),
          },
        ]),
      );
      const { filter } = await indexFilterOf(
        index,
        { everything: true, mspId: 'RegulatorMSP' },
        { channel: 'hospital-a', by: 'applicationId', value: 'app-1' },
      );
      const rows = await index.store.rows(filter, 0, 10);
      expect(rows.map((row) => [row.subjectRef, row.consentAllowed])).toEqual([
        ['sub-1', 1],
        ['sub-2', 0],
        [null, null],
      ]);
      expect(JSON.parse(rows[0]?.recordJson ?? '{}')).toMatchObject({ id: 'c-1', consentCheck: { allowed: true } });
      // A violation scan examines the channel's violations only, and hands out those matching the filter.
      expect(await index.store.violationScan(filter, 0, 10)).toEqual({
        scanned: 1,
        lastSeq: rows[1]?.seq,
        violations: [rows[1]],
      });
      expect(await index.store.violationScan({ ...filter, value: 'another-app' }, 0, 10)).toEqual({
        scanned: 1,
        lastSeq: rows[1]?.seq,
        violations: [],
      });
      expect(await index.store.violationScan(filter, rows[1]?.seq ?? 0, 10)).toEqual({
        scanned: 0,
        lastSeq: undefined,
        violations: [],
      });
      expect((await index.store.readScope(filter, 1000)).subjects).toEqual(['sub-1', 'sub-2']);
      expect(await index.store.readScope(filter, 1)).toMatchObject({ subjects: ['sub-1'], omittedSubjects: 1 });
    });

    describeUsageRollupCases(() => index);

    it('waits for minBlock a bounded time, then answers 503 with Retry-After', async () => {
      const scope = { everything: true, mspId: 'RegulatorMSP' };
      const waiting = indexFilterOf(index, scope, { channel: 'hospital-a', minBlock: 0 }, 5_000);
      await index.ingest('hospital-a', testBlock(0, []));
      await expect(waiting).resolves.toMatchObject({ asOfBlock: 0 });
      await expect(indexFilterOf(index, scope, { channel: 'hospital-a', minBlock: 1 }, 50)).rejects.toMatchObject({
        status: 503,
        headers: { 'Retry-After': '2' },
      });
      await expect(
        indexFilterOf(
          index,
          { everything: false, mspId: 'HospitalAMSP' },
          { channel: 'hospital-a', by: 'org', value: 'AIProviderMSP' },
        ),
      ).rejects.toMatchObject({ status: 403 });
    });
  });
}
