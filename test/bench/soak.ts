/**
 * `npm run soak -- --minutes N` (default 3): a steady mixed write load through HospitalA's REST app
 * on a network of its own — six single-record writers (gathered by the app into Merkle batches), one
 * `POST …/interactions/batch` and one `POST …/batches` writer of 5 records each, and two consent
 * writers — each a careful client retrying unacknowledged requests with the same ids. Every minute
 * it prints the rate, p50/p99 latency, errors and the resident memory of every app, peer, orderer
 * and chaincode server; at the end it counts every interaction and consent on HospitalA's peer's
 * blocks (exactly once each) and writes bench-results/soak-<time>/results.json.
 *
 * Exits non-zero on any acknowledged record missing from the ledger, any record on it twice, a
 * final 4xx, a 5xx without `Retry-After`, or — in a run of at least
 * {@link RSS_JUDGED_FROM_MINUTES} minutes — a process whose RSS rose at every minute of the run's
 * last two thirds and by more than {@link RSS_GROWTH_BOUND} over them (the first third is warm-up:
 * caches and heaps fill; a shorter run cannot tell that from a leak and only reports the slopes).
 *
 * Network: AAL_SOAK_NETWORK_DIR (default .network-soak) and AAL_SOAK_BASE_PORT (default 19300).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { decodeBlock } from '@aal/application';
import { CHAINCODE_NAME, FabricNetwork, HOSPITAL_A, type NetworkOptions } from '@aal/network';
import { exactlyOnce } from '../faults/support/exactly-once';
import { orgWriteLoad } from '../faults/support/faults-network';
import { blockHeight, type LedgerCensus } from '../faults/support/ledger-census';
import { WriteLoad } from '../faults/support/write-load';
import { gatewayFor } from '../support/gateway';
import { startTestNetwork } from '../support/global-setup';
import { stopTestNetwork } from '../support/global-teardown';
import { loadTestEnvironment } from '../support/test-network';
import { ConsentLoad } from './consent-load';
import { percentile } from './statistics';

/** The RSS growth that fails the soak when every minute's sample rose: 32 MiB or a quarter of the first sample, whichever is more. */
const RSS_GROWTH_BOUND = { mib: 32, fraction: 0.25 } as const;
/** Runs shorter than this report RSS slopes but do not judge them. */
const RSS_JUDGED_FROM_MINUTES = 10;
const CHANNEL = 'hospital-a';

const { values: flags } = parseArgs({ options: { minutes: { type: 'string', default: '3' } } });
const minutes = Number(flags.minutes);
if (!Number.isInteger(minutes) || minutes < 1) throw new Error('--minutes must be a whole number ≥ 1');
const repoRoot = resolve(__dirname, '..', '..');
const options: NetworkOptions = {
  dir: resolve(process.env.AAL_SOAK_NETWORK_DIR ?? join(repoRoot, '.network-soak')),
  basePort: Number(process.env.AAL_SOAK_BASE_PORT ?? 19300),
  orderers: 3,
  purgeIntervalBlocks: 100,
};

function log(message: string): void {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

interface MinuteSample {
  readonly minute: number;
  readonly requestsPerSecond: number;
  readonly recordsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 200/201 in the minute, by status. */
  readonly errors: Readonly<Record<string, number>>;
  readonly rssMiB: Readonly<Record<string, number>>;
}

/** Every interaction and consent each valid transaction wrote, counted from HospitalA's peer's blocks. */
async function census(network: FabricNetwork): Promise<{ interactions: LedgerCensus; consents: Map<string, number> }> {
  const height = await blockHeight(network.layout, HOSPITAL_A, CHANNEL);
  const interactions = new Map<string, number>();
  const consents = new Map<string, number>();
  const auditor = gatewayFor(network.layout, HOSPITAL_A, 'auditor');
  const blocks = await auditor.gateway.getNetwork(CHANNEL).getBlockEvents({ startBlock: 0n });
  try {
    for await (const block of blocks) {
      const decoded = decodeBlock(block, CHAINCODE_NAME);
      for (const { record } of decoded.interactions)
        interactions.set(record.id, (interactions.get(record.id) ?? 0) + 1);
      for (const { record } of decoded.consents) consents.set(record.id, (consents.get(record.id) ?? 0) + 1);
      if (decoded.number >= height - 1) break;
    }
  } finally {
    blocks.close();
    auditor.close();
  }
  return { interactions: { height, writes: interactions }, consents };
}

/**
 * Processes whose RSS rose at every sample of the run's last two thirds and by more than the
 * bound over them: name → growth in MiB. Empty for a run too short to judge.
 */
function rssGrowthBeyondBound(all: readonly MinuteSample[]): Record<string, number> {
  const failing: Record<string, number> = {};
  if (minutes < RSS_JUDGED_FROM_MINUTES) return failing;
  const samples = all.slice(Math.floor(all.length / 3));
  const names = Object.keys(samples[0]?.rssMiB ?? {});
  for (const name of names) {
    const series = samples.map((sample) => sample.rssMiB[name] ?? Number.NaN);
    const first = series[0] ?? Number.NaN;
    const growth = (series[series.length - 1] ?? Number.NaN) - first;
    const monotonic = series.every((value, i) => i === 0 || value >= (series[i - 1] ?? Number.NaN));
    if (series.length > 1 && monotonic && growth > Math.max(RSS_GROWTH_BOUND.mib, RSS_GROWTH_BOUND.fraction * first))
      failing[name] = growth;
  }
  return failing;
}

/** Each process's RSS change per hour from the first minute's sample to the last (start-up excluded). */
function rssSlopes(samples: readonly MinuteSample[]): Record<string, number> {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || last.minute === first.minute) return {};
  return Object.fromEntries(
    Object.keys(first.rssMiB).map((name) => [
      name,
      Math.round(
        (((last.rssMiB[name] ?? Number.NaN) - (first.rssMiB[name] ?? Number.NaN)) / (last.minute - first.minute)) * 60,
      ),
    ]),
  );
}

async function soak(): Promise<boolean> {
  const network = new FabricNetwork(options);
  const environment = loadTestEnvironment(options);
  const watched = network
    .status()
    .filter((process) => process.running && /^(app\.|peer0\.|orderer|chaincode\.)/.test(process.name))
    .map((process) => ({ name: process.name, pid: process.pid }));
  const runId = `soak-${Date.now()}`;
  const load = new WriteLoad(orgWriteLoad(environment, HOSPITAL_A, runId));
  const consents = new ConsentLoad({
    url: environment.apps.HospitalA ?? '',
    channel: CHANNEL,
    consentManagerKey: environment.apiKeys.HospitalA?.['consent-manager'] ?? '',
    mspId: HOSPITAL_A.mspId,
    runId,
    writers: 2,
  });
  await consents.start();
  load.start();
  const samples: MinuteSample[] = [];
  const began = Date.now();
  for (let minute = 1; minute <= minutes; minute++) {
    const windowStart = began + (minute - 1) * 60_000;
    await sleep(Math.max(0, windowStart + 60_000 - Date.now()));
    const acks = load.acknowledgedSince(windowStart);
    const consentAcks = consents.acknowledgedSince(windowStart);
    const latencies = [...acks.map((ack) => ack.latencyMs), ...consentAcks.map((ack) => ack.latencyMs)];
    const errors: Record<string, number> = {};
    for (const attempt of [...load.attemptsSince(windowStart), ...consents.attemptsSince(windowStart)])
      if (attempt.status !== 200 && attempt.status !== 201)
        errors[String(attempt.status)] = (errors[String(attempt.status)] ?? 0) + 1;
    const records = acks.reduce((sum, ack) => sum + ack.ids.length, 0) + consentAcks.length;
    const sample: MinuteSample = {
      minute,
      requestsPerSecond: Math.round(((acks.length + consentAcks.length) / 60) * 10) / 10,
      recordsPerSecond: Math.round((records / 60) * 10) / 10,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      errors,
      rssMiB: Object.fromEntries(watched.map(({ name, pid }) => [name, rssMiB(pid)])),
    };
    samples.push(sample);
    log(
      `minute ${minute}/${minutes}: ${sample.requestsPerSecond} req/s, ${sample.recordsPerSecond} records/s, ` +
        `p50 ${sample.p50Ms} ms, p99 ${sample.p99Ms} ms, errors ${JSON.stringify(errors)}; RSS MiB ` +
        Object.entries(sample.rssMiB)
          .map(([name, mib]) => `${name}=${mib}`)
          .join(' '),
    );
  }
  const [report, consentReport] = await Promise.all([load.stop(60_000), consents.stop(60_000)]);
  const counted = await census(network);
  const verdict = exactlyOnce(report, counted.interactions);
  const consentMissing = consentReport.acknowledged.filter((ack) => (counted.consents.get(ack.id) ?? 0) !== 1);
  const consentDuplicates = [...counted.consents].filter(
    ([id, count]) => id.startsWith(`${HOSPITAL_A.mspId}:${runId}`) && count > 1,
  );
  const without503RetryAfter = [...report.attempts, ...consentReport.attempts].filter(
    (attempt) => typeof attempt.status === 'number' && attempt.status >= 500 && attempt.retryAfter === null,
  ).length;
  const rssGrowth = rssGrowthBeyondBound(samples);
  const failures = {
    interactionsMissing: verdict.missing.length,
    interactionDuplicates: verdict.duplicates.length,
    consentsMissing: consentMissing.length,
    consentDuplicates: consentDuplicates.length,
    unacknowledged: report.unacknowledged.length + consentReport.unacknowledged.length,
    refused: report.refused.length + consentReport.refused.length,
    serverErrorsWithoutRetryAfter: without503RetryAfter,
    processesWithRssGrowthBeyondBound: Object.keys(rssGrowth).length,
  };
  const summary = {
    minutes,
    acknowledgedRequests: report.acknowledged.length + consentReport.acknowledged.length,
    interactionsCommittedOnce: verdict.committedOnce,
    consentsCommittedOnce: consentReport.acknowledged.length - consentMissing.length,
    height: counted.interactions.height,
    latencyMs: {
      p50: percentile(
        [...report.acknowledged, ...consentReport.acknowledged].map((ack) => ack.latencyMs),
        50,
      ),
      p99: percentile(
        [...report.acknowledged, ...consentReport.acknowledged].map((ack) => ack.latencyMs),
        99,
      ),
    },
    rssGrowthBeyondBound: rssGrowth,
    rssJudged: minutes >= RSS_JUDGED_FROM_MINUTES,
    /** From the first minute's sample to the last, per process. */
    rssSlopeMiBPerHour: rssSlopes(samples),
  };
  log(`census: ${JSON.stringify(summary)}`);
  log(`failures: ${JSON.stringify(failures)}`);
  const outDir = join(repoRoot, 'bench-results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'results.json'),
    JSON.stringify(
      {
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
        settings: {
          minutes,
          channel: CHANNEL,
          writers: { single: 6, 'interactions-batch': 1, 'merkle-batch': 1, consents: 2, recordsPerBatch: 5 },
          rssGrowthBound: RSS_GROWTH_BOUND,
        },
        samples,
        summary,
        failures,
      },
      null,
      2,
    ),
  );
  log(`results written to ${outDir}`);
  return Object.values(failures).every((count) => count === 0);
}

async function main(): Promise<void> {
  await startTestNetwork(options, 'soak');
  let passed = false;
  try {
    passed = await soak();
  } finally {
    await stopTestNetwork(options);
  }
  process.exit(passed ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
