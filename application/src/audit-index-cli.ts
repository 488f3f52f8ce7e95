/**
 * Operator command for an org's audit index, reading blocks from the org's own peer:
 *
 *   npm run audit-index -- check   --org hospital-a    re-read every block, verify the hash chain and the stored rows,
 *                                                      and compare a sample of records with the chaincode's point reads
 *   npm run audit-index -- reindex --org hospital-a    rebuild the index from block 0 (the app stopped)
 *
 * `--org <slug>` means the org's files under `<network dir>/orgs/<slug>/` (network dir:
 * AAL_NETWORK_DIR, or `.network` in the repository): its gateway profile, its app's wallet and where
 * its index lives (`audit-index-location.json`, written by the network when it starts the org's
 * PostgreSQL server; without it, `audit-index.sqlite` there); `--index <file>` names an SQLite
 * index file instead. `check --sample <n>|all` (default {@link DEFAULT_SAMPLE}) reads that
 * many records of each kind (or all) back through the chaincode as the org's auditor, `--seed`
 * choosing which (the same seed, the same records), `--from-block` leaving out older blocks' records
 * (a check of what was written since an earlier one); an auditor org (the gateway profile's
 * `auditorOrgs`, or AAL_AUDITOR_ORGS, read as the app reads them) samples every org's records,
 * any other org its own. Progress goes to stderr, the summary to stdout;
 * exit 0 when everything matches, 1 on any difference or failed rebuild, 2 on a usage error.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BlockIntegrityError } from './audit-index/block-integrity';
import { GatewayBlockSource } from './audit-index/gateway-block-source';
import { checkChannel } from './audit-index/index-check';
import { reindex, reindexInPlace, ReindexRefusal } from './audit-index/reindex';
import { openAuditIndexStore } from './audit-index/store-factory';
import {
  AUDIT_INDEX_LOCATION_FILE,
  describeLocation,
  readAuditIndexLocation,
  type AuditIndexLocation,
} from './audit-index/store-location';
import { readScopeOf, type ReadScope } from './audit-index/index-reads';
import { checkSample } from './audit-index/index-sample-check';
import type { SampleSize } from './audit-index/sample-rows';
import { AUDITOR_ORGS_ENV } from '@aal/ledger-contract';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { walletIdentities } from './identity/wallet';
import { connectToPeer, GatewayLedgerClient } from './ledger/gateway-ledger-client';

/** Records of each kind `check` compares with the chaincode's point reads unless `--sample` says otherwise. */
export const DEFAULT_SAMPLE = 100;

const USAGE = `usage: npm run audit-index -- <command> --org <org slug> [--index <file>]
  check [--sample <n>|all] [--seed <n>] [--from-block <n>]
                      re-read every block from the org's peer; verify the hash chain and that the stored
                      rows equal what decoding the blocks yields (count and digest per block); then read
                      n records of each kind (interactions, batched interactions, consents, artifacts;
                      default ${DEFAULT_SAMPLE}, 0 for none) or all of them back through the chaincode
                      and compare them with the index; n records are spread over the blocks by the seed
                      (default 0): the same seed and index, the same records; --from-block samples only
                      records of that block and later (the hash chain is still verified from block 0)
  reindex [--force]   rebuild the index from block 0 (stop the app first): SQLite into a new file switched
                      in by rename; PostgreSQL in place`;

class UsageError extends Error {}

/** `--sample`: a record count per kind, or `all`. */
function sampleSizeOf(option: string | undefined): SampleSize {
  if (option === undefined) return DEFAULT_SAMPLE;
  if (option === 'all') return 'all';
  if (!/^(0|[1-9][0-9]{0,8})$/.test(option))
    throw new UsageError(`--sample must be a record count (0 or more) or 'all', got '${option}'`);
  return Number(option);
}

/** `--seed`: a non-negative integer below 2^32, default 0. */
function seedOf(option: string | undefined): number {
  if (option === undefined) return 0;
  if (!/^(0|[1-9][0-9]{0,9})$/.test(option) || Number(option) >= 2 ** 32)
    throw new UsageError(`--seed must be an integer from 0 to ${2 ** 32 - 1}, got '${option}'`);
  return Number(option);
}

/** `--from-block`: the first block whose records the sample reads, a non-negative integer, default 0. */
function fromBlockOf(option: string | undefined): number {
  if (option === undefined) return 0;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(option) || !Number.isSafeInteger(Number(option)))
    throw new UsageError(`--from-block must be a block number (0 or more), got '${option}'`);
  return Number(option);
}

/** Where the command's text goes: the summary (stdout) and progress on long runs (stderr). */
export interface CliOutput {
  readonly out: (line: string) => void;
  readonly progress: (line: string) => void;
}

function orgDirOf(org: string | undefined, env: NodeJS.ProcessEnv): string {
  if (org === undefined) throw new UsageError('name the org (--org hospital-a)');
  if (!/^[a-z0-9-]+$/.test(org)) throw new UsageError(`--org must be an org slug such as hospital-a, got '${org}'`);
  // Compiled or run from source, this file is two levels below the repository root.
  const networkDir = resolve(env.AAL_NETWORK_DIR ?? join(__dirname, '..', '..', '.network'));
  const orgDir = join(networkDir, 'orgs', org);
  if (!existsSync(orgDir))
    throw new UsageError(`no org '${org}' in ${networkDir}: start the network first, or check the slug`);
  return orgDir;
}

/** The org's index: `--index` (an SQLite file), else where the network recorded it, else the SQLite default. */
function indexLocationOf(orgDir: string, indexOption: string | undefined): AuditIndexLocation {
  if (indexOption !== undefined) return { backend: 'sqlite', path: resolve(indexOption) };
  return (
    readAuditIndexLocation(join(orgDir, AUDIT_INDEX_LOCATION_FILE)) ?? {
      backend: 'sqlite',
      path: join(orgDir, 'audit-index.sqlite'),
    }
  );
}

/**
 * The org's configuration as its app reads it ({@link loadConfig}): the gateway profile in the org's
 * directory, with the auditor orgs from the profile unless AAL_AUDITOR_ORGS is set, as for the app.
 * Only the variables that describe the org, not the app's own process, are taken from `env`.
 */
export function orgConfigOf(orgDir: string, env: NodeJS.ProcessEnv): AppConfig {
  const auditorOrgs = env[AUDITOR_ORGS_ENV];
  return loadConfig({
    AAL_GATEWAY_PROFILE: join(orgDir, 'gateway-profile.json'),
    ...(auditorOrgs === undefined ? {} : { [AUDITOR_ORGS_ENV]: auditorOrgs }),
  });
}

/** What `check --sample` reads as the org's auditor: every org's records when the org is an auditor org. */
export function sampleScopeOf(config: AppConfig): ReadScope {
  return readScopeOf('auditor', config.profile.mspId, new Set(config.auditorOrgs));
}

/** Runs one command; resolves with the process exit code. */
export async function runAuditIndexCli(
  argv: readonly string[],
  output: CliOutput = { out: console.log, progress: console.error },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      index: { type: 'string' },
      force: { type: 'boolean', default: false },
      sample: { type: 'string' },
      seed: { type: 'string' },
      'from-block': { type: 'string' },
    },
  });
  const [command] = positionals;
  if (command !== 'check' && command !== 'reindex')
    throw new UsageError(command === undefined ? 'a command is required' : `unknown command '${command}'`);
  if (
    command !== 'check' &&
    (values.sample !== undefined || values.seed !== undefined || values['from-block'] !== undefined)
  )
    throw new UsageError('--sample, --seed and --from-block are options of check');
  const sampleSize = sampleSizeOf(values.sample);
  const seed = seedOf(values.seed);
  const fromBlock = fromBlockOf(values['from-block']);
  const orgDir = orgDirOf(values.org, env);
  const config = orgConfigOf(orgDir, env);
  const location = indexLocationOf(orgDir, values.index);
  const where = describeLocation(location);
  const { profile } = await walletIdentities(config.profile, config.walletDir);
  const connection = connectToPeer(profile);
  const source = new GatewayBlockSource(profile, 'auditor', connection);
  // Point reads as the org's auditor: it reads what the chaincode lets the org's auditor read, nothing more.
  const reader = new GatewayLedgerClient(profile, 'auditor', connection);
  const { out, progress } = output;
  try {
    if (command === 'check') {
      if (location.backend === 'sqlite' && !existsSync(location.path))
        throw new UsageError(`no audit index at ${location.path}`);
      const store = await openAuditIndexStore(location);
      let differences = 0;
      try {
        for (const channel of profile.channels) {
          const result = await checkChannel({
            store,
            source,
            channel,
            chaincode: profile.chaincode,
            peerHeight: await source.height(channel),
            progress,
          });
          differences += result.differences.length;
          out(
            `${channel}: ${result.checkpoint === undefined ? 'no block indexed' : `blocks 0–${result.checkpoint}`}, ` +
              `${result.blocks} blocks re-read, ${result.rows} rows, ${result.anomalies} time anomalies: ` +
              (result.differences.length === 0 ? 'OK' : `${result.differences.length} DIFFERENCES`),
          );
          for (const line of result.differences) out(`  ${line}`);
          if (sampleSize === 0) continue;
          const sample = await checkSample({
            store,
            reader,
            channel,
            scope: sampleScopeOf(config),
            size: sampleSize,
            seed,
            fromBlock,
            progress,
          });
          differences += sample.differences.length;
          const { checked } = sample;
          out(
            `${channel}: ${sampleSize === 'all' ? 'every record' : `sample of ${sampleSize} per kind (seed ${seed})`} ` +
              (sample.checkpoint === undefined
                ? ''
                : fromBlock === 0
                  ? `up to block ${sample.checkpoint} `
                  : `of blocks ${fromBlock}–${sample.checkpoint} `) +
              `(${checked.interaction} interactions, ${checked['batched-interaction']} batched interactions, ` +
              `${checked.consent} consents, ${checked.artifact} artifacts) read through the chaincode` +
              (sample.pending === 0 ? '' : `, ${sample.pending} consents revoked after the checkpoint`) +
              `: ${sample.differences.length === 0 ? 'OK' : `${sample.differences.length} DIFFERENCES`}`,
          );
          for (const line of sample.differences) out(`  ${line}`);
        }
      } finally {
        await store.close();
      }
      out(
        differences === 0
          ? `audit index ${where} matches the peer's blocks${sampleSize === 0 ? '' : " and the chaincode's point reads"}`
          : `${differences} differences`,
      );
      return differences === 0 ? 0 : 1;
    }
    try {
      const rebuildFrom = { source, channels: profile.channels, chaincode: profile.chaincode, progress };
      let results;
      if (location.backend === 'sqlite') {
        results = await reindex({ ...rebuildFrom, indexPath: location.path, force: values.force });
      } else {
        const store = await openAuditIndexStore(location);
        try {
          results = await reindexInPlace({ ...rebuildFrom, store });
        } finally {
          await store.close();
        }
      }
      for (const result of results)
        out(
          `${result.channel}: ${result.checkpoint === undefined ? 'no block' : `blocks 0–${result.checkpoint}`}, ` +
            `${result.rows} rows, ${result.anomalies} time anomalies`,
        );
      out(`audit index ${where} rebuilt`);
      return 0;
    } catch (error) {
      if (!(error instanceof BlockIntegrityError)) throw error;
      out(
        location.backend === 'sqlite'
          ? `rebuild stopped, the index is unchanged: ${error.message}`
          : `rebuild stopped at a block that failed its check (the index holds the blocks before it): ${error.message}`,
      );
      return 1;
    }
  } finally {
    source.close();
    reader.close();
    connection.close();
  }
}

if (require.main === module) {
  runAuditIndexCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      if (
        error instanceof UsageError ||
        error instanceof ConfigError ||
        error instanceof ReindexRefusal ||
        (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      ) {
        console.error(`${error.message}\n\n${USAGE}`);
        process.exitCode = 2;
      } else {
        console.error(error);
        process.exitCode = 1;
      }
    },
  );
}
