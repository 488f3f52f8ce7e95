/**
 * `npm run soak -- --minutes N [--rate R] [--capacity-seconds S]` (default 3 minutes): a mixed write
 * load at half the measured capacity through HospitalA's REST app, on a network of its own. First it
 * measures capacity: for S seconds (default 90) as many writers as {@link WRITERS} names send as fast
 * as they are acknowledged — single records (gathered by the app into Merkle batches),
 * `POST …/interactions/batch` and `POST …/batches` of 5 records each — and the acknowledged
 * requests/s of the window's last two thirds is the capacity. Then the same writers send for N
 * minutes at half that rate (or R requests/s), spaced evenly, with two consent writers beside them;
 * each is a careful client retrying unacknowledged requests with the same ids. Every minute it prints
 * the rate, p50/p99 latency, errors and the resident memory of every app, peer, orderer and chaincode
 * server, and every 10 minutes the window's p50/p99; at the end it counts every interaction and
 * consent on HospitalA's peer's blocks (exactly once each, both phases) and writes
 * bench-results/soak-<time>/results.json. The apps run with the per-key rate limit raised
 * (AAL_RATE_LIMIT_PER_SECOND) so the capacity measured is the network's, not one key's.
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
import { WriteLoad, type LoadReport } from '../faults/support/write-load';
import { RequestPacer } from '../support/request-pacer';
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

/** Writers per kind, in both phases: enough to saturate the app when unpaced, and to keep the pace when paced. */
const WRITERS = { single: 48, 'interactions-batch': 4, 'merkle-batch': 4 } as const;
/** Minutes per latency window of the report. */
const WINDOW_MINUTES = 10;

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    rate: { type: 'string' },
    'capacity-seconds': { type: 'string', default: '90' },
  },
});
const minutes = Number(flags.minutes);
if (!Number.isInteger(minutes) || minutes < 1) throw new Error('--minutes must be a whole number ≥ 1');
const fixedRate = flags.rate === undefined ? undefined : Number(flags.rate);
if (fixedRate !== undefined && !(fixedRate > 0)) throw new Error('--rate must be more than 0 requests/s');
const capacitySeconds = Number(flags['capacity-seconds']);
if (!Number.isInteger(capacitySeconds) || capacitySeconds < 30)
  throw new Error('--capacity-seconds must be a whole number ≥ 30');
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

/** The acknowledged requests/s and records/s of an unpaced load's window after its first third. */
async function measureCapacity(
  environment: ReturnType<typeof loadTestEnvironment>,
  runId: string,
): Promise<{ requestsPerSecond: number; recordsPerSecond: number; report: LoadReport; refusedOrThrottled: number }> {
  log(`capacity: ${JSON.stringify(WRITERS)} writers, unpaced, for ${capacitySeconds} s`);
  const load = new WriteLoad({ ...orgWriteLoad(environment, HOSPITAL_A, `${runId}-capacity`), writers: WRITERS });
  load.start();
  const began = Date.now();
  const judgedFrom = began + (capacitySeconds * 1000) / 3;
  await sleep(capacitySeconds * 1000);
  const seconds = (Date.now() - judgedFrom) / 1000;
  const acks = load.acknowledgedSince(judgedFrom);
  const refusedOrThrottled = load
    .attemptsSince(began)
    .filter((attempt) => attempt.status !== 200 && attempt.status !== 201).length;
  const report = await load.stop(60_000);
  const measured = {
    requestsPerSecond: Math.round((acks.length / seconds) * 10) / 10,
    recordsPerSecond: Math.round((acks.reduce((sum, ack) => sum + ack.ids.length, 0) / seconds) * 10) / 10,
  };
  log(
    `capacity: ${measured.requestsPerSecond} requests/s, ${measured.recordsPerSecond} records/s (answers other than 200/201: ${refusedOrThrottled})`,
  );
  return { ...measured, report, refusedOrThrottled };
}

/** Latency per window of {@link WINDOW_MINUTES} minutes (the last may be shorter). */
function latencyWindows(
  samples: readonly MinuteSample[],
  acks: readonly { at: number; latencyMs: number }[],
  began: number,
) {
  const windows: { fromMinute: number; toMinute: number; requests: number; p50Ms: number; p99Ms: number }[] = [];
  for (let from = 0; from < samples.length; from += WINDOW_MINUTES) {
    const to = Math.min(from + WINDOW_MINUTES, samples.length);
    const latencies = acks
      .filter((ack) => ack.at >= began + from * 60_000 && ack.at < began + to * 60_000)
      .map((ack) => ack.latencyMs);
    windows.push({
      fromMinute: from,
      toMinute: to,
      requests: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    });
  }
  return windows;
}

async function soak(): Promise<boolean> {
  const network = new FabricNetwork(options);
  const environment = loadTestEnvironment(options);
  const watched = network
    .status()
    .filter((process) => process.running && /^(app\.|ai-gateway\.|peer0\.|orderer|chaincode\.)/.test(process.name))
    .map((process) => ({ name: process.name, pid: process.pid }));
  const runId = `soak-${Date.now()}`;
  const capacity = fixedRate === undefined ? await measureCapacity(environment, runId) : undefined;
  const rate = fixedRate ?? Math.round((capacity?.requestsPerSecond ?? 0) * 5) / 10;
  if (!(rate > 0)) throw new Error('the capacity phase acknowledged nothing: no rate to soak at');
  log(`soak: ${minutes} min at ${rate} requests/s${capacity === undefined ? ' (--rate)' : ' (half the capacity)'}`);
  const load = new WriteLoad({
    ...orgWriteLoad(environment, HOSPITAL_A, runId),
    writers: WRITERS,
    pace: new RequestPacer(rate),
  });
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
  const [soakReport, consentReport] = await Promise.all([load.stop(60_000), consents.stop(60_000)]);
  const windows = latencyWindows(samples, [...soakReport.acknowledged, ...consentReport.acknowledged], began);
  for (const window of windows)
    log(
      `minutes ${window.fromMinute}–${window.toMinute}: ${window.requests} requests, p50 ${window.p50Ms} ms, p99 ${window.p99Ms} ms`,
    );
  // Both phases' interactions are on the ledger: each must be there exactly once.
  const report = capacity === undefined ? soakReport : mergedReports(capacity.report, soakReport);
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
    capacity:
      capacity === undefined
        ? null
        : {
            seconds: capacitySeconds,
            requestsPerSecond: capacity.requestsPerSecond,
            recordsPerSecond: capacity.recordsPerSecond,
            answersOtherThan2xx: capacity.refusedOrThrottled,
          },
    rateRequestsPerSecond: rate,
    latencyWindows: windows,
    acknowledgedRequests: report.acknowledged.length + consentReport.acknowledged.length,
    interactionsCommittedOnce: verdict.committedOnce,
    consentsCommittedOnce: consentReport.acknowledged.length - consentMissing.length,
    height: counted.interactions.height,
    latencyMs: {
      p50: percentile(
        [...soakReport.acknowledged, ...consentReport.acknowledged].map((ack) => ack.latencyMs),
        50,
      ),
      p99: percentile(
        [...soakReport.acknowledged, ...consentReport.acknowledged].map((ack) => ack.latencyMs),
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
          writers: { ...WRITERS, consents: 2, recordsPerBatch: 5 },
          capacitySeconds: fixedRate === undefined ? capacitySeconds : null,
          rateLimitPerKey: SOAK_RATE_LIMIT_PER_SECOND,
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

/** Two loads' reports as one (for the census of both phases). */
function mergedReports(a: LoadReport, b: LoadReport): LoadReport {
  return {
    acknowledged: [...a.acknowledged, ...b.acknowledged],
    attempts: [...a.attempts, ...b.attempts],
    unacknowledged: [...a.unacknowledged, ...b.unacknowledged],
    refused: [...a.refused, ...b.refused],
    sent: [...a.sent, ...b.sent],
  };
}

/** The apps' per-key rate limit during the soak: far above what one key sends, so the network sets the capacity. */
const SOAK_RATE_LIMIT_PER_SECOND = 100_000;

async function main(): Promise<void> {
  // The apps inherit this process's environment.
  process.env.AAL_RATE_LIMIT_PER_SECOND = String(SOAK_RATE_LIMIT_PER_SECOND);
  process.env.AAL_RATE_LIMIT_BURST = String(SOAK_RATE_LIMIT_PER_SECOND);
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
