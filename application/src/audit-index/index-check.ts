import { sortedKeyJson } from '@aal/ledger-contract';
import type { common } from '@hyperledger/fabric-protos';
import { createHash } from 'node:crypto';
import { decodeBlock } from './block-decoder';
import { BlockIntegrityError, verifyNextBlock } from './block-integrity';
import type { BlockSource } from './block-source';
import { rowOf, type AuditIndexStore, type StoredRow } from './index-store';
import { rollupDifferences } from './usage-rollup';
import { timeAnomaliesOf, transactionTimes, type NewestTxTime, type TimeAnomaly } from './transaction-times';

/** What `check` found on one channel. */
export interface ChannelCheck {
  readonly channel: string;
  /** The checkpoint checked up to, or undefined when the index holds no block of the channel. */
  readonly checkpoint: number | undefined;
  readonly blocks: number;
  readonly rows: number;
  readonly anomalies: number;
  /** Every difference, one line each (block numbers, counts and hashes; never record content). */
  readonly differences: string[];
}

/** Rows read from the store per query. */
const PAGE = 1_000;

/** The digest `check` compares per block: SHA-256 over the block's rows (every column but `seq`) as sorted-key JSON lines. */
export function rowsDigest(rows: readonly StoredRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${sortedKeyJson(row)}\n`);
  return hash.digest('hex');
}

/** The channel's stored rows in ingestion order, handed out one block at a time. */
class StoredRowReader {
  private buffer: StoredRow[] = [];
  private afterSeq = 0;
  private exhausted = false;

  constructor(
    private readonly store: AuditIndexStore,
    private readonly channel: string,
  ) {}

  private async fill(): Promise<void> {
    if (this.buffer.length > 0 || this.exhausted) return;
    const page = await this.store.storedRows(this.channel, this.afterSeq, PAGE);
    if (page.length < PAGE) this.exhausted = true;
    const last = page.at(-1);
    if (last !== undefined) this.afterSeq = last.seq;
    this.buffer = page.map(({ seq: _seq, ...row }) => row);
  }

  /** The next consecutive rows whose block number is `blockNumber` (none when the next row is of another block). */
  async rowsOf(blockNumber: number): Promise<StoredRow[]> {
    const rows: StoredRow[] = [];
    for (;;) {
      await this.fill();
      const next = this.buffer[0];
      if (next === undefined || next.block_number !== blockNumber) return rows;
      rows.push(next);
      this.buffer.shift();
    }
  }

  /** How many rows are left after the blocks read. */
  async remaining(): Promise<number> {
    let count = 0;
    for (;;) {
      await this.fill();
      if (this.buffer.length === 0) return count;
      count += this.buffer.length;
      this.buffer = [];
    }
  }
}

const anomalyKey = (a: Pick<TimeAnomaly, 'blockNumber' | 'txIndex' | 'txId' | 'earlierTxId'>): string =>
  `${a.blockNumber}:${a.txIndex}:${a.txId}:${a.earlierTxId}`;

/**
 * Re-reads a channel's blocks from the org's peer, from block 0 to the index's checkpoint, and
 * compares: the hash chain (each `previous_hash`, each `data_hash`, the checkpoint's stored header
 * hash — which by the chain stands for every block before it), each block's rows (count and digest
 * of what the index stored against what decoding the block yields), rows beyond the checkpoint, and
 * the time anomalies. Reads the store while the app may be writing to it: rows of later blocks are
 * ignored, the checkpoint is read first.
 */
export async function checkChannel(options: {
  readonly store: AuditIndexStore;
  readonly source: BlockSource;
  readonly channel: string;
  readonly chaincode: string;
  /** The channel's height on the peer (last block + 1): a checkpoint at or beyond it is a difference, not a wait. */
  readonly peerHeight: number;
  readonly progress?: (line: string) => void;
}): Promise<ChannelCheck> {
  const { store, source, channel, chaincode, peerHeight, progress } = options;
  const differences: string[] = [];
  const state = await store.chainState(channel);
  if (state === undefined) {
    const stray = await new StoredRowReader(store, channel).remaining();
    if (stray > 0) differences.push(`${stray} rows stored but no checkpoint`);
    return { channel, checkpoint: undefined, blocks: 0, rows: 0, anomalies: 0, differences };
  }
  const target = state.blockNumber;
  if (target >= peerHeight) {
    differences.push(`checkpoint block ${target} is beyond the peer's last block ${peerHeight - 1}`);
    return { channel, checkpoint: target, blocks: 0, rows: 0, anomalies: 0, differences };
  }
  const reader = new StoredRowReader(store, channel);
  const expectedAnomalies = new Set<string>();
  let previousHash = '';
  let newest: NewestTxTime | undefined;
  let rows = 0;
  let blocks = 0;
  let lastReport = Date.now();
  const stream = await source.blocks(channel, 0n);
  try {
    for await (const block of stream as AsyncIterable<common.Block>) {
      const number = block.getHeader()?.getNumber() ?? -1;
      try {
        previousHash = verifyNextBlock(channel, block, { expectedNumber: blocks, previousHash });
      } catch (error) {
        if (!(error instanceof BlockIntegrityError)) throw error;
        differences.push(`the peer's chain: ${error.message}`);
        break;
      }
      const expected: StoredRow[] = decodeBlock(block, chaincode).interactions.map((indexed) =>
        rowOf(channel, indexed),
      );
      const stored = await reader.rowsOf(number);
      rows += stored.length;
      const [expectedDigest, storedDigest] = [rowsDigest(expected), rowsDigest(stored)];
      if (expected.length !== stored.length || expectedDigest !== storedDigest)
        differences.push(
          `block ${number}: ${stored.length} rows stored (digest ${storedDigest.slice(0, 16)}…), ` +
            `${expected.length} decoded from the block (digest ${expectedDigest.slice(0, 16)}…)`,
        );
      const times = timeAnomaliesOf(number, transactionTimes(block), newest);
      newest = times.newest;
      for (const anomaly of times.anomalies) expectedAnomalies.add(anomalyKey(anomaly));
      blocks += 1;
      if (progress !== undefined && (Date.now() - lastReport > 2_000 || number === target)) {
        progress(`${channel}: checked block ${number} of ${target}`);
        lastReport = Date.now();
      }
      if (number === target) break;
    }
  } finally {
    stream.close();
  }
  if (blocks === target + 1) {
    if (state.headerHash === null)
      differences.push(`checkpoint block ${target}: no header hash stored (an index made before migration 3: reindex)`);
    else if (state.headerHash !== previousHash)
      differences.push(
        `checkpoint block ${target}: stored header hash ${state.headerHash} is not the peer's block hash ${previousHash}`,
      );
  } else if (!differences.some((line) => line.startsWith("the peer's chain")))
    differences.push(`the peer delivered ${blocks} blocks, the checkpoint is block ${target}`);
  const stray = await reader.remaining();
  if (stray > 0) differences.push(`${stray} rows stored out of ledger order or beyond the checkpoint block ${target}`);
  const stored = await store.timeAnomalies(channel, target, undefined, Number.MAX_SAFE_INTEGER);
  const storedKeys = new Set(
    stored.map((row) =>
      anomalyKey({
        blockNumber: row.block_number,
        txIndex: row.tx_index,
        txId: row.tx_id,
        earlierTxId: row.earlier_tx_id,
      }),
    ),
  );
  const missing = [...expectedAnomalies].filter((key) => !storedKeys.has(key));
  const extra = [...storedKeys].filter((key) => !expectedAnomalies.has(key));
  if (missing.length > 0 || extra.length > 0)
    differences.push(
      `time anomalies: ${missing.length} missing from the index, ${extra.length} not derived from the blocks`,
    );
  // The usage rollup must equal a recount of the rows (which were just compared with the blocks).
  differences.push(...(await rollupDifferences(store.db, store.backend, channel)));
  return { channel, checkpoint: target, blocks, rows, anomalies: stored.length, differences };
}
