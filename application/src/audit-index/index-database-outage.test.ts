import type { common } from '@hyperledger/fabric-protos';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { HttpProblem } from '../http/problem';
import { interactionWrites, testBlock } from '../testing/block-builder';
import { listBlockSource } from '../testing/list-block-source';
import { SimulatedOutage } from '../testing/simulated-outage';
import { storedInteraction as record } from '../testing/stored-interactions';
import { AuditIndex } from './audit-index';
import { FOLLOWER_BACKOFF, followBlocks } from './block-follower';
import { IndexDatabaseUnavailableError, isConnectionFailure } from './index-database-unavailable';
import { indexHeight } from './index-reads';

const CHANNEL = 'hospital-a';
const txId = (n: number): string => n.toString(16).padStart(64, '0');

/** A chain of `count` blocks, block n holding records `r-n-0` and `r-n-1`. */
function chain(count: number): common.Block[] {
  const blocks: common.Block[] = [];
  for (let n = 0; n < count; n++)
    blocks.push(
      testBlock(
        n,
        [{ txId: txId(n), writes: interactionWrites([record(`r-${n}-0`), record(`r-${n}-1`)]) }],
        blocks[n - 1],
      ),
    );
  return blocks;
}

describe('isConnectionFailure', () => {
  it('names an unreachable database, not a wrong query', () => {
    const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      new IndexDatabaseUnavailableError(new Error('down')),
    ])
      expect({ message: error.message, failure: isConnectionFailure(error) }).toEqual({
        message: error.message,
        failure: true,
      });
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('null value in column "request_model"', '23502'),
      withCode('no such table: interactions', 'ERR_SQLITE_ERROR'),
      new RangeError('the audit index read 9007199254740993, which is not a whole number below 2^53'),
      'ECONNREFUSED',
    ])
      expect(isConnectionFailure(error)).toBe(false);
  });
});

describe('an audit index whose database is down', () => {
  let outage: SimulatedOutage;
  let index: AuditIndex;
  beforeEach(() => {
    outage = new SimulatedOutage();
    index = AuditIndex.unopened(outage.store(), 'audit', [CHANNEL]);
  });
  afterEach(() => index.store.close());

  it('is created without the database, refuses reads (503, Retry-After) until it opens, then reads', async () => {
    outage.down = true;
    await expect(index.open()).rejects.toBeInstanceOf(IndexDatabaseUnavailableError);
    expect(index.isOpen()).toBe(false);
    expect(await index.databaseProblem(5_000)).toBe('the audit index database cannot be reached');
    const refused = await indexHeight(index, CHANNEL, undefined).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused).toMatchObject({ status: 503, title: 'Audit index unavailable', headers: { 'Retry-After': '5' } });

    outage.down = false;
    expect(await index.databaseProblem(5_000)).toBeUndefined();
    expect(index.isOpen()).toBe(true);
    await index.ingest(CHANNEL, chain(1)[0] as common.Block);
    expect(await indexHeight(index, CHANNEL, 0)).toBe(0);
  });

  it('stores nothing of a block whose transaction failed, and the same block later stores it once', async () => {
    const blocks = chain(2);
    await index.ingest(CHANNEL, blocks[0] as common.Block);
    outage.down = true;
    await expect(index.ingest(CHANNEL, blocks[1] as common.Block)).rejects.toBeInstanceOf(
      IndexDatabaseUnavailableError,
    );
    expect(index.asOfBlock(CHANNEL)).toBe(0);
    outage.down = false;
    expect(await index.ingest(CHANNEL, blocks[1] as common.Block)).toBe(true);
    expect(await index.store.counts(CHANNEL)).toEqual({ rows: 4, anomalies: 0 });
  });
});

describe('followBlocks while the database goes down and comes back', () => {
  let outage: SimulatedOutage;
  let index: AuditIndex;
  let logLines: string[];
  beforeEach(() => {
    outage = new SimulatedOutage();
    index = AuditIndex.unopened(outage.store(), 'audit', [CHANNEL]);
    logLines = [];
  });
  afterEach(() => index.store.close());

  /**
   * Follows `blocks` until the index reflects the last one; each backoff is recorded and handed to
   * `onBackoff` (which may bring the database back) instead of being waited out.
   */
  async function follow(blocks: common.Block[], onBackoff: (ms: number, call: number) => void): Promise<number[]> {
    const backoffs: number[] = [];
    const controller = new AbortController();
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    );
    await followBlocks({
      index,
      source: listBlockSource({ [CHANNEL]: blocks }),
      channel: CHANNEL,
      logger,
      signal: controller.signal,
      sleep: (ms) => {
        backoffs.push(ms);
        // The list source ends after its last block: once all are indexed, stop following.
        if (index.asOfBlock(CHANNEL) === blocks.length - 1) controller.abort();
        else onBackoff(ms, backoffs.length);
        if (backoffs.length > 20) throw new Error(`the follower never caught up: ${JSON.stringify(backoffs)}`);
        return Promise.resolve();
      },
    });
    return backoffs;
  }

  const storedIds = async (): Promise<string[]> =>
    (await index.store.db.selectFrom('interactions').select('record_id').orderBy('seq').execute()).map(
      (row) => row.record_id,
    );
  const allIds = (count: number): string[] => Array.from({ length: count }, (_, n) => [`r-${n}-0`, `r-${n}-1`]).flat();

  it('starts while the database is down, backs off (doubling), and indexes everything once it answers', async () => {
    outage.down = true;
    const backoffs = await follow(chain(3), (_ms, call) => {
      if (call === 3) outage.down = false;
    });
    expect(backoffs).toEqual([
      FOLLOWER_BACKOFF.firstMs,
      FOLLOWER_BACKOFF.firstMs * 2,
      FOLLOWER_BACKOFF.firstMs * 4,
      FOLLOWER_BACKOFF.firstMs,
    ]);
    expect(await storedIds()).toEqual(allIds(3));
    expect(logLines.filter((line) => line.includes('its database is unavailable'))).toHaveLength(3);
    expect(logLines.some((line) => line.includes('resuming from the checkpoint') && line.includes('"level":30'))).toBe(
      true,
    );
  });

  it('goes down mid-ingestion: resumes from the checkpoint, every record exactly once', async () => {
    const blocks = chain(5);
    outage.downAfterCommits = 3;
    const backoffs = await follow(blocks, () => {
      outage.down = false;
    });
    expect(backoffs).toEqual([FOLLOWER_BACKOFF.firstMs, FOLLOWER_BACKOFF.firstMs]);
    expect(await storedIds()).toEqual(allIds(5));
    expect(await index.store.checkpoint(CHANNEL)).toBe(4);
  });

  it('a commit whose acknowledgement was lost is not applied twice', async () => {
    const blocks = chain(4);
    await index.open();
    await index.ingest(CHANNEL, blocks[0] as common.Block);
    outage.loseNextCommitAck = true;
    await follow(blocks, () => undefined);
    expect(await storedIds()).toEqual(allIds(4));
    expect(await index.store.counts(CHANNEL)).toEqual({ rows: 8, anomalies: 0 });
    expect(logLines.some((line) => line.includes('its database is unavailable'))).toBe(true);
  });
});
