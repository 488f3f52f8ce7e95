import { spawn } from 'node:child_process';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BlockTransaction } from './channel-blocks';
import { ensurePythonVenv } from './python-venv';

/** The fuzzer's pinned requirements and hooks (test/fuzz/). */
const FUZZ_DIR = resolve(__dirname, '..', 'fuzz');
const REQUIREMENTS = join(FUZZ_DIR, 'requirements.txt');

/** The checks every run makes; `ledger_field_refusal` is ours (test/fuzz/hooks.py). */
export const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'positive_data_acceptance',
  'unsupported_method',
  'allow_header_conformance',
  'ledger_field_refusal',
] as const;

/** Schemathesis' `st`, from its pinned venv (see {@link ensurePythonVenv}). */
export async function ensureSchemathesis(): Promise<string> {
  return join(await ensurePythonVenv('schemathesis', REQUIREMENTS), 'st');
}

/** One fuzzing run against one org's app. */
export interface FuzzRun {
  readonly st: string;
  readonly appUrl: string;
  /** `Authorization: Bearer` key of the role the operations are called with. */
  readonly apiKey: string;
  /** positive: schema-valid requests only; negative: schema-invalid only. */
  readonly mode: 'positive' | 'negative';
  readonly maxExamples: number;
  readonly operationIds: readonly string[];
  readonly seed?: number;
}

/** One request of a run, as the `after_call` hook of test/fuzz/hooks.py logged it. */
export interface FuzzCall {
  /** Method and path template, e.g. `POST /channels/{channel}/batches`. */
  readonly operation: string;
  readonly operationId: string | null;
  readonly method: string;
  /** How Schemathesis generated the case: schema-valid (positive) or not (negative). */
  readonly mode: 'positive' | 'negative';
  readonly status: number;
  /** The transaction a 2xx answer names (`X-Transaction-Id`, else `transactionId` in the body), if it names one. */
  readonly transactionId: string | null;
}

/** What a run found: the exit code, its output, the failures and cases of its JSON report, every call. */
export interface FuzzResult {
  readonly exitCode: number;
  readonly output: string;
  readonly seconds: number;
  readonly report: unknown;
  readonly calls: readonly FuzzCall[];
}

/** The calls of `results` that changed something: a write method answered 2xx. */
export function acceptedWrites(results: readonly FuzzResult[]): FuzzCall[] {
  return results
    .flatMap((result) => result.calls)
    .filter((call) => call.method !== 'GET' && call.method !== 'HEAD' && call.status >= 200 && call.status < 300);
}

/**
 * The settings of every run: `{channel}` needs none (the document lists the org's channels as its
 * enum); `minBlock` is 0 (a generated block far ahead would hold each request for the index's 10 s wait). Schema-valid requests may be
 * refused for the ledger's state (a subject, consent or artifact that does not exist: 404, 409,
 * 422 without field errors, which `ledger_field_refusal` tells apart) or the key's role (403).
 * Schema-invalid ones must be refused with a 4xx the app documents.
 */
const CONFIG_TOML = [
  '[parameters]',
  '"query.minBlock" = "0"',
  '',
  '[checks.positive_data_acceptance]',
  'expected-statuses = ["2xx", "403", "404", "409", "422"]',
  '',
  // Refusals of the HTTP layer count as rejections too (a generated query can be over the URL limit).
  '[checks.negative_data_rejection]',
  'expected-statuses = ["400", "401", "403", "404", "405", "409", "413", "414", "415", "422", "429", "431"]',
  '',
].join('\n');

export async function runSchemathesis(run: FuzzRun): Promise<FuzzResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-fuzz-'));
  try {
    const config = join(dir, 'schemathesis.toml');
    writeFileSync(config, CONFIG_TOML);
    const reportPath = join(dir, 'report.json');
    const callsPath = join(dir, 'calls.jsonl');
    const args = [
      '--config-file',
      config,
      'run',
      `${run.appUrl}/openapi.json`,
      '--header',
      `Authorization: Bearer ${run.apiKey}`,
      '--mode',
      run.mode,
      '--max-examples',
      String(run.maxExamples),
      '--phases',
      'examples,coverage,fuzzing',
      '--checks',
      FUZZ_CHECKS.join(','),
      // One worker: Hypothesis' lambda descriptions parse source with `ast`, which is not thread-safe
      // in Python 3.11 ("AST constructor recursion depth mismatch" under two workers).
      '--workers',
      '1',
      // Under the apps' per-key rate limit (50/s, burst 100): a 429 is no finding.
      '--rate-limit',
      '40/s',
      '--request-timeout',
      '30',
      '--no-shrink',
      // A Merkle batch of up to 1000 interactions is slow to generate; that is no finding about the app.
      '--suppress-health-check',
      'too_slow,data_too_large',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
      ...(run.seed === undefined ? [] : ['--seed', String(run.seed)]),
      ...run.operationIds.flatMap((id) => ['--include-operation-id', id]),
    ];
    const started = performance.now();
    const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((done, fail) => {
      const child = spawn(run.st, args, {
        // Schemathesis keeps a cache in its working directory: the run's own, removed afterwards.
        cwd: dir,
        env: {
          ...process.env,
          SCHEMATHESIS_HOOKS: 'hooks',
          AAL_FUZZ_CALLS: callsPath,
          PYTHONPATH: FUZZ_DIR,
          PYTHONDONTWRITEBYTECODE: '1',
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.on('error', fail);
      child.on('close', (code) => done({ exitCode: code ?? -1, output: Buffer.concat(chunks).toString('utf8') }));
    });
    const seconds = (performance.now() - started) / 1000;
    const report: unknown = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined;
    const calls = existsSync(callsPath)
      ? readFileSync(callsPath, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as FuzzCall)
      : [];
    return { exitCode, output, seconds, report, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `x-roles` of each operation of an OpenAPI document, by operation id. */
export function operationRoles(document: unknown): Map<string, readonly string[]> {
  const roles = new Map<string, readonly string[]>();
  const paths = (document as { paths: Record<string, Record<string, { operationId?: string; 'x-roles'?: string[] }>> })
    .paths;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (operation.operationId !== undefined && operation['x-roles'] !== undefined)
        roles.set(operation.operationId, operation['x-roles']);
    }
  }
  return roles;
}

/**
 * Operations left out of positive runs: Schemathesis reuses values from earlier answers, so a
 * schema-valid `DELETE /api-keys/{id}` revoked a live key listed by `GET /api-keys` — the test
 * network's shared consent-manager key, failing every later request with it (CI, 2026-11-30).
 * Revocation over HTTP is tested in rest-infrastructure; negative runs still cover it.
 */
const POSITIVE_EXCLUDED: readonly string[] = ['revokeApiKey'];

/** The operations of `operationIds` a run in `mode` fuzzes. */
export function fuzzedOperations(mode: 'positive' | 'negative', operationIds: readonly string[]): string[] {
  return mode === 'positive' ? operationIds.filter((id) => !POSITIVE_EXCLUDED.includes(id)) : [...operationIds];
}

/**
 * The operations to fuzz, grouped by the role whose key calls them: admin where it may, else the
 * operation's first role. Server-sent events are left out: a valid request is a stream that does
 * not end, which a request-answer fuzzer cannot judge.
 */
export function operationsByRole(
  document: unknown,
  exclude: readonly string[] = ['streamEvents'],
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [operationId, roles] of operationRoles(document)) {
    if (exclude.includes(operationId)) continue;
    const role = roles.includes('admin') ? 'admin' : (roles[0] ?? 'admin');
    groups.set(role, [...(groups.get(role) ?? []), operationId]);
  }
  return groups;
}

/**
 * The writes an accepted request makes without naming their transactions in its answer, by
 * operation and, where only one answer leaves it unnamed, that status: a subject's registration (a
 * private mapping; submitted again when it exists, the chaincode keeping the first) and erasure (the
 * purge, then the public receipt); and the 200 "already recorded" answers of a replayed record,
 * whose transaction (ordered, writing nothing) the answer does not name — a single record is
 * submitted alone or gathered into a Merkle batch. Every other write names its transaction
 * (`X-Transaction-Id` or `transactionId`).
 */
const UNNAMED_WRITES: Readonly<
  Record<string, { readonly status?: number; readonly transactions: readonly (readonly string[])[] }>
> = {
  registerSubject: { transactions: [[TRANSACTIONS.registerSubject]] },
  eraseSubject: { transactions: [[TRANSACTIONS.eraseSubject], [TRANSACTIONS.recordErasureReceipt]] },
  recordInteraction: { status: 200, transactions: [[TRANSACTIONS.recordInteraction, TRANSACTIONS.recordBatch]] },
  annotateInteraction: { status: 200, transactions: [[TRANSACTIONS.annotateInteraction]] },
  recordBatch: { status: 200, transactions: [[TRANSACTIONS.recordBatch]] },
};

/**
 * The transactions of `written` that no accepted write of `results` accounts for: each must be one
 * an accepted answer named, or one of the {@link UNNAMED_WRITES} of an accepted request (each such
 * request accounts for exactly the transactions listed for it). Empty when nothing but accepted
 * writes wrote; a config transaction, or any write of a refused request, is left over.
 */
export function writesNotAccountedFor(
  written: readonly BlockTransaction[],
  results: readonly FuzzResult[],
): BlockTransaction[] {
  const accepted = acceptedWrites(results);
  const named = new Set(accepted.flatMap((call) => (call.transactionId === null ? [] : [call.transactionId])));
  // One credit per transaction an accepted request wrote unnamed: the functions it may have been.
  const credits: (readonly string[])[] = [];
  for (const call of accepted) {
    const unnamed = UNNAMED_WRITES[call.operationId ?? ''];
    if (unnamed !== undefined && (unnamed.status === undefined || unnamed.status === call.status))
      credits.push(...unnamed.transactions);
  }
  return written.filter((transaction) => {
    if (named.has(transaction.transactionId)) return false;
    const credit = credits.findIndex((functions) => functions.includes(transaction.function));
    if (credit < 0) return true;
    credits.splice(credit, 1);
    return false;
  });
}

/**
 * `unaccounted` without the one write the app makes of its own accord on a request's behalf: the
 * initialisation of its org keys on the channel, once per process, on the first request that needs
 * them (a schema-valid run may be that first request). A second one is left in, with the rest.
 */
export function beyondOrgKeyInitialisation(unaccounted: readonly BlockTransaction[]): BlockTransaction[] {
  const initialisations = unaccounted.filter((transaction) => transaction.function === TRANSACTIONS.initOrgKeys);
  return initialisations.length <= 1
    ? unaccounted.filter((transaction) => transaction.function !== TRANSACTIONS.initOrgKeys)
    : [...unaccounted];
}
