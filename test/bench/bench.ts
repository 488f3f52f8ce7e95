/**
 * `npm run bench [-- --quick] [--ordering raft|bft] [--only <text>]`: measures the ledger's write and read paths on a
 * network it starts with production-like settings (3 Raft orderers, or with `--ordering bft` one
 * SmartBFT orderer per member org; TLS, majority endorsement), compares every path
 * with a baseline measured in the same run, prints a table and writes JSON under bench-results/.
 * Not part of `npm test`: speed is measured here, never asserted in unit tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  address,
  BENCH_BASELINE_CHAINCODE,
  CHAINCODE_NAME,
  FabricNetwork,
  HOSPITAL_A,
  issueApiKeys,
  NetworkLayout,
  type NetworkOptions,
  parseOrdering,
} from '@aal/network';
import { gatewayFor, type TestGateway } from '../support/gateway';
import { writeBarChart } from './bar-chart';
import { interactionRecord, restInteractionRecord } from './interaction-records';
import { runLoad, type LoadResult } from './load-generator';
import { summariseCpuProfiles } from './node-profile';
import { capturePeerProfile } from './peer-profile';
import { ProcessSampler, type ProcessUsage } from './process-sampler';
import { startSecondApplication, type SecondApplication } from './second-application';
import { summarise, type LatencySummary } from './statistics';

const { values: flags } = parseArgs({
  options: {
    /** A tenth of the operations per scenario. */
    quick: { type: 'boolean', default: false },
    /**
     * Also record a Go CPU profile of HospitalA's peer during the RecordBatch × 1000, 8 in flight
     * scenario, and Node CPU profiles of every chaincode server and app over the whole run.
     */
    profile: { type: 'boolean', default: false },
    /** The ordering service (`raft` by default); `npm run bench:ordering` compares both in one run. */
    ordering: { type: 'string' },
    /** Only the scenarios whose name contains this text, after the baseline (e.g. `--only REST`). */
    only: { type: 'string' },
  },
});
const { quick, profile, only } = flags;
/** Whether a scenario runs: the baseline always, the others unless `--only` leaves them out. */
const wanted = (scenario: string): boolean =>
  scenario.startsWith('baseline') || only === undefined || scenario.includes(only);
const ordering = parseOrdering(flags.ordering, '--ordering');
const repoRoot = resolve(__dirname, '..', '..');
const options: NetworkOptions = {
  dir: resolve(process.env.AAL_BENCH_NETWORK_DIR ?? join(repoRoot, '.network-bench')),
  basePort: Number(process.env.AAL_BENCH_BASE_PORT ?? 19000),
  orderers: 3,
  ordering,
  purgeIntervalBlocks: 100,
  profiling: profile,
  // The reference point every path is compared with: plain Fabric puts, from its own chaincode.
  benchBaseline: true,
};
const CHANNEL = 'hospital-a';
const UNGATHERED_APP = 'app.hospital-a (gathering off)';

interface ScenarioResult {
  readonly name: string;
  readonly recordsPerOperation: number;
  readonly operations: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly operationsPerSecond: number;
  readonly recordsPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly generatorCpuPercent: number;
  readonly processes: readonly ProcessUsage[];
  /** CPU-ms per committed record of every process of a kind together (the scale-independent figure), and of all of them. */
  readonly cpuMsPerRecord: Readonly<Record<NodeKind | 'network', number>>;
}

/** The kinds of network process the CPU per record is reported for; the process names say which. */
const NODE_KINDS = ['peer', 'orderer', 'chaincode', 'app', 'index database'] as const;
type NodeKind = (typeof NODE_KINDS)[number];

/** A process's kind from its name (`peer0.…`, `orderer1.…`, `chaincode.…`, `app.…`, `postgres.…`). */
function nodeKindOf(processName: string): NodeKind | undefined {
  if (processName.startsWith('peer')) return 'peer';
  if (processName.startsWith('orderer')) return 'orderer';
  if (processName.startsWith('chaincode.')) return 'chaincode';
  if (processName.startsWith('app.')) return 'app';
  if (processName.startsWith('postgres.')) return 'index database';
  return undefined;
}

/** CPU-ms per committed record by node kind, two decimals. */
function cpuPerRecord(processes: readonly ProcessUsage[], records: number): Record<NodeKind | 'network', number> {
  const perRecord = (ms: number): number => Math.round((ms / Math.max(1, records)) * 100) / 100;
  const byKind = Object.fromEntries(NODE_KINDS.map((kind) => [kind, 0])) as Record<NodeKind, number>;
  for (const usage of processes) {
    const kind = nodeKindOf(usage.name);
    if (kind !== undefined) byKind[kind] += usage.cpuMs;
  }
  const network = processes.reduce((sum, usage) => sum + usage.cpuMs, 0);
  return {
    ...(Object.fromEntries(NODE_KINDS.map((kind) => [kind, perRecord(byKind[kind])])) as Record<NodeKind, number>),
    network: perRecord(network),
  };
}

/** A scenario's name short enough for the charts' label column. */
const chartLabel = (name: string): string =>
  name
    .replace(' via gateway', '')
    .replace('single: POST /interactions via REST', 'REST single')
    .replace('Batches:', '');

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function measure(
  name: string,
  recordsPerOperation: number,
  sampler: ProcessSampler,
  load: () => Promise<LoadResult>,
): Promise<ScenarioResult> {
  log(`${name}: running`);
  sampler.start();
  const result = await load();
  const processes = sampler.stop();
  const seconds = result.elapsedMs / 1000;
  const scenario: ScenarioResult = {
    name,
    recordsPerOperation,
    operations: result.completed,
    failed: result.failed,
    errors: result.errors,
    operationsPerSecond: Math.round((result.completed / seconds) * 10) / 10,
    recordsPerSecond: Math.round(((result.completed * recordsPerOperation) / seconds) * 10) / 10,
    latencyMs: summarise(result.latenciesMs),
    generatorCpuPercent: Math.round((result.generatorCpuMs / result.elapsedMs) * 100),
    processes,
    cpuMsPerRecord: cpuPerRecord(processes, result.completed * recordsPerOperation),
  };
  log(`${name}: ${scenario.recordsPerSecond} records/s, p50 ${scenario.latencyMs.p50} ms, ${scenario.failed} failed`);
  return scenario;
}

async function waitUntilWritable(gateway: TestGateway): Promise<void> {
  const contract = gateway.gateway.getNetwork(CHANNEL).getContract(BENCH_BASELINE_CHAINCODE.name);
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      await contract.submitTransaction('Baseline:Put', 'warm-up');
      return;
    } catch {
      await sleep(1000);
    }
  }
  throw new Error('the bench network never accepted a write');
}

/** Starts the network with its apps; stops it again when any step fails, so a failed start leaves no processes behind. */
async function startBenchNetwork(network: FabricNetwork): Promise<Record<string, string>> {
  try {
    await network.up();
    await network.deploy();
    // The bench drives one key far beyond the production per-key rate limit on purpose.
    process.env.AAL_RATE_LIMIT_PER_SECOND = '100000';
    process.env.AAL_RATE_LIMIT_BURST = '100000';
    return await network.startApplications();
  } catch (error) {
    await network.down();
    throw error;
  }
}

/**
 * Waits until the app at `url` has indexed every block the network's app at `reference` has, so its
 * catching up is not measured as part of a scenario (`minBlock` of the index-backed query).
 */
async function waitForIndexCatchUp(reference: string, url: string, key: string): Promise<void> {
  const query = `/api/v1/channels/${CHANNEL}/interactions?by=org&value=${HOSPITAL_A.mspId}&pageSize=1`;
  const headers = { authorization: `Bearer ${key}` };
  const answer = await fetch(`${reference}${query}`, { headers });
  const { asOfBlock } = (await answer.json()) as { asOfBlock?: string };
  if (!answer.ok || asOfBlock === undefined) throw new Error(`the app at ${reference} answered ${answer.status}`);
  for (let attempt = 0; attempt < 30; attempt++) {
    const caughtUp = await fetch(`${url}${query}&minBlock=${asOfBlock}`, { headers });
    await caughtUp.arrayBuffer();
    if (caughtUp.ok) return;
    await sleep(1000);
  }
  throw new Error(`the app at ${url} did not index up to block ${asOfBlock}`);
}

async function main(): Promise<void> {
  const outDir = join(repoRoot, 'bench-results', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(outDir, { recursive: true });
  const nodeProfiles = join(outDir, 'node-profiles');
  if (profile) {
    // Every Node process the network starts from here on (chaincode servers, apps) records a CPU
    // profile over the whole run and writes it when it is stopped (cpu-profile-preload.mjs).
    mkdirSync(nodeProfiles);
    process.env.AAL_CPU_PROFILE_DIR = nodeProfiles;
    process.env.NODE_OPTIONS = `--import ${join(__dirname, 'cpu-profile-preload.mjs')}`;
  }
  const network = new FabricNetwork(options);
  await network.down({ purge: true });
  const started = Date.now();
  const layout = new NetworkLayout(options);
  const urls = await startBenchNetwork(network);
  log(`network ready in ${Math.round((Date.now() - started) / 1000)}s`);

  // Every process of the network (CAs aside), so the table can say how much of the machine the
  // network used, beside the recording org's peer, chaincode server and app.
  const watched: { name: string; pid: number }[] = [
    ...network
      .status()
      .filter((process) => process.running && !process.name.startsWith('ca.'))
      .map((process) => ({ name: process.name, pid: process.pid })),
  ];
  const sampler = new ProcessSampler([...watched]);
  let ungathered: SecondApplication | undefined;
  const gateway = gatewayFor(layout, HOSPITAL_A, 'recorder');
  const recorderKey = issueApiKeys(layout, HOSPITAL_A, 'bench').recorder;
  const appUrl = urls[HOSPITAL_A.name] ?? '';
  const results: ScenarioResult[] = [];
  try {
    await waitUntilWritable(gateway);
    const contract = gateway.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
    const baseline = gateway.gateway.getNetwork(CHANNEL).getContract(BENCH_BASELINE_CHAINCODE.name);
    const singles = quick ? 300 : 3000;
    const samplePayload = JSON.stringify(interactionRecord('baseline-sample'));

    results.push(
      await measure('baseline: Baseline:Put via gateway', 1, sampler, () =>
        runLoad({
          concurrency: 64,
          total: singles,
          operation: () => baseline.submitTransaction('Baseline:Put', samplePayload),
        }),
      ),
    );
    const single = 'single: RecordInteraction via gateway';
    if (wanted(single))
      results.push(
        await measure(single, 1, sampler, () =>
          runLoad({
            concurrency: 64,
            total: singles,
            operation: (i) =>
              contract.submitTransaction(
                TRANSACTIONS.recordInteraction,
                JSON.stringify(interactionRecord(`HospitalAMSP:single-${i}`)),
              ),
          }),
        ),
      );
    const postInteraction = (url: string, id: string) => async (): Promise<void> => {
      const response = await fetch(`${url}/api/v1/channels/${CHANNEL}/interactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${recorderKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(restInteractionRecord(id)),
      });
      await response.arrayBuffer();
      if (response.status !== 201) throw new Error(`HTTP ${response.status}`);
    };
    const ungatheredScenario = 'single: POST /interactions via REST, gathering off';
    if (wanted(ungatheredScenario)) {
      // A second HospitalA app with gathering off gives the one-transaction-per-request REST figure.
      // It runs for its own scenario only: like every app it indexes every block, which would take
      // CPU from the machine in all the others.
      ungathered = await startSecondApplication(layout, HOSPITAL_A, options.basePort + 90, 'ungathered', {
        AAL_INTERACTION_BATCH_MAX_RECORDS: '1',
      });
      watched.push({ name: UNGATHERED_APP, pid: ungathered.pid });
      await waitForIndexCatchUp(appUrl, ungathered.url, recorderKey);
      const ungatheredUrl = ungathered.url;
      results.push(
        await measure(ungatheredScenario, 1, new ProcessSampler(watched), () =>
          runLoad({
            concurrency: 64,
            total: singles,
            operation: (i) => postInteraction(ungatheredUrl, `rest-off-${i}`)(),
          }),
        ),
      );
      await ungathered.stop();
    }
    // Gathering (defaults: ≤ 100 records, 10 ms linger): concurrent requests share transactions.
    for (const concurrency of [64, 256]) {
      const name = `single: POST /interactions via REST, gathering on, ${concurrency} in flight`;
      if (!wanted(name)) continue;
      results.push(
        await measure(name, 1, sampler, () =>
          runLoad({
            concurrency,
            total: singles * (concurrency / 64) * 2,
            operation: (i) => postInteraction(appUrl, `rest-on-${concurrency}-${i}`)(),
          }),
        ),
      );
    }
    // The same records through both batched paths at the same concurrency: Batches:RecordBatch
    // (one entry key per record, batch-level index keys, Merkle root), with more batches in flight
    // to find where it saturates; then RecordInteractions (~15 keys per record). RecordInteractions
    // runs last because its ~15 keys per record grow the peers' LevelDB enough that compaction
    // slows every later scenario (docs/performance.md, "What limits throughput").
    const batchScenarios = [
      ...[1, 10, 100, 500, 1000].map((size) => ({
        label: TRANSACTIONS.recordBatch,
        transaction: TRANSACTIONS.recordBatch,
        size,
        concurrency: size >= 100 ? 4 : 32,
      })),
      ...[8, 16].flatMap((concurrency) =>
        [500, 1000].map((size) => ({
          label: TRANSACTIONS.recordBatch,
          transaction: TRANSACTIONS.recordBatch,
          size,
          concurrency,
        })),
      ),
      ...[1, 10, 100, 500].map((size) => ({
        label: 'RecordInteractions',
        transaction: TRANSACTIONS.recordInteractions,
        size,
        concurrency: size >= 100 ? 4 : 32,
      })),
    ];
    for (const [n, scenario] of batchScenarios.entries()) {
      const { size, concurrency } = scenario;
      const name = `batch of ${size}: ${scenario.label} via gateway, ${concurrency} in flight`;
      if (!wanted(name)) continue;
      const operations = Math.max(
        8,
        4 * concurrency * (size >= 100 ? 1 : 0),
        Math.round((quick ? 1000 : 20000) / size / (size === 1 ? 4 : 1)),
      );
      // A few seconds after the start (past the ramp-up), for a few seconds less than the scenario lasts.
      const profiling =
        profile && size === 1000 && concurrency === 8
          ? sleep(2000)
              .then(() =>
                capturePeerProfile(address(layout.peerProfile(HOSPITAL_A)), 6, join(outDir, 'peer0.hospital-a.cpu')),
              )
              .catch((error: unknown) => `no profile: ${String(error)}`)
          : undefined;
      results.push(
        await measure(name, size, sampler, () =>
          runLoad({
            concurrency,
            total: operations,
            operation: (i) =>
              contract.submitTransaction(
                scenario.transaction,
                JSON.stringify(
                  Array.from({ length: size }, (_, j) => interactionRecord(`HospitalAMSP:s${n}-${size}-${i}-${j}`)),
                ),
              ),
          }),
        ),
      );
      if (profiling !== undefined)
        log(
          `peer profile written to ${outDir}/peer0.hospital-a.cpu.top.txt:\n${(await profiling).split('\n').slice(0, 30).join('\n')}`,
        );
    }
  } finally {
    gateway.close();
    await ungathered?.stop();
    await network.down();
  }
  if (profile) {
    const summary = summariseCpuProfiles(nodeProfiles, new Map(watched.map(({ name, pid }) => [pid, name])));
    writeFileSync(
      join(outDir, 'node-profiles.txt'),
      `# Node CPU profiles over the whole run (self time)\n\n${summary}\n`,
    );
    log(`Node CPU profiles of the chaincode servers and apps summarised in ${outDir}/node-profiles.txt`);
  }

  const baseline = results[0];
  const usage = (result: ScenarioResult, name: string): ProcessUsage | undefined =>
    result.processes.find((entry) => entry.name === name);
  const appOf = (result: ScenarioResult): string =>
    result.name.includes('gathering off') ? UNGATHERED_APP : layout.applicationProcess(HOSPITAL_A);
  const rows = results.map((result) => ({
    scenario: result.name,
    'records/s': result.recordsPerSecond,
    'tx/s': result.operationsPerSecond,
    'vs baseline': baseline ? `${(result.recordsPerSecond / baseline.recordsPerSecond).toFixed(2)}×` : '',
    'p50 ms': result.latencyMs.p50,
    'p95 ms': result.latencyMs.p95,
    'p99 ms': result.latencyMs.p99,
    failed: result.failed,
    'generator CPU %': result.generatorCpuPercent,
    // Where the time goes: the recording org's peer and chaincode server, in % of one core.
    'peer A CPU %': usage(result, layout.peerProcess(HOSPITAL_A))?.cpuPercent ?? '',
    'chaincode A CPU %': usage(result, layout.chaincodeProcess(HOSPITAL_A))?.cpuPercent ?? '',
    'app A CPU %': result.name.includes('REST') ? (usage(result, appOf(result))?.cpuPercent ?? '') : '',
    'network CPU %': result.processes.reduce((sum, entry) => sum + entry.cpuPercent, 0),
    // CPU-ms per committed record: all processes of a kind together (every org's), then all of them.
    ...Object.fromEntries(Object.entries(result.cpuMsPerRecord).map(([kind, ms]) => [`${kind} CPU-ms/rec`, ms])),
    // Peak RSS since the process started (VmHWM), so it only grows over the run.
    'peer A peak RSS MiB': usage(result, layout.peerProcess(HOSPITAL_A))?.peakRssMiB ?? '',
    'app A peak RSS MiB': usage(result, appOf(result))?.peakRssMiB ?? '',
  }));
  console.table(rows);
  const report = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    settings: {
      quick,
      ordering,
      orderers: new NetworkLayout(options).ordererIndexes().length,
      channel: CHANNEL,
      endorsement: 'MAJORITY (2 of 3 orgs)',
      tls: true,
    },
    results,
  };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'table.txt'), JSON.stringify(rows, null, 2));
  writeBarChart(
    join(outDir, 'records-per-second.png'),
    'Committed records/s by write path (same run)',
    'rec/s',
    results.map((result) => ({ label: chartLabel(result.name), value: result.recordsPerSecond })),
  );
  writeBarChart(
    join(outDir, 'latency-p50.png'),
    'Latency p50 per operation (same run)',
    'ms',
    results.map((result) => ({ label: chartLabel(result.name), value: result.latencyMs.p50 })),
  );
  log(`results written to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
