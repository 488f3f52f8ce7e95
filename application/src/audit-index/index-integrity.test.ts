import { LIMITS } from '@aal/ledger-contract';
import type { common } from '@hyperledger/fabric-protos';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interactionWrites, testBlock } from '../testing/block-builder';
import { listBlockSource } from '../testing/list-block-source';
import { AuditIndex } from './audit-index';
import { blockHeaderHash } from './block-hashes';
import { BlockIntegrityError } from './block-integrity';
import { checkChannel } from './index-check';
import { AuditIndexStore } from './index-store';
import { reindex, ReindexRefusal } from './reindex';

const CHANNEL = 'hospital-a';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

const record = (id: string, txTime: number): Record<string, unknown> => ({
  id,
  org: 'HospitalAMSP',
  recordedBy: 'app-recorder',
  txId: 't'.repeat(64),
  txTime: new Date(txTime).toISOString(),
  startTime: '2026-01-01T00:00:00Z',
  endTime: '2026-01-01T00:00:01Z',
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o',
  usage: { inputTokens: 10, outputTokens: 2, source: 'provider' },
  cost: { status: 'unpriced' },
  latencyMs: 10,
  status: 'ok',
  applicationId: 'app-1',
});

/** A chain of `count` blocks, block n holding one transaction with two records, dated n seconds after T0 (block 3 backdated). */
function chain(count: number): common.Block[] {
  const blocks: common.Block[] = [];
  for (let number = 0; number < count; number++) {
    const txTimeMs = number === 3 ? T0 - LIMITS.txTimeSkewMs - 5_000 : T0 + number * 1_000;
    const txId = number.toString(16).padStart(64, '0');
    blocks.push(
      testBlock(
        number,
        [
          {
            txId,
            txTimeMs,
            writes: interactionWrites([record(`r-${number}-a`, txTimeMs), record(`r-${number}-b`, txTimeMs)]),
          },
        ],
        blocks.at(-1),
      ),
    );
  }
  return blocks;
}

const at = (blocks: readonly common.Block[], number: number): common.Block => {
  const block = blocks[number];
  if (block === undefined) throw new Error(`no block ${number}`);
  return block;
};

describe('audit index integrity: ingestion', () => {
  let database: DatabaseSync;
  let index: AuditIndex;
  beforeEach(async () => {
    database = new DatabaseSync(':memory:');
    index = await AuditIndex.over(await AuditIndexStore.over(database), 'audit', [CHANNEL]);
  });
  afterEach(() => index.store.close());
  const rows = (): number => (database.prepare('SELECT count(*) AS n FROM interactions').get() as { n: number }).n;

  it('stores each block with its header hash and resumes the chain after a reopen', async () => {
    const blocks = chain(3);
    for (const block of blocks.slice(0, 2)) expect(await index.ingest(CHANNEL, block)).toBe(true);
    const hash1 = Buffer.from(blockHeaderHash(at(blocks, 1).getHeader()!)).toString('hex');
    expect(database.prepare('SELECT block_number, header_hash FROM checkpoints').get()).toEqual({
      block_number: 1,
      header_hash: hash1,
    });
    const reopened = await AuditIndex.over(index.store, 'audit', [CHANNEL]);
    expect(reopened.headHash(CHANNEL)).toBe(hash1);
    // The checkpoint's own block seen again with its hash: nothing changes.
    expect(await reopened.ingest(CHANNEL, at(blocks, 1))).toBe(false);
    expect(await reopened.ingest(CHANNEL, at(blocks, 2))).toBe(true);
    expect(rows()).toBe(6);
  });

  it.each([
    ['previous-hash', (blocks: common.Block[]) => testBlock(2, [], at(blocks, 0))],
    [
      'data-hash',
      (blocks: common.Block[]) => {
        const forged = at(chain(3), 2).cloneMessage();
        forged.getData()?.setDataList([at(blocks, 0).getData()?.getDataList_asU8()[0] ?? new Uint8Array()]);
        return forged;
      },
    ],
    ['number', (blocks: common.Block[]) => testBlock(3, [], at(blocks, 1))],
  ] as const)(
    'refuses a block failing the %s check, stores nothing of it, and halts the channel',
    async (check, forge) => {
      const blocks = chain(2);
      for (const block of blocks) await index.ingest(CHANNEL, block);
      const error = await index.ingest(CHANNEL, forge(blocks)).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(BlockIntegrityError);
      expect(error).toMatchObject({ channel: CHANNEL, check });
      expect(rows()).toBe(4);
      expect(index.asOfBlock(CHANNEL)).toBe(1);
      expect(index.halted(CHANNEL)).toMatchObject({ channel: CHANNEL, check });
      // Halted: even the right next block is refused until an operator acts (restart after a look).
      await expect(index.ingest(CHANNEL, at(chain(3), 2))).rejects.toBeInstanceOf(BlockIntegrityError);
      expect(rows()).toBe(4);
    },
  );

  it('refuses a block 0 that names a previous block, and a re-sent checkpoint block with another hash', async () => {
    await expect(index.ingest(CHANNEL, testBlock(0, [], 'ab'.repeat(32)))).rejects.toMatchObject({
      check: 'previous-hash',
    });
    const other = await AuditIndex.over(await AuditIndexStore.over(new DatabaseSync(':memory:')), 'audit', [CHANNEL]);
    await other.ingest(CHANNEL, at(chain(1), 0));
    await expect(other.ingest(CHANNEL, testBlock(0, [{ txId: 'f'.repeat(64), writes: [] }]))).rejects.toMatchObject({
      check: 'header-hash',
    });
    await other.store.close();
  });

  it('stores the time anomalies found while ingesting, with the earlier transaction', async () => {
    for (const block of chain(5)) await index.ingest(CHANNEL, block);
    const anomalies = await index.store.timeAnomalies(CHANNEL, 4, undefined, 10);
    expect(anomalies).toEqual([
      {
        channel: CHANNEL,
        block_number: 3,
        tx_index: 0,
        tx_id: (3).toString(16).padStart(64, '0'),
        tx_time: new Date(T0 - LIMITS.txTimeSkewMs - 5_000).toISOString(),
        earlier_tx_id: (2).toString(16).padStart(64, '0'),
        earlier_block_number: 2,
        earlier_tx_time: new Date(T0 + 2_000).toISOString(),
      },
    ]);
    // The state survives a reopen: the newest time is the checkpoint's.
    expect((await index.store.chainState(CHANNEL))?.newest).toEqual({
      txId: (4).toString(16).padStart(64, '0'),
      blockNumber: 4,
      txTimeMs: T0 + 4_000,
    });
  });
});

describe('audit index integrity: check and reindex', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-index-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function built(blocks: readonly common.Block[]): Promise<{ path: string; store: AuditIndexStore }> {
    const path = join(dir, 'index.sqlite');
    const store = await AuditIndexStore.open(path);
    const index = await AuditIndex.over(store, 'audit', [CHANNEL]);
    for (const block of blocks) await index.ingest(CHANNEL, block);
    return { path, store };
  }
  const check = (store: AuditIndexStore, blocks: readonly common.Block[]) =>
    checkChannel({
      store,
      source: listBlockSource({ [CHANNEL]: blocks }),
      channel: CHANNEL,
      chaincode: 'audit',
      peerHeight: blocks.length,
    });

  it('finds nothing to report on an index built from the blocks (and ignores rows of blocks after its checkpoint)', async () => {
    const blocks = chain(5);
    const { store } = await built(blocks.slice(0, 4));
    expect(await check(store, blocks)).toEqual({
      channel: CHANNEL,
      checkpoint: 3,
      blocks: 4,
      rows: 8,
      anomalies: 1,
      differences: [],
    });
    await store.close();
  });

  it('finds a tampered row, a missing row, a tampered checkpoint hash and a forked peer chain', async () => {
    const blocks = chain(5);
    const { store } = await built(blocks);
    await store.db.updateTable('interactions').set({ input_tokens: 11 }).where('record_id', '=', 'r-1-a').execute();
    await store.db.deleteFrom('interactions').where('record_id', '=', 'r-2-b').execute();
    const tampered = await check(store, blocks);
    expect(tampered.differences).toEqual([
      expect.stringMatching(/^block 1: 2 rows stored \(digest [0-9a-f]{16}…\), 2 decoded from the block/),
      expect.stringMatching(/^block 2: 1 rows stored .*, 2 decoded from the block/),
      // The rollup still sums the rows as ingested: 8 calls, 80 input tokens; the rows now say 7 and 71.
      'usage rollup 2026-03-01T12: sums 8,0,80,16,0,0,0 stored, 7,0,71,14,0,0,0 recounted',
    ]);
    await store.db
      .updateTable('checkpoints')
      .set({ header_hash: '00'.repeat(32) })
      .execute();
    expect((await check(store, blocks)).differences).toContainEqual(
      expect.stringMatching(/^checkpoint block 4: stored header hash 0{64} is not the peer's block hash [0-9a-f]{64}$/),
    );
    // A peer whose block 2 is another block than the one its successor names.
    const forked = [...blocks];
    forked[2] = testBlock(2, [], at(blocks, 1));
    expect((await check(store, forked)).differences).toContainEqual(
      expect.stringMatching(/^the peer's chain: .* block 3 fails the previous-hash check/),
    );
    await store.close();
  });

  it('finds a usage rollup that no longer sums the rows', async () => {
    const blocks = chain(5);
    const { store } = await built(blocks);
    await store.db
      .updateTable('usage_rollup')
      .set({ cost_amount_minor: 1 })
      .where('hour', '=', '2026-03-01T12')
      .execute();
    expect((await check(store, blocks)).differences).toEqual([
      'usage rollup 2026-03-01T12: sums 8,0,80,16,0,0,1 stored, 8,0,80,16,0,0,0 recounted',
    ]);
    await store.db.deleteFrom('usage_rollup').execute();
    expect((await check(store, blocks)).differences).toEqual([
      'usage rollup 2026-03-01T11: no rollup row, 2,0,20,4,0,0,0 recounted from rows',
      'usage rollup 2026-03-01T12: no rollup row, 8,0,80,16,0,0,0 recounted from rows',
    ]);
    await store.close();
  });

  it('rebuilds an index equal to one ingested live, switching it in by rename, and refuses while the index is open', async () => {
    const blocks = chain(5);
    const { path, store } = await built(blocks);
    const dump = async (s: AuditIndexStore): Promise<unknown[]> =>
      (await s.storedRows(CHANNEL, 0, 1_000)).map(({ seq: _seq, ...row }) => row);
    const live = await dump(store);
    const rollup = async (s: AuditIndexStore): Promise<unknown[]> =>
      s.db.selectFrom('usage_rollup').selectAll().orderBy('hour').orderBy('actor_ref').orderBy('subject_ref').execute();
    const liveRollup = await rollup(store);
    expect(liveRollup.length).toBeGreaterThan(0);
    await store.db.updateTable('interactions').set({ input_tokens: 99 }).execute();
    await store.db.updateTable('usage_rollup').set({ calls: 99 }).execute();
    await expect(
      reindex({
        indexPath: path,
        source: listBlockSource({ [CHANNEL]: blocks }),
        channels: [CHANNEL],
        chaincode: 'audit',
      }),
    ).rejects.toBeInstanceOf(ReindexRefusal);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const progress: string[] = [];
    expect(
      await reindex({
        indexPath: path,
        source: listBlockSource({ [CHANNEL]: blocks }),
        channels: [CHANNEL],
        chaincode: 'audit',
        progress: (line) => progress.push(line),
      }),
    ).toEqual([{ channel: CHANNEL, checkpoint: 4, rows: 10, anomalies: 1 }]);
    expect(progress.at(-1)).toBe(`${CHANNEL}: indexed block 4 of 4`);
    const rebuilt = await AuditIndexStore.open(path);
    expect(await dump(rebuilt)).toEqual(live);
    expect(await rollup(rebuilt)).toEqual(liveRollup);
    expect((await check(rebuilt, blocks)).differences).toEqual([]);
    await rebuilt.close();
    expect(existsSync(`${path}.reindex`)).toBe(false);
  });

  it('leaves the index untouched when the rebuild meets a broken chain', async () => {
    const blocks = chain(3);
    const { path, store } = await built(blocks);
    await store.close();
    writeFileSync(join(dir, 'marker'), '');
    const broken = [...blocks];
    broken[2] = testBlock(2, [], at(blocks, 0));
    await expect(
      reindex({
        indexPath: path,
        source: listBlockSource({ [CHANNEL]: broken }),
        channels: [CHANNEL],
        chaincode: 'audit',
      }),
    ).rejects.toMatchObject({ blockNumber: 2, check: 'previous-hash' });
    expect(existsSync(`${path}.reindex`)).toBe(false);
    const kept = await AuditIndexStore.open(path);
    expect(await kept.checkpoint(CHANNEL)).toBe(2);
    await kept.close();
  });
});
