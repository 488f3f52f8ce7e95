/**
 * `npm run bench:ordering [-- --ordering raft|bft] [--records N]`: the ingestion write paths on a
 * Raft network (the orderer org's 3 nodes) and on a BFT network (one SmartBFT node per member org),
 * one after the other in the same run on the same machine, with the same load: throughput, latency
 * p50/p99, and CPU per committed record (the whole network's, and the orderers' alone). Prints a
 * table and writes JSON under bench-results/. Without `--ordering`, both are measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  CHAINCODE_NAME,
  FabricNetwork,
  HOSPITAL_A,
  ORDERING_TYPES,
  parseOrdering,
  type NetworkOptions,
  type OrderingType,
} from '@aal/network';
import { gatewayFor } from '../support/gateway';
import { interactionRecord } from './interaction-records';
import { runLoad } from './load-generator';
import { ProcessSampler } from './process-sampler';
import { summarise, type LatencySummary } from './statistics';

const { values: flags } = parseArgs({
  options: {
    ordering: { type: 'string' },
    /** Records per scenario (default 2000: a small run). */
    records: { type: 'string', default: '2000' },
  },
});
const orderings: readonly OrderingType[] =
  flags.ordering === undefined ? ORDERING_TYPES : [parseOrdering(flags.ordering, '--ordering')];
const records = Number(flags.records);
if (!Number.isInteger(records) || records < 100) throw new Error(`--records must be a whole number ≥ 100`);
const repoRoot = resolve(__dirname, '..', '..');
const CHANNEL = 'hospital-a';

/** The scenarios each ordering runs: single-record transactions, and batches as the apps' gathering makes them. */
const SCENARIOS = [
  {
    name: 'RecordInteraction × 1, 64 in flight',
    transaction: TRANSACTIONS.recordInteraction,
    size: 1,
    concurrency: 64,
  },
  { name: 'RecordBatch × 100, 4 in flight', transaction: TRANSACTIONS.recordBatch, size: 100, concurrency: 4 },
] as const;

interface OrderingResult {
  readonly ordering: OrderingType;
  readonly scenario: string;
  readonly records: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly recordsPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** CPU of every network process (CAs aside) per committed record, in ms. */
  readonly networkCpuMsPerRecord: number;
  /** CPU of the orderer nodes alone per committed record, in ms. */
  readonly orderersCpuMsPerRecord: number;
}

function log(message: string): void {
  process.stderr.write(`[bench:ordering ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function measureOrdering(ordering: OrderingType, index: number): Promise<OrderingResult[]> {
  const options: NetworkOptions = {
    dir: resolve(process.env.AAL_BENCH_NETWORK_DIR ?? join(repoRoot, '.network-bench')) + `-${ordering}`,
    // Each ordering its own block of ports, so a network that fails to stop does not block the next.
    basePort: Number(process.env.AAL_BENCH_BASE_PORT ?? 19000) + 100 * index,
    orderers: 3,
    ordering,
    purgeIntervalBlocks: 100,
  };
  const network = new FabricNetwork(options);
  await network.down({ purge: true });
  const results: OrderingResult[] = [];
  try {
    log(`${ordering}: starting the network`);
    await network.up();
    await network.deploy();
    const layout = network.layout;
    const watched = network
      .status()
      .filter((process) => process.running && !process.name.startsWith('ca.'))
      .map((process) => ({ name: process.name, pid: process.pid }));
    const orderers = new Set(layout.ordererIndexes().map((i) => layout.ordererProcess(i)));
    const gateway = gatewayFor(layout, HOSPITAL_A, 'recorder');
    try {
      const contract = gateway.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
      await warmUp(() =>
        contract.submitTransaction(
          TRANSACTIONS.recordInteraction,
          JSON.stringify(interactionRecord(`HospitalAMSP:w-${ordering}`)),
        ),
      );
      for (const [n, scenario] of SCENARIOS.entries()) {
        const sampler = new ProcessSampler(watched);
        log(`${ordering}: ${scenario.name}`);
        sampler.start();
        const load = await runLoad({
          concurrency: scenario.concurrency,
          total: Math.max(scenario.concurrency, Math.round(records / scenario.size)),
          operation: (i) => {
            const batch = Array.from({ length: scenario.size }, (_, j) =>
              interactionRecord(`HospitalAMSP:o-${ordering}-${n}-${i}-${j}`),
            );
            return contract.submitTransaction(
              scenario.transaction,
              JSON.stringify(scenario.size === 1 ? batch[0] : batch),
            );
          },
        });
        const usage = sampler.stop();
        const seconds = load.elapsedMs / 1000;
        const committed = load.completed * scenario.size;
        // ProcessUsage is % of one core over the window: back to CPU milliseconds.
        const cpuMs = (names: (name: string) => boolean): number =>
          usage.filter((entry) => names(entry.name)).reduce((sum, entry) => sum + entry.cpuPercent * 10 * seconds, 0);
        const perRecord = (ms: number): number => Math.round((ms / Math.max(1, committed)) * 100) / 100;
        const result: OrderingResult = {
          ordering,
          scenario: scenario.name,
          records: committed,
          failed: load.failed,
          errors: load.errors,
          recordsPerSecond: Math.round((committed / seconds) * 10) / 10,
          latencyMs: summarise(load.latenciesMs),
          networkCpuMsPerRecord: perRecord(cpuMs(() => true)),
          orderersCpuMsPerRecord: perRecord(cpuMs((name) => orderers.has(name))),
        };
        log(
          `${ordering}: ${result.recordsPerSecond} records/s, p50 ${result.latencyMs.p50} ms, ${result.failed} failed`,
        );
        results.push(result);
      }
    } finally {
      gateway.close();
    }
  } finally {
    await network.down({ purge: true });
  }
  return results;
}

async function warmUp(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      await write();
      return;
    } catch {
      await sleep(1000);
    }
  }
  throw new Error('the bench network never accepted a write');
}

async function main(): Promise<void> {
  const outDir = join(repoRoot, 'bench-results', `ordering-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(outDir, { recursive: true });
  const results: OrderingResult[] = [];
  for (const [index, ordering] of orderings.entries()) results.push(...(await measureOrdering(ordering, index)));
  const rows = results.map((result) => ({
    ordering: result.ordering,
    scenario: result.scenario,
    records: result.records,
    failed: result.failed,
    'records/s': result.recordsPerSecond,
    'p50 ms': result.latencyMs.p50,
    'p99 ms': result.latencyMs.p99,
    'network CPU ms/record': result.networkCpuMsPerRecord,
    'orderers CPU ms/record': result.orderersCpuMsPerRecord,
  }));
  console.table(rows);
  const report = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    settings: { records, channel: CHANNEL, endorsement: 'MAJORITY (2 of 3 orgs)', tls: true, orderings },
    results,
  };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'table.txt'), JSON.stringify(rows, null, 2));
  log(`results written to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
