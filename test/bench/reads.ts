/**
 * `npm run bench:reads [-- --quick | --sizes 10000,100000]`: how audit reads scale with the ledger.
 * First records a fixed set of 5 000 interactions one index entry per access path
 * (`RecordInteractions`) and 5 000 consents about 50 registered subjects (one `GrantConsent` each,
 * every 10th revoked), then grows the channel's ledger to each size with the batched write path
 * (`Batches:RecordBatch`, 1000 records per transaction; reporting how long that took), and measures
 * through the REST app at each size, one request at a time (the reads below after 20 discarded ones of each kind):
 * point reads of random batched and indexed records, the first page of each audit query over
 * interactions and over batches (by org, model, actor, application; newest first), consent pages
 * (by subject, grantee, purpose; active only), violation scans and an export's first 100 lines. Of
 * the org's audit index it measures the usage summary over every record, the index's lag behind
 * commits while the ledger grows, and finally how fast a fresh index ingests the whole channel's
 * real blocks. Writes JSON and PNG charts. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { referenceCommitment, TRANSACTIONS } from '@aal/ledger-contract';
import {
  BENCH_BASELINE_CHAINCODE,
  CHAINCODE_NAME,
  FabricNetwork,
  HOSPITAL_A,
  issueApiKeys,
  NetworkLayout,
  type NetworkOptions,
} from '@aal/network';
import { gatewayFor } from '../support/gateway';
import { withOrgIndexDatabase } from '../support/org-index-database';
import { writeBarChart } from './bar-chart';
import { interactionRecord } from './interaction-records';
import { runLoad, type LoadOptions, type LoadResult } from './load-generator';
import { summarise, type LatencySummary } from './statistics';
import { withTransientRetries, type RetryTally } from './transient-retry';
import { waitForMachineAtRest } from './machine-at-rest';
import { measureIngestion, type IngestionResult } from './audit-index-measurements';

const { values: flags } = parseArgs({
  options: {
    /** Smaller ledgers (10k, 50k) and fewer samples. */
    quick: { type: 'boolean', default: false },
    /** Ledger sizes to measure at, comma-separated (e.g. `10000,100000`). */
    sizes: { type: 'string' },
  },
});
const { quick } = flags;
const sizesArg = flags.sizes;
const sizes =
  sizesArg !== undefined ? sizesArg.split(',').map(Number) : quick ? [10_000, 50_000] : [10_000, 100_000, 1_000_000];
const repoRoot = resolve(__dirname, '..', '..');
if (sizes.some((size, i) => !Number.isInteger(size) || size <= 5_000 || (i > 0 && size <= (sizes[i - 1] ?? 0)))) {
  throw new Error(
    `--sizes must be increasing whole numbers above 5000 (the indexed records come first); got ${sizesArg ?? ''}`,
  );
}
const options: NetworkOptions = {
  dir: resolve(process.env.AAL_BENCH_READS_NETWORK_DIR ?? join(repoRoot, '.network-bench-reads')),
  basePort: Number(process.env.AAL_BENCH_READS_BASE_PORT ?? 19100),
  orderers: 3,
  purgeIntervalBlocks: 100,
  // Its Baseline:Put is the warm-up write: it proves the network commits before the measured work.
  benchBaseline: true,
};
const CHANNEL = 'hospital-a';
const MODELS = [
  'gpt-4o-2024-08-06',
  'claude-3-5-sonnet@20240620',
  'models/gemini-1.5-pro',
  'llama-3.1-70b',
  'mistral-large-2407',
];
const BATCH = 1000;
const BUILD_IN_FLIGHT = 8;
const INDEXED = 5_000;
const INDEXED_BATCH = 500;
/** Point reads per kind and size; each query's first page is read a third as often. */
const SAMPLES = quick ? 200 : 1000;
/** Every how many batches the index's lag behind the batch's commit is measured while growing. */
const LAG_EVERY = 5;
/**
 * Requests of each kind sent and discarded before the measured ones at each size: the first
 * requests of a kind meet cold code and query plans in the app, chaincode and database (their
 * figures are kept apart, as `warmUpMs`).
 */
const WARM_UP = 20;
/** Usage summaries over the whole ledger per size (each reads every record of the org). */
const USAGE_SAMPLES = 5;
/**
 * Between growing the ledger and reading it, so reads meet a ledger at rest (not one still
 * compacting): at least this pause, then until the machine has been 85 % idle (I/O wait counted as
 * busy) for 3 s in a row, at most 120 s. A fixed 5 s was too short on a machine with a slow disk:
 * the first reads at 1M met the peers' compactions (docs/performance.md).
 */
const SETTLE_MS = 5000;
const AT_REST = { idleShare: 0.85, seconds: 3, maxSeconds: 120 } as const;
/**
 * Pause after each export sample, untimed: the sample leaves its export after 100 lines, and the app
 * goes on writing that abandoned export until its socket closes; the next sample should not wait for it.
 */
const EXPORT_PAUSE_MS = 100;
/** Consents HospitalA grants before the ledger grows (one transaction each), and how many it revokes. */
const CONSENTS = 5_000;
const REVOKED_EVERY = 10;
const CONSENT_SUBJECTS = 50;
const CONSENT_PURPOSES = ['treatment', 'research', 'ai-inference', 'model-training', 'model-evaluation'] as const;
const CONSENT_GRANTEES = [
  'AIProviderMSP',
  'HospitalBMSP',
  'HospitalAMSP:triage-app',
  'HospitalAMSP:scribe-app',
] as const;

/** Consent `i` as HospitalA's consent manager grants it: subjects, purposes and grantees vary so each query path has fan-out. */
function consent(i: number): Record<string, unknown> {
  return {
    id: `${HOSPITAL_A.mspId}:bench-consent-${i}`,
    subjectRef: `${HOSPITAL_A.mspId}:bench-subject-${i % CONSENT_SUBJECTS}`,
    grantees: [CONSENT_GRANTEES[i % CONSENT_GRANTEES.length]],
    decision: 'permit',
    purposes: [CONSENT_PURPOSES[i % CONSENT_PURPOSES.length]],
    period: { start: '2026-01-01T00:00:00.000Z' },
    policyCommitment: `hmac-sha256:${createHash('sha256').update(`policy of consent ${i}`).digest('hex')}`,
  };
}

function log(message: string): void {
  process.stderr.write(`[bench:reads ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Record `i` of a kind: models, actors and applications vary so each query path has real fan-out.
 * Actors are committed with HospitalA's content key, as its app commits them and the queried value.
 */
function record(orgKey: string, prefix: string, i: number): Record<string, unknown> {
  return {
    ...interactionRecord(`HospitalAMSP:${prefix}-${i}`, undefined, orgKey),
    requestModel: MODELS[i % MODELS.length],
    responseModel: MODELS[i % MODELS.length],
    actorRef: referenceCommitment(orgKey, 'actorRef', `actor-${i % 100}`),
    applicationId: `app-${i % 10}`,
  };
}

/**
 * HospitalA's content key on the channel, initialising the org keys first as its app would (the
 * chaincode keeps keys that exist, so this never replaces the app's).
 */
async function hospitalContentKey(layout: NetworkLayout): Promise<string> {
  const admin = gatewayFor(layout, HOSPITAL_A, 'admin');
  try {
    const keys = admin.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
    const random = (): Uint8Array => Buffer.from(randomBytes(32).toString('hex'), 'utf8');
    await keys.submit(TRANSACTIONS.initOrgKeys, { transientData: { contentKey: random(), lookupPepper: random() } });
    const answer = Buffer.from(await keys.evaluateTransaction(TRANSACTIONS.getOrgContentKey)).toString('utf8');
    return (JSON.parse(answer) as { contentKey: string }).contentKey;
  } finally {
    admin.close();
  }
}

interface SizeResult {
  readonly ledgerRecords: number;
  readonly buildSeconds: number;
  readonly buildRecordsPerSecond: number;
  /** How long the machine took to come to rest after the growth (beyond the fixed pause), and whether it did. */
  readonly settle: { readonly waitedSeconds: number; readonly atRest: boolean };
  /** Point reads (`GET /interactions/{id}`) of batched records, and of records written with their own index entries. */
  readonly pointReadMs: LatencySummary;
  readonly indexedPointReadMs: LatencySummary;
  /** `interactions by …` (per-record indexes) and `batches by …` (batch-level indexes). */
  readonly firstPageMs: Readonly<Record<string, LatencySummary>>;
  /** The {@link WARM_UP} discarded requests of each kind before the measured ones (their p99 is their slowest). */
  readonly warmUpMs: Readonly<Record<string, LatencySummary>>;
  readonly failedReads: number;
  /** How long after a batch's commit the org's index answered a query needing that block (`minBlock`). */
  readonly indexLagMs: LatencySummary;
  /** `GET /audit/usage` over every record of the org, answered by the index. */
  readonly usageMs: LatencySummary;
  readonly usageRecords: number;
  /** The same summary the old way, once: pages of the chaincode's per-record query index. */
  /** HospitalA's audit index database (PostgreSQL) at this size. */
  readonly indexDatabaseMiB: number;
}

async function main(): Promise<void> {
  const network = new FabricNetwork(options);
  await network.down({ purge: true });
  await network.up();
  await network.deploy();
  // One auditor key reads far beyond the production per-key rate limit on purpose.
  process.env.AAL_RATE_LIMIT_PER_SECOND = '100000';
  process.env.AAL_RATE_LIMIT_BURST = '100000';
  const urls = await network.startApplications();
  const layout = new NetworkLayout(options);
  const auditorKey = issueApiKeys(layout, HOSPITAL_A, 'bench').auditor;
  const appUrl = urls[HOSPITAL_A.name] ?? '';
  const gateway = gatewayFor(layout, HOSPITAL_A, 'recorder');
  const contract = gateway.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
  const baseline = gateway.gateway.getNetwork(CHANNEL).getContract(BENCH_BASELINE_CHAINCODE.name);
  const results: SizeResult[] = [];
  /**
   * Set-up and growth writes retried after a transient error (a Raft leader election on a saturated
   * machine): each is idempotent (same ids, same content), and each retry is reported.
   */
  const writeRetries: RetryTally = {};
  let ingestion: IngestionResult | undefined;
  let lastBlock = 0n;
  const headers = { authorization: `Bearer ${auditorKey}` };
  const getJson = async (path: string): Promise<unknown> => {
    const response = await fetch(`${appUrl}/api/v1/channels/${CHANNEL}${path}`, { headers });
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    return response.json();
  };
  /** Reads a streamed answer until `lines` lines (or its end) have arrived, then leaves it. */
  const firstLines = async (path: string, lines: number): Promise<void> => {
    const abort = new AbortController();
    const response = await fetch(`${appUrl}/api/v1/channels/${CHANNEL}${path}`, { headers, signal: abort.signal });
    if (response.status !== 200 || response.body === null) throw new Error(`${path}: ${response.status}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let seen = 0;
    try {
      while (seen < lines) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const byte of value) if (byte === 0x0a) seen += 1;
      }
    } finally {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
  };
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await baseline.submitTransaction('Baseline:Put', 'warm-up');
        break;
      } catch (error) {
        if (attempt > 60) throw error;
        await sleep(1000);
      }
    }
    const orgKey = await hospitalContentKey(layout);
    const indexedStarted = Date.now();
    log(`recording ${INDEXED} records with per-record index entries (RecordInteractions × ${INDEXED_BATCH})`);
    const indexed = await runLoad({
      concurrency: 4,
      total: INDEXED / INDEXED_BATCH,
      operation: (b) =>
        withTransientRetries(
          () =>
            contract.submitTransaction(
              TRANSACTIONS.recordInteractions,
              JSON.stringify(
                Array.from({ length: INDEXED_BATCH }, (_, j) => record(orgKey, 'indexed', b * INDEXED_BATCH + j)),
              ),
            ),
          writeRetries,
        ),
    });
    if (indexed.failed > 0) throw new Error(`recording the indexed records failed: ${JSON.stringify(indexed.errors)}`);
    log(`  done in ${Math.round((Date.now() - indexedStarted) / 1000)} s`);
    const consentsStarted = Date.now();
    log(
      `registering ${CONSENT_SUBJECTS} subjects, granting ${CONSENTS} consents about them (GrantConsent × ${CONSENTS}), revoking every ${REVOKED_EVERY}th`,
    );
    // A consent is granted only about a subject the granting org registered (secrets in the transient map, endorsed by the org alone).
    const subjects = await runLoad({
      concurrency: 8,
      total: CONSENT_SUBJECTS,
      operation: (s) =>
        contract.submit(TRANSACTIONS.registerSubject, {
          transientData: {
            identifier: Buffer.from(`bench-patient-${s}`),
            subjectRef: Buffer.from(`${HOSPITAL_A.mspId}:bench-subject-${s}`),
            subjectKey: Buffer.from(randomBytes(32).toString('hex')),
          },
          endorsingOrganizations: [HOSPITAL_A.mspId],
        }),
    });
    if (subjects.failed > 0) throw new Error(`registering subjects failed: ${JSON.stringify(subjects.errors)}`);
    const consentManager = gatewayFor(layout, HOSPITAL_A, 'consent-manager');
    try {
      const consents = consentManager.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
      const granted = await runLoad({
        concurrency: 64,
        total: CONSENTS,
        operation: async (i) => {
          await withTransientRetries(
            () => consents.submitTransaction(TRANSACTIONS.grantConsent, JSON.stringify(consent(i))),
            writeRetries,
          );
          if (i % REVOKED_EVERY === 0)
            await withTransientRetries(
              () => consents.submitTransaction(TRANSACTIONS.revokeConsent, consent(i).id as string, 'subject-request'),
              writeRetries,
            );
        },
      });
      if (granted.failed > 0) throw new Error(`granting consents failed: ${JSON.stringify(granted.errors)}`);
    } finally {
      consentManager.close();
    }
    log(`  done in ${Math.round((Date.now() - consentsStarted) / 1000)} s`);
    let recorded = INDEXED;
    for (const size of sizes) {
      const started = Date.now();
      const batches = Math.ceil((size - recorded) / BATCH);
      const from = recorded;
      log(
        `growing the ledger from ${from} to ${size} records (${batches} RecordBatch transactions of ${BATCH}, ${BUILD_IN_FLIGHT} in flight)`,
      );
      const lagMs: number[] = [];
      const build = await runLoad({
        concurrency: BUILD_IN_FLIGHT,
        total: batches,
        operation: async (b) => {
          const first = from + b * BATCH;
          const count = Math.min(BATCH, size - first);
          const status = await withTransientRetries(async () => {
            const commit = await contract.submitAsync(TRANSACTIONS.recordBatch, {
              arguments: [JSON.stringify(Array.from({ length: count }, (_, j) => record(orgKey, 'read', first + j)))],
            });
            return commit.getStatus();
          }, writeRetries);
          if (!status.successful) throw new Error(`batch ${b} failed validation: code ${status.code}`);
          if (status.blockNumber > lastBlock) lastBlock = status.blockNumber;
          if (b % LAG_EVERY === 0) {
            // A query that needs this block and reads no rows: its answer time is the index's lag.
            const committed = performance.now();
            await getJson(`/audit/usage?by=actorRef&value=lag-probe&groupBy=model&minBlock=${status.blockNumber}`);
            lagMs.push(performance.now() - committed);
          }
          if (b % 50 === 0)
            log(
              `  ${first + count} / ${size} (${Math.round((first + count - from) / ((Date.now() - started) / 1000))} records/s)`,
            );
        },
      });
      if (build.failed > 0) throw new Error(`building the ledger failed: ${JSON.stringify(build.errors)}`);
      recorded = size;
      const buildSeconds = (Date.now() - started) / 1000;
      await sleep(SETTLE_MS);
      const settle = await waitForMachineAtRest(AT_REST);
      log(
        settle.atRest
          ? `  machine at rest after ${settle.waitedSeconds} s more`
          : `  machine still busy after ${settle.waitedSeconds} s more: reading anyway (results say so)`,
      );
      const get = async (path: string): Promise<void> => {
        await getJson(path);
      };
      const randomBatched = (): number => INDEXED + Math.floor(Math.random() * (size - INDEXED));
      const warmUpMs: Record<string, LatencySummary> = {};
      const errors: Record<string, number> = {};
      let warmUpFailures = 0;
      /** The measured requests of one kind, after {@link WARM_UP} discarded ones (one at a time, the same pause). */
      const measured = async (kind: string, options: LoadOptions): Promise<LoadResult> => {
        const warm = await runLoad({ ...options, concurrency: 1, total: WARM_UP });
        warmUpFailures += warm.failed;
        for (const [message, times] of Object.entries(warm.errors))
          errors[`warm-up: ${message}`] = (errors[`warm-up: ${message}`] ?? 0) + times;
        // A failed warm-up request voids the run (below), with its message in `errors`.
        warmUpMs[kind] = summarise(warm.latenciesMs);
        return runLoad(options);
      };
      const point = await measured('point read (batched)', {
        concurrency: 1,
        total: SAMPLES,
        operation: () => get(`/interactions/read-${randomBatched()}`),
      });
      const indexedPoint = await measured('point read (indexed)', {
        concurrency: 1,
        total: SAMPLES,
        operation: () => get(`/interactions/indexed-${Math.floor(Math.random() * INDEXED)}`),
      });
      const filters: Record<string, string> = {
        org: `by=org&value=${HOSPITAL_A.mspId}`,
        requestModel: `by=requestModel&value=${encodeURIComponent(MODELS[1] ?? '')}`,
        actorRef: 'by=actorRef&value=actor-42',
        applicationId: 'by=applicationId&value=app-7',
      };
      const firstPageMs: Record<string, LatencySummary> = {};
      const count = (result: LoadResult): number => {
        for (const [message, times] of Object.entries(result.errors)) errors[message] = (errors[message] ?? 0) + times;
        return result.failed;
      };
      let failed = count(point) + count(indexedPoint);
      for (const collection of ['interactions', 'batches']) {
        for (const [name, filter] of Object.entries(filters)) {
          const page = await measured(`${collection} by ${name}`, {
            concurrency: 1,
            total: Math.ceil(SAMPLES / 3),
            operation: () => get(`/${collection}?${filter}&order=desc&pageSize=100`),
          });
          failed += count(page);
          firstPageMs[`${collection} by ${name}`] = summarise(page.latenciesMs);
        }
      }
      // Consent queries' first pages: by subject (100 consents each), grantee and purpose, only the active ones.
      for (const [name, filter] of [
        ['subjectRef', `by=subjectRef&value=${encodeURIComponent(`${HOSPITAL_A.mspId}:bench-subject-7`)}`],
        ['grantee', 'by=grantee&value=AIProviderMSP'],
        ['purpose', 'by=purpose&value=research'],
      ] as const) {
        const page = await measured(`consents by ${name} (active)`, {
          concurrency: 1,
          total: Math.ceil(SAMPLES / 3),
          operation: () => get(`/consents?${filter}&status=active&pageSize=100`),
        });
        failed += count(page);
        firstPageMs[`consents by ${name} (active)`] = summarise(page.latenciesMs);
      }
      // Subject 7's 100 consents (i ≡ 7 mod 50) are all active: a page that finds fewer is a wrong answer, not a fast one.
      const subjectPage = (await getJson(
        `/consents?by=subjectRef&value=${encodeURIComponent(`${HOSPITAL_A.mspId}:bench-subject-7`)}&status=active&pageSize=100`,
      )) as { records: unknown[] };
      if (subjectPage.records.length !== CONSENTS / CONSENT_SUBJECTS)
        throw new Error(
          `the consent page by subject holds ${subjectPage.records.length} consents, not ${CONSENTS / CONSENT_SUBJECTS}`,
        );
      // The audit scans' first answers: a violations scan (up to 5 000 of the channel's violations
      // examined, in ledger order) and an export's first 100 lines, each by a record path and over the org.
      for (const [name, filter] of [
        ['org', filters.org],
        ['applicationId', filters.applicationId],
      ] as const) {
        const violations = await measured(`violations by ${name}`, {
          concurrency: 1,
          total: Math.ceil(SAMPLES / 5),
          operation: () => get(`/audit/violations?${filter}`),
        });
        failed += count(violations);
        firstPageMs[`violations by ${name}`] = summarise(violations.latenciesMs);
        const exported = await measured(`export by ${name} (100 lines)`, {
          concurrency: 1,
          total: Math.ceil(SAMPLES / 5),
          operation: () => firstLines(`/audit/export?format=ndjson&${filter}`, 100),
          pauseMs: EXPORT_PAUSE_MS,
        });
        failed += count(exported);
        firstPageMs[`export by ${name} (100 lines)`] = summarise(exported.latenciesMs);
      }
      let usageRecords = 0;
      const usage = await runLoad({
        concurrency: 1,
        total: USAGE_SAMPLES,
        operation: async () => {
          const answer = (await getJson(
            `/audit/usage?by=org&value=${HOSPITAL_A.mspId}&groupBy=model&minBlock=${lastBlock}`,
          )) as { records: number };
          usageRecords = answer.records;
        },
      });
      failed += count(usage);
      if (usageRecords !== size)
        throw new Error(`usage over the index counts ${usageRecords} records, ${size} written`);
      log(`  usage over ${size} records from the index: p50 ${summarise(usage.latenciesMs).p50} ms`);
      const indexDatabaseMiB = await withOrgIndexDatabase(layout, HOSPITAL_A, async (client) => {
        const { rows } = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
        return Math.round(Number(rows[0]?.bytes ?? 0) / 2 ** 20);
      });
      // A failed warm-up request voids the run as a failed measured one does.
      failed += warmUpFailures;
      const result: SizeResult = {
        ledgerRecords: size,
        buildSeconds: Math.round(buildSeconds),
        buildRecordsPerSecond: Math.round((size - from) / buildSeconds),
        settle,
        pointReadMs: summarise(point.latenciesMs),
        indexedPointReadMs: summarise(indexedPoint.latenciesMs),
        firstPageMs,
        warmUpMs,
        failedReads: failed,
        indexLagMs: summarise(lagMs),
        usageMs: summarise(usage.latenciesMs),
        usageRecords,
        indexDatabaseMiB,
      };
      results.push(result);
      // Latencies of failed reads would flatter the figures: a run with any failure is void.
      if (failed > 0) throw new Error(`${failed} reads failed at ${size} records: ${JSON.stringify(errors)}`);
      log(
        `${size} records: point read p99 ${result.pointReadMs.p99} ms (indexed ${result.indexedPointReadMs.p99} ms); first page p50 ${Object.values(
          firstPageMs,
        )
          .map((s) => s.p50)
          .join('/')} ms`,
      );
    }
    log(`ingesting the whole channel (blocks 0‥${lastBlock}) into a fresh index database`);
    ingestion = await measureIngestion(
      gateway.gateway,
      CHANNEL,
      CHAINCODE_NAME,
      HOSPITAL_A.mspId,
      lastBlock,
      sizes[sizes.length - 1] ?? 0,
    );
    log(`  ${ingestion.ingestRecordsPerSecond} records/s, ${ingestion.cpuMsPerRecord} CPU-ms per record`);
  } finally {
    gateway.close();
    await network.down();
  }

  console.table(
    results.map((result) => ({
      records: result.ledgerRecords,
      'build s': result.buildSeconds,
      'build rec/s': result.buildRecordsPerSecond,
      'point p50 ms': result.pointReadMs.p50,
      'point p99 ms': result.pointReadMs.p99,
      'indexed point p99 ms': result.indexedPointReadMs.p99,
      ...Object.fromEntries(
        Object.entries(result.firstPageMs).map(([name, summary]) => [`${name} page p50 ms`, summary.p50]),
      ),
      'usage p50 ms': result.usageMs.p50,
      'usage max ms': result.usageMs.p99,
      'index DB MiB': result.indexDatabaseMiB,
      'index lag p50 ms': result.indexLagMs.p50,
      'index lag p99 ms': result.indexLagMs.p99,
      failed: result.failedReads,
    })),
  );
  if (ingestion !== undefined) console.table([ingestion]);
  const smallest = results[0];
  const largest = results[results.length - 1];
  const growth =
    smallest && largest
      ? Object.fromEntries(
          Object.keys(largest.firstPageMs).map((name) => [
            name,
            Math.round(((largest.firstPageMs[name]?.p50 ?? 0) / (smallest.firstPageMs[name]?.p50 ?? 1)) * 100) / 100,
          ]),
        )
      : {};
  console.log('first-page p50 ratio, largest vs smallest ledger:', growth);
  const retried = Object.values(writeRetries).reduce((sum, times) => sum + times, 0);
  log(`writes retried after a transient error: ${retried}${retried > 0 ? ` ${JSON.stringify(writeRetries)}` : ''}`);
  const outDir = join(repoRoot, 'bench-results', `reads-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'results.json'),
    JSON.stringify(
      {
        machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
        sizes,
        samples: SAMPLES,
        results,
        ingestion,
        firstPageGrowth: growth,
        writeRetries,
      },
      null,
      2,
    ),
  );
  writeBarChart(
    join(outDir, 'point-read-p99.png'),
    'REST point read p99 by ledger size',
    'ms',
    results.map((r) => ({ label: `${r.ledgerRecords.toLocaleString('en-US')} records`, value: r.pointReadMs.p99 })),
  );
  writeBarChart(
    join(outDir, 'first-page-p50.png'),
    'First page (100, newest first) p50 by query and ledger size',
    'ms',
    results.flatMap((r) =>
      Object.entries(r.firstPageMs).map(([name, summary]) => ({
        label: `${name} @ ${r.ledgerRecords.toLocaleString('en-US')}`,
        value: summary.p50,
      })),
    ),
  );
  log(`results written to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
