/**
 * The audit index's query latencies on a SYNTHETIC index: no network, no blocks from a peer. Fills
 * an index (PostgreSQL or SQLite) through the store's own ingestion path (`applyBlock`) with the
 * records `npm run bench:reads` writes (5 000 single records, then Merkle batches of 1 000 whose
 * models, actors and applications vary as there), then times what the bench times of the index:
 * the usage summary over every record (as the route runs it: summary, then the read scope it logs)
 * and the first page (100, newest first) of every interaction and batch listing; with `--consents N`,
 * also N consents as the bench's consent manager grants them (each subject holds 100, every 10th
 * revoked in a later block) and the first page of active consents by subject, grantee and purpose,
 * for an auditor and for a grantee org.
 *
 *   tsx test/bench/index-queries-synthetic.ts --phase fill --records 1000000 [--consents 1000000] (--url U --password-file F | --sqlite FILE)
 *   tsx test/bench/index-queries-synthetic.ts --phase time --runs 30 (same location)
 *
 * Figures from here are labelled synthetic in docs/performance.md; the real figures come from bench:reads.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  batchPage,
  consentPage,
  interactionPage,
  MAX_SUBJECT_REFS,
  openAuditIndexStore,
  type AuditIndexStore,
  type DecodedBlock,
} from '@aal/application';
import type { StoredBatch, StoredConsent, StoredInteraction } from '@aal/ledger-contract';
import { interactionRecord } from './interaction-records';
import { summarise } from './statistics';

const { values: flags } = parseArgs({
  options: {
    phase: { type: 'string', default: 'time' },
    records: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
    consents: { type: 'string', default: '0' },
    url: { type: 'string' },
    'password-file': { type: 'string' },
    sqlite: { type: 'string' },
  },
});
const CHANNEL = 'hospital-a';
const ORG = 'HospitalAMSP';
const MODELS = [
  'gpt-4o-2024-08-06',
  'claude-3-5-sonnet@20240620',
  'models/gemini-1.5-pro',
  'llama-3.1-70b',
  'mistral-large-2407',
];
const SINGLES = 5_000;
/** Consents per subject, grantees and purposes: the fan-out of `npm run bench:reads`' consents. */
const CONSENTS_PER_SUBJECT = 100;
const CONSENT_GRANTEES = ['AIProviderMSP', 'HospitalBMSP', `${ORG}:triage-app`, `${ORG}:scribe-app`] as const;
const CONSENT_PURPOSES = ['treatment', 'research', 'ai-inference', 'model-training', 'model-evaluation'] as const;
const REVOKED_EVERY = 10;
/** Consents per grant block (and revocations per revocation block). */
const CONSENT_BLOCK = 1_000;
const BATCH = 1_000;
/** The ledger's first transaction time; records follow 1 ms apart (the bench writes ~1 000–3 000 per second). */
const START_MS = Date.parse('2026-11-30T05:00:00.000Z');

/** Record `i` as the index stores it: the bench's record mix plus what the chaincode adds. */
function stored(
  prefix: string,
  i: number,
  txId: string,
  batch?: { batchId: string; leafIndex: number },
): StoredInteraction {
  return {
    ...interactionRecord(`${ORG}:${prefix}-${i}`),
    requestModel: MODELS[i % MODELS.length],
    responseModel: MODELS[i % MODELS.length],
    actorRef: `actor-${i % 100}`,
    applicationId: `app-${i % 10}`,
    org: ORG,
    recordedBy: 'app-recorder',
    txId,
    txTime: new Date(START_MS + i).toISOString(),
    ...(batch ?? {}),
  } as unknown as StoredInteraction;
}

function block(
  number: number,
  interactions: DecodedBlock['interactions'],
  batches: DecodedBlock['batches'],
  consents: DecodedBlock['consents'] = [],
): DecodedBlock {
  return {
    number,
    interactions,
    batches,
    consents,
    annotations: [],
    artifacts: [],
    trainingRuns: [],
    erasureReceipts: [],
  };
}

/** Consent `i` as the index stores its grant (the chaincode's fields added), or its revocation. */
function storedConsent(i: number, revoked: boolean): StoredConsent {
  const txId = `grant-${Math.floor(i / CONSENT_BLOCK)}`.padEnd(64, '0');
  const grantedAt = new Date(START_MS + i).toISOString();
  return {
    id: `${ORG}:synthetic-consent-${i}`,
    subjectRef: `${ORG}:synthetic-subject-${Math.floor(i / CONSENTS_PER_SUBJECT)}`,
    grantees: [CONSENT_GRANTEES[i % CONSENT_GRANTEES.length] ?? ''],
    decision: 'permit',
    purposes: [CONSENT_PURPOSES[i % CONSENT_PURPOSES.length] ?? ''],
    period: { start: '2026-01-01T00:00:00.000Z' },
    controller: ORG,
    grantedBy: 'app-consent-manager',
    grantedAt,
    txId,
    ...(revoked
      ? {
          revokedAt: grantedAt,
          revokedBy: 'app-consent-manager',
          revocationReason: 'subject-request' as const,
          revocationTxId: `revoke-${Math.floor(i / CONSENT_BLOCK)}`.padEnd(64, '0'),
        }
      : {}),
  } as StoredConsent;
}

/** Grants `consents` consents after block `first`, each block of grants followed by one revoking its every 10th. */
async function fillConsents(store: AuditIndexStore, first: number, consents: number): Promise<number> {
  const evidence = { headerHash: '00'.repeat(32), newest: undefined, anomalies: [] };
  const started = performance.now();
  let number = first;
  for (let from = 0; from < consents; from += CONSENT_BLOCK) {
    const ids = Array.from({ length: Math.min(CONSENT_BLOCK, consents - from) }, (_, j) => from + j);
    for (const revoked of [false, true]) {
      const written = ids
        .filter((i) => !revoked || i % REVOKED_EVERY === 0)
        .map((i, txIndex) => {
          const record = storedConsent(i, revoked);
          return { record, txId: revoked ? (record.revocationTxId ?? '') : record.txId, blockNumber: number, txIndex };
        });
      await store.applyBlock(CHANNEL, block(number, [], [], written), evidence);
      number += 1;
    }
    if ((from / CONSENT_BLOCK) % 100 === 99)
      process.stderr.write(
        `  ${from + ids.length} consents, ${Math.round((from + ids.length) / ((performance.now() - started) / 1000))} consents/s\n`,
      );
  }
  return number;
}

async function fill(store: AuditIndexStore, records: number, consents: number): Promise<void> {
  const evidence = { headerHash: '00'.repeat(32), newest: undefined, anomalies: [] };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let number = 0;
  for (let first = 0; first < SINGLES; first += 500) {
    const txId = `single-${first}`.padEnd(64, '0');
    const rows = Array.from({ length: 500 }, (_, j) => ({
      record: stored('indexed', first + j, txId),
      txId,
      blockNumber: number,
      txIndex: 0,
    }));
    await store.applyBlock(CHANNEL, block(number, rows, []), evidence);
    number += 1;
  }
  for (let first = SINGLES; first < records; first += BATCH) {
    const batchId = `b${first}`.padEnd(64, '0');
    const count = Math.min(BATCH, records - first);
    const rows = Array.from({ length: count }, (_, j) => ({
      record: stored('read', first + j, batchId, { batchId, leafIndex: j }),
      txId: batchId,
      blockNumber: number,
      txIndex: 0,
    }));
    const header = {
      batchId,
      org: ORG,
      recordedBy: 'app-recorder',
      txTime: new Date(START_MS + first).toISOString(),
      size: count,
      root: 'f'.repeat(64),
      ids: [],
    } as unknown as StoredBatch;
    await store.applyBlock(
      CHANNEL,
      block(number, rows, [{ record: header, txId: batchId, blockNumber: number, txIndex: 0 }]),
      evidence,
    );
    number += 1;
    if (number % 100 === 0)
      process.stderr.write(
        `  ${first + count} records, ${Math.round((first + count) / ((performance.now() - started) / 1000))} records/s\n`,
      );
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const consentsStarted = performance.now();
  if (consents > 0) number = await fillConsents(store, number, consents);
  console.log(
    JSON.stringify({
      filled: records,
      consents,
      consentSeconds: Math.round(((performance.now() - consentsStarted) / 1000) * 10) / 10,
      blocks: number,
      seconds: Math.round(seconds * 10) / 10,
      recordsPerSecond: Math.round(records / seconds),
      // The process's CPU over the fill (generating the records included), per record.
      cpuMsPerRecord: Math.round(((cpu.user + cpu.system) / 1000 / records) * 1000) / 1000,
    }),
  );
}

async function time(store: AuditIndexStore, runs: number): Promise<void> {
  const atBlock = (await store.checkpoint(CHANNEL)) ?? 0;
  const measure = async (what: () => Promise<unknown>): Promise<{ p50: number; p99: number }> => {
    await what();
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const begin = performance.now();
      await what();
      times.push(performance.now() - begin);
    }
    const { p50, p99 } = summarise(times);
    return { p50, p99 };
  };
  const results: Record<string, { p50: number; p99: number }> = {};
  const usageFilter = { channel: CHANNEL, by: 'org' as const, value: ORG, atBlock };
  const summary = await store.usage(usageFilter, 'model', 10_000);
  results['usage over every record (summary + read scope)'] = await measure(async () => {
    await store.usage(usageFilter, 'model', 10_000);
    await store.readScope(usageFilter, MAX_SUBJECT_REFS);
  });
  const filters = {
    org: ORG,
    requestModel: MODELS[1] ?? '',
    actorRef: 'actor-42',
    applicationId: 'app-7',
  } as const;
  for (const collection of ['interactions', 'batches'] as const)
    for (const [by, value] of Object.entries(filters)) {
      const filter = { channel: CHANNEL, by: by as keyof typeof filters, value, atBlock };
      results[`${collection} by ${by}`] = await measure(() =>
        collection === 'interactions'
          ? interactionPage(store.db, filter, 'desc', 100)
          : batchPage(store.db, filter, 'desc', 100),
      );
    }
  const consentCount = Number(
    (
      await store.db
        .selectFrom('consents')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  if (consentCount > 0) {
    const now = new Date().toISOString();
    const paths = {
      subjectRef: `${ORG}:synthetic-subject-42`,
      grantee: 'HospitalBMSP',
      purpose: 'research',
    } as const;
    // An auditor reads every consent; HospitalB reads those it is a grantee of (its org's reader check).
    for (const [reader, readerOrg] of [
      ['auditor', undefined],
      ['HospitalB', 'HospitalBMSP'],
    ] as const)
      for (const [by, value] of Object.entries(paths)) {
        const scope = { channel: CHANNEL, atBlock, ...(readerOrg === undefined ? {} : { readerOrg }) };
        results[`consents by ${by} (active), ${reader}`] = await measure(() =>
          consentPage(store.db, scope, { by: by as keyof typeof paths, value, status: 'active' }, now, 100),
        );
      }
  }
  console.log(
    JSON.stringify({ atBlock, usageRecords: summary.records, consents: consentCount, runs, results }, null, 1),
  );
}

async function main(): Promise<void> {
  const location =
    flags.sqlite !== undefined
      ? { backend: 'sqlite' as const, path: flags.sqlite }
      : { backend: 'postgres' as const, url: flags.url ?? '', passwordFile: flags['password-file'] };
  const opening = performance.now();
  // Opening migrates: on an index made by an older version, this times the migrations it lacks.
  const store = await openAuditIndexStore(location);
  console.log(JSON.stringify({ openedAndMigratedMs: Math.round(performance.now() - opening) }));
  try {
    if (flags.phase === 'fill') await fill(store, Number(flags.records), Number(flags.consents));
    else await time(store, Number(flags.runs));
  } finally {
    await store.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
