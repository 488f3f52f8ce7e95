/**
 * What `npm run bench:reads` measures of the org's audit index besides REST read latencies: how far
 * the index trails commits and how fast it ingests real blocks — into a fresh index whose count must
 * equal the records written, an independent recount from the blocks. (The usage summary's old path,
 * a scan of the chaincode's per-record query entries, is gone: records of the lean layout write none.)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { AuditIndex, AuditIndexStore } from '@aal/application';

/** Index ingestion of real blocks, in a fresh database of the bench's own. */
export interface IngestionResult {
  readonly blocks: number;
  readonly records: number;
  /** Wall time inside `AuditIndex.ingest` only (decode + one database transaction per block). */
  readonly ingestSeconds: number;
  readonly ingestRecordsPerSecond: number;
  /** Process CPU (user + system) per record while ingesting, receiving blocks included. */
  readonly cpuMsPerRecord: number;
  /** Database file size after ingesting, per million records. */
  readonly databaseMiBPerMillion: number;
}

/**
 * Reads blocks 0‥`lastBlock` of `channel` from the org's peer and ingests them into a new SQLite
 * index in a temporary directory, timing the ingestion apart from receiving the blocks. `records`
 * is how many interactions of `org` the ledger holds (the caller wrote them); the index must count
 * as many.
 */
export async function measureIngestion(
  gateway: Gateway,
  channel: string,
  chaincode: string,
  org: string,
  lastBlock: bigint,
  records: number,
): Promise<IngestionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-bench-index-'));
  const path = join(dir, 'audit-index.sqlite');
  const store = await AuditIndexStore.open(path);
  try {
    const index = await AuditIndex.over(store, chaincode, [channel]);
    const events = await gateway.getNetwork(channel).getBlockEvents({ startBlock: 0n });
    let ingestMs = 0;
    let blocks = 0;
    const cpuBefore = process.cpuUsage();
    try {
      for await (const block of events) {
        const begin = performance.now();
        await index.ingest(channel, block);
        ingestMs += performance.now() - begin;
        blocks++;
        if (BigInt(index.asOfBlock(channel) ?? -1) >= lastBlock) break;
      }
    } finally {
      events.close();
    }
    const cpu = process.cpuUsage(cpuBefore);
    const usage = await store.usage({ channel, by: 'org', value: org }, 'model', 1000);
    if (usage.records !== records)
      throw new Error(`the fresh index counts ${usage.records} records; the ledger holds ${records}`);
    const { size } = statSync(path);
    return {
      blocks,
      records,
      ingestSeconds: Math.round(ingestMs) / 1000,
      ingestRecordsPerSecond: Math.round(records / (ingestMs / 1000)),
      cpuMsPerRecord: Math.round(((cpu.user + cpu.system) / 1000 / records) * 1000) / 1000,
      databaseMiBPerMillion: Math.round((size / 2 ** 20) * (1_000_000 / records)),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
