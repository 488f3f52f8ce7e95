/**
 * Index ingestion of a real channel, repeatable without a running network: reads the blocks of a
 * peer's block files (as the peer stored them) and ingests them into a fresh SQLite index, timing
 * `AuditIndex.ingest` alone, as `npm run bench:reads` does at its end. Meant for profiling:
 *
 *   node --cpu-prof --import tsx test/bench/ingest-block-files.ts \
 *     --blocks <network dir>/…/ledgersData/chains/chains/<channel> --channel <channel> [--limit N]
 *
 * A peer's block file is a sequence of blocks, each a varint length and the block's protobuf bytes.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { common } from '@hyperledger/fabric-protos';
import { AuditIndex, AuditIndexStore } from '@aal/application';
import { CHAINCODE_NAME, HOSPITAL_A } from '@aal/network';

const { values: flags } = parseArgs({
  options: {
    blocks: { type: 'string' },
    channel: { type: 'string' },
    limit: { type: 'string' },
    /** The org whose records are counted at the end (HospitalA's by default). */
    org: { type: 'string' },
  },
});
const { blocks: blocksDir, channel } = flags;
if (blocksDir === undefined || channel === undefined)
  throw new Error('usage: ingest-block-files.ts --blocks <peer chain directory> --channel <channel> [--limit N]');
const limit = flags.limit === undefined ? Number.POSITIVE_INFINITY : Number(flags.limit);

/** Reads Fabric's block-file encoding: varints and length-prefixed byte strings. */
class BlockFileReader {
  constructor(
    private readonly bytes: Buffer,
    public at = 0,
  ) {}

  varint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.at++];
      if (byte === undefined) throw new Error('truncated block file');
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  }

  done(): boolean {
    return this.at >= this.bytes.length;
  }

  rawBytes(): Uint8Array {
    const length = this.varint();
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
}

/**
 * Every block of the peer's block files of one channel, in order. Each block is stored as a varint
 * length and then Fabric's own serialisation (blkstorage's serializeBlock), not the Block message:
 * number, data hash, previous hash; the transaction envelopes; the metadata entries.
 */
function* blocksOf(directory: string): Generator<common.Block> {
  const files = readdirSync(directory)
    .filter((name) => name.startsWith('blockfile_'))
    .sort();
  for (const name of files) {
    const file = new BlockFileReader(readFileSync(join(directory, name)));
    while (!file.done()) {
      const length = file.varint();
      const end = file.at + length;
      const header = new common.BlockHeader();
      header.setNumber(file.varint());
      header.setDataHash(file.rawBytes());
      header.setPreviousHash(file.rawBytes());
      const data = new common.BlockData();
      const transactions = file.varint();
      for (let i = 0; i < transactions; i++) data.addData(file.rawBytes());
      const metadata = new common.BlockMetadata();
      const entries = file.varint();
      for (let i = 0; i < entries; i++) metadata.addMetadata(file.rawBytes());
      if (file.at !== end) throw new Error(`block ${header.getNumber()} in ${name} is not ${length} bytes long`);
      const block = new common.Block();
      block.setHeader(header);
      block.setData(data);
      block.setMetadata(metadata);
      yield block;
    }
  }
}

async function main(blocksDir: string, channel: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-ingest-'));
  const path = join(dir, 'audit-index.sqlite');
  const store = await AuditIndexStore.open(path);
  try {
    const index = await AuditIndex.over(store, CHAINCODE_NAME, [channel]);
    let blocks = 0;
    let ingestMs = 0;
    const cpuBefore = process.cpuUsage();
    for (const block of blocksOf(blocksDir)) {
      if (blocks >= limit) break;
      const begin = performance.now();
      await index.ingest(channel, block);
      ingestMs += performance.now() - begin;
      blocks++;
    }
    const cpu = process.cpuUsage(cpuBefore);
    const { records } = await store.usage(
      { channel: channel, by: 'org', value: flags.org ?? HOSPITAL_A.mspId },
      'model',
      1000,
    );
    console.log(
      JSON.stringify({
        blocks,
        records,
        ingestSeconds: Math.round(ingestMs) / 1000,
        ingestRecordsPerSecond: Math.round(records / (ingestMs / 1000)),
        cpuMsPerRecord: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(records, 1)) * 1000) / 1000,
        databaseMiB: Math.round(statSync(path).size / 2 ** 20),
      }),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main(blocksDir, channel).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
