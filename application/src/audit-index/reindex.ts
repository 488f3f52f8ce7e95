import { existsSync, renameSync, rmSync } from 'node:fs';
import { AuditIndex } from './audit-index';
import type { BlockSource } from './block-source';
import { AuditIndexStore } from './index-store';

/** What `reindex` built on one channel. */
export interface ChannelReindex {
  readonly channel: string;
  /** The last block indexed (the peer's height when the channel's rebuild began, less one). */
  readonly checkpoint: number | undefined;
  readonly rows: number;
  readonly anomalies: number;
}

/** The rebuild was not started: the index is in use. */
export class ReindexRefusal extends Error {}

/** The SQLite files of a database at `path`: the database and its write-ahead log and shared memory. */
const sqliteFiles = (path: string): string[] => [path, `${path}-wal`, `${path}-shm`];

/** The file a rebuild writes before it replaces the index. */
export const reindexPath = (indexPath: string): string => `${indexPath}.reindex`;

type HeightSource = BlockSource & { height(channel: string): Promise<number> };

/**
 * Reads every channel from block 0 into `store` (empty), with every ingestion check, up to each
 * channel's height on the peer when its rebuild began.
 */
async function rebuild(options: {
  readonly store: AuditIndexStore;
  readonly source: HeightSource;
  readonly channels: readonly string[];
  readonly chaincode: string;
  readonly progress: ((line: string) => void) | undefined;
}): Promise<ChannelReindex[]> {
  const { store, source, channels, chaincode, progress } = options;
  const results: ChannelReindex[] = [];
  const index = await AuditIndex.over(store, chaincode, channels);
  for (const channel of channels) {
    const height = await source.height(channel);
    let lastReport = Date.now();
    if (height > 0) {
      const stream = await source.blocks(channel, 0n);
      try {
        for await (const block of stream) {
          await index.ingest(channel, block);
          const number = block.getHeader()?.getNumber() ?? 0;
          if (progress !== undefined && (Date.now() - lastReport > 2_000 || number === height - 1)) {
            progress(`${channel}: indexed block ${number} of ${height - 1}`);
            lastReport = Date.now();
          }
          if (number >= height - 1) break;
        }
      } finally {
        stream.close();
      }
    }
    const counts = await store.counts(channel);
    results.push({ channel, checkpoint: index.asOfBlock(channel), ...counts });
  }
  return results;
}

/**
 * Rebuilds an audit index held in a database server (PostgreSQL) in place: empties its derived
 * tables in one transaction, then reads every channel from block 0 as {@link reindex} does. The app
 * must be stopped. Each block is committed with its checkpoint, so a rebuild stopped part-way leaves
 * a consistent index up to the block it reached, which the app completes when it starts (or halts
 * at the same block, if that block failed a check).
 */
export async function reindexInPlace(options: {
  readonly store: AuditIndexStore;
  readonly source: HeightSource;
  readonly channels: readonly string[];
  readonly chaincode: string;
  readonly progress?: (line: string) => void;
}): Promise<ChannelReindex[]> {
  await options.store.clear();
  return rebuild({ ...options, progress: options.progress });
}

/**
 * Rebuilds an SQLite audit index from block 0 into a new database beside it (`<index>.reindex`), with
 * every ingestion check, up to each channel's height on the peer when its rebuild began; then, only
 * if every channel was rebuilt, replaces the index with it by one rename (atomic: a reader sees the
 * old file or the new one). The app must be stopped: it keeps the old file open and would go on
 * writing to it. A running app (or one that crashed) leaves `<index>-wal`, which makes this refuse
 * unless `force`. On failure the index is untouched and the partial rebuild removed.
 */
export async function reindex(options: {
  readonly indexPath: string;
  readonly source: HeightSource;
  readonly channels: readonly string[];
  readonly chaincode: string;
  readonly force?: boolean;
  readonly progress?: (line: string) => void;
}): Promise<ChannelReindex[]> {
  const { indexPath, source, channels, chaincode, progress } = options;
  if (existsSync(`${indexPath}-wal`) && options.force !== true)
    throw new ReindexRefusal(
      `${indexPath}-wal exists: the app still has the index open (stop it first), or it crashed ` +
        '(then start and stop it once, or pass --force)',
    );
  const target = reindexPath(indexPath);
  for (const file of sqliteFiles(target)) rmSync(file, { force: true });
  const store = await AuditIndexStore.open(target);
  let results: ChannelReindex[];
  try {
    results = await rebuild({ store, source, channels, chaincode, progress });
  } catch (error) {
    await store.close();
    for (const file of sqliteFiles(target)) rmSync(file, { force: true });
    throw error;
  }
  await store.close();
  // The old index's own log files would be replayed into the new database: they go first.
  for (const file of sqliteFiles(indexPath).slice(1)) rmSync(file, { force: true });
  renameSync(target, indexPath);
  return results;
}
