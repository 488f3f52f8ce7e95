import { peer, common } from '@hyperledger/fabric-protos';
import { DatabaseSync } from 'node:sqlite';
import { batchWrites, compositeKey, interactionWrites, testBlock } from '../testing/block-builder';
import { AuditIndex } from './audit-index';
import { decodeBlock } from './block-decoder';
import { AuditIndexStore } from './index-store';
import { indexFilterOf } from './index-reads';
import { MIGRATIONS } from './migrations';

const record = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  org: 'HospitalAMSP',
  recordedBy: 'app-recorder',
  txId: 't'.repeat(64),
  txTime: '2026-01-01T00:00:00.000Z',
  startTime: '2026-01-01T00:00:00Z',
  endTime: '2026-01-01T00:00:01Z',
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o',
  usage: { inputTokens: 10, outputTokens: 2, source: 'provider' },
  cost: { status: 'priced', amountMinor: 3, currency: 'EUR' },
  latencyMs: 10,
  status: 'ok',
  applicationId: 'app-1',
  promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
  ...extra,
});
const leaf = (id: string): Record<string, unknown> => {
  const { org: _org, recordedBy: _by, txId: _tx, txTime: _time, ...input } = record(id);
  return input;
};
const BATCH = {
  batchId: 'b'.repeat(64),
  org: 'HospitalAMSP',
  recordedBy: 'app-recorder',
  txTime: '2026-01-02T00:00:00.000Z',
};

describe('decodeBlock', () => {
  it('reads single, gathered and batched interactions of valid transactions only, with txId, block and leaf', () => {
    const block = testBlock(7, [
      { txId: 'a'.repeat(64), writes: interactionWrites([record('s-1')]) },
      {
        txId: 'c'.repeat(64),
        writes: interactionWrites([record('x-1')]),
        code: peer.TxValidationCode.MVCC_READ_CONFLICT,
      },
      {
        txId: 'e'.repeat(64),
        writes: interactionWrites([record('x-2')]),
        code: peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE,
      },
      { txId: 'd'.repeat(64), writes: interactionWrites([record('g-1'), record('g-2')]) },
      { txId: BATCH.batchId, writes: batchWrites(BATCH, [{ record: leaf('m-1') }, { record: leaf('m-2') }]) },
      // Another chaincode's writes and a config transaction add nothing.
      { txId: 'f'.repeat(64), writes: interactionWrites([record('o-1')]), namespace: 'other' },
      { txId: '1'.repeat(64), writes: interactionWrites([record('o-2')]), type: common.HeaderType.CONFIG },
    ]);
    const decoded = decodeBlock(block, 'audit');
    expect(decoded.number).toBe(7);
    expect(decoded.interactions.map((row) => [row.record.id, row.txIndex, row.record.leafIndex ?? null])).toEqual([
      ['s-1', 0, null],
      ['g-1', 3, null],
      ['g-2', 3, null],
      ['m-1', 4, 0],
      ['m-2', 4, 1],
    ]);
    expect(decoded.interactions[4]).toEqual({
      record: { ...leaf('m-2'), ...BATCH, txId: BATCH.batchId, batchId: BATCH.batchId, leafIndex: 1 },
      txId: BATCH.batchId,
      blockNumber: 7,
      txIndex: 4,
    });
  });

  it('refuses a batched record whose batch header is not in the same write set', () => {
    const block = testBlock(1, [
      {
        txId: BATCH.batchId,
        writes: [
          {
            key: compositeKey('batched-interaction', 'm-1'),
            value: JSON.stringify({ record: leaf('m-1'), batchId: BATCH.batchId, leafIndex: 0 }),
          },
        ],
      },
    ]);
    expect(() => decodeBlock(block, 'audit')).toThrow(/without its batch header/);
  });
});

describe('AuditIndexStore and AuditIndex (SQLite)', () => {
  let database: DatabaseSync;
  let index: AuditIndex;
  beforeEach(async () => {
    database = new DatabaseSync(':memory:');
    index = await AuditIndex.over(await AuditIndexStore.over(database), 'audit', ['hospital-a']);
  });
  afterEach(() => index.store.close());

  const count = (): number => (database.prepare('SELECT count(*) AS n FROM interactions').get() as { n: number }).n;
  const checkpoint = (): unknown => database.prepare('SELECT block_number FROM checkpoints').get()?.['block_number'];

  it('applies its migrations once and records them', async () => {
    expect(database.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    // Opening the same database again applies nothing.
    await AuditIndexStore.over(database);
    expect(database.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
  });

  it('ingests a block once: seeing it again (or an older one) changes nothing, and the height is kept', async () => {
    const block0 = testBlock(0, [{ txId: 'a'.repeat(64), writes: interactionWrites([record('s-1'), record('s-2')]) }]);
    const block1 = testBlock(1, [{ txId: BATCH.batchId, writes: batchWrites(BATCH, [{ record: leaf('m-1') }]) }]);
    expect(await index.ingest('hospital-a', block0)).toBe(true);
    expect(await index.ingest('hospital-a', block1)).toBe(true);
    expect(await index.ingest('hospital-a', block0)).toBe(false);
    expect(await index.ingest('hospital-a', block1)).toBe(false);
    expect(count()).toBe(3);
    expect(index.asOfBlock('hospital-a')).toBe(1);
    expect(checkpoint()).toBe(1);
    // Reopened, it resumes after its checkpoint.
    const reopened = await AuditIndex.over(index.store, 'audit', ['hospital-a']);
    expect(reopened.nextBlock('hospital-a')).toBe(2n);
    await expect(index.ingest('hospital-a', testBlock(3, []))).rejects.toThrow(/block 3 arrived, block 2 expected/);
  });

  it("commits a block's rows and its checkpoint together: a failure part-way leaves neither", async () => {
    await index.ingest(
      'hospital-a',
      testBlock(0, [{ txId: 'a'.repeat(64), writes: interactionWrites([record('s-1')]) }]),
    );
    // A row the database refuses (NOT NULL request_model) after a good one in the same block.
    const broken = testBlock(1, [
      { txId: 'b'.repeat(64), writes: interactionWrites([record('s-2'), record('s-3', { requestModel: null })]) },
    ]);
    await expect(index.ingest('hospital-a', broken)).rejects.toThrow();
    expect(count()).toBe(1);
    expect(checkpoint()).toBe(0);
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
      records: 3,
      tooManyGroups: false,
      groups: [
        {
          key: 'gpt-4o',
          calls: 2,
          errorCalls: 1,
          tokens: { input: 20, output: 4, cacheRead: 0, reasoning: 0 },
          cost: { byCurrency: [{ currency: 'EUR', amountMinor: 3, calls: 1 }], unpricedCalls: 1 },
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
  });

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
