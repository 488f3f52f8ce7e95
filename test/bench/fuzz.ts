/**
 * `npm run bench:fuzz [-- --examples N] [-- --seed S]`: the API fuzzer of the integration suite
 * (test/integration/api-fuzz.test.ts) at a larger count, on a network of its own. Schemathesis,
 * driven by HospitalA's published OpenAPI document, calls every operation (but the event stream)
 * with N cases each, schema-invalid ones first and then schema-valid ones, each operation with a
 * key of a role that may call it. Prints per run the cases, failures and time, and the channel's
 * block height before and after the schema-invalid cases with what the blocks added meanwhile wrote
 * (nothing may be written but the apps' background read-log anchors and what the few accepted
 * "negative" cases, valid once serialized, wrote: writesNotAccountedFor), and what the schema-valid
 * cases wrote beyond what accepted requests wrote (nothing may be); writes JSON under
 * bench-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { common } from '@hyperledger/fabric-protos';
import { FabricNetwork, HOSPITAL_A, issueApiKeys, NetworkLayout, type NetworkOptions } from '@aal/network';
import { transactionsWrittenSince, type BlockTransaction } from '../support/channel-blocks';
import { gatewayFor } from '../support/gateway';
import {
  ensureSchemathesis,
  fuzzedOperations,
  operationsByRole,
  beyondOrgKeyInitialisation,
  runSchemathesis,
  writesNotAccountedFor,
  type FuzzResult,
} from '../support/schemathesis';

const { values: flags } = parseArgs({
  options: {
    /** Cases per operation and mode (the integration test runs 5). */
    examples: { type: 'string', default: '100' },
    seed: { type: 'string' },
  },
});
const examples = Number(flags.examples);
if (!Number.isInteger(examples) || examples < 1) throw new Error(`--examples must be a whole number ≥ 1`);
const seed = flags.seed === undefined ? undefined : Number(flags.seed);
const repoRoot = resolve(__dirname, '..', '..');
const options: NetworkOptions = {
  dir: resolve(process.env.AAL_BENCH_FUZZ_NETWORK_DIR ?? join(repoRoot, '.network-bench-fuzz')),
  basePort: Number(process.env.AAL_BENCH_FUZZ_BASE_PORT ?? 19200),
  orderers: 3,
  purgeIntervalBlocks: 100,
};
const CHANNEL = 'hospital-a';

const log = (message: string): void => console.log(`[bench:fuzz] ${message}`);

/** Counts a run's JSON report holds, as far as it holds them (its shape is Schemathesis'). */
function counts(result: FuzzResult): { cases?: number; failures?: number } {
  const report = result.report as
    { summary?: { test_cases?: { generated?: number; found_failures?: number } } } | undefined;
  const cases = report?.summary?.test_cases;
  return {
    ...(cases?.generated === undefined ? {} : { cases: cases.generated }),
    ...(cases?.found_failures === undefined ? {} : { failures: cases.found_failures }),
  };
}

async function main(): Promise<void> {
  const st = await ensureSchemathesis();
  const network = new FabricNetwork(options);
  await network.down({ purge: true });
  await network.up();
  await network.deploy();
  const urls = await network.startApplications();
  const layout = new NetworkLayout(options);
  const keys = issueApiKeys(layout, HOSPITAL_A, 'bench-fuzz') as Record<string, string>;
  const appUrl = urls[HOSPITAL_A.name] ?? '';
  const gateway = gatewayFor(layout, HOSPITAL_A, 'auditor');
  const height = async (): Promise<number> => {
    const info = await gateway.gateway
      .getNetwork(CHANNEL)
      .getContract('qscc')
      .evaluateTransaction('GetChainInfo', CHANNEL);
    return common.BlockchainInfo.deserializeBinary(info).getHeight();
  };
  const runs: {
    mode: string;
    role: string;
    operations: number;
    requests: number;
    seconds: number;
    exitCode: number;
  }[] = [];
  let heightBefore = 0;
  let heightAfterNegative = 0;
  /** What the blocks added during the schema-invalid cases wrote, but the apps' read-log anchors. */
  let writtenDuringNegative: BlockTransaction[] = [];
  /** Of those, the ones no accepted write of the schema-invalid runs answered with (see writesNotAccountedFor). */
  let unaccounted: BlockTransaction[] = [];
  const negativeResults: FuzzResult[] = [];
  const positiveResults: FuzzResult[] = [];
  let heightBeforePositive = 0;
  /** What the schema-valid runs wrote that no accepted write accounts for (but one org-key initialisation). */
  let unaccountedPositive: BlockTransaction[] = [];
  try {
    const groups = operationsByRole(await (await fetch(`${appUrl}/openapi.json`)).json());
    for (const mode of ['negative', 'positive'] as const) {
      if (mode === 'negative') heightBefore = await height();
      else heightBeforePositive = await height();
      for (const [role, allOperationIds] of groups) {
        const operationIds = fuzzedOperations(mode, allOperationIds);
        const apiKey = keys[role];
        if (apiKey === undefined) throw new Error(`no key for role ${role}`);
        const result = await runSchemathesis({
          st,
          appUrl,
          apiKey,
          mode,
          maxExamples: examples,
          operationIds,
          ...(seed === undefined ? {} : { seed }),
        });
        (mode === 'negative' ? negativeResults : positiveResults).push(result);
        runs.push({
          mode,
          role,
          operations: operationIds.length,
          // The write accounting rests on the hooks' log of every request: an empty log fails the run.
          requests: result.calls.length,
          seconds: result.seconds,
          exitCode: result.exitCode,
          ...counts(result),
        });
        log(
          `${mode} as ${role}: ${operationIds.length} operations, ${result.seconds.toFixed(1)} s, exit ${result.exitCode}`,
        );
        if (result.exitCode !== 0) console.log(result.output);
      }
      if (mode === 'negative') {
        heightAfterNegative = await height();
        writtenDuringNegative = await transactionsWrittenSince(gateway.gateway, CHANNEL, heightBefore);
        unaccounted = writesNotAccountedFor(writtenDuringNegative, negativeResults);
      } else {
        // Schema-valid requests the ledger refused (404, 409, 422) write nothing either.
        const written = await transactionsWrittenSince(gateway.gateway, CHANNEL, heightBeforePositive);
        unaccountedPositive = beyondOrgKeyInitialisation(writesNotAccountedFor(written, positiveResults));
      }
    }
  } finally {
    gateway.close();
    await network.down();
  }
  console.table(runs);
  log(
    `block height before the schema-invalid cases ${heightBefore}, after ${heightAfterNegative}; ` +
      `written meanwhile but read-log anchors: ${names(writtenDuringNegative)}; ` +
      `not accounted for by an accepted write: ${names(unaccounted)}; ` +
      `during the schema-valid cases, not accounted for: ${names(unaccountedPositive)}`,
  );
  const outDir = join(repoRoot, 'bench-results', `fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'results.json'),
    `${JSON.stringify({ examplesPerOperation: examples, seed, runs, heightBefore, heightAfterNegative, writtenDuringNegative, unaccounted, unaccountedPositive }, null, 2)}\n`,
  );
  log(`results in ${outDir}`);
  // Blocks may be added, holding the apps' background read-log anchors and the accepted writes only.
  const failed =
    runs.some((run) => run.exitCode !== 0 || run.requests === 0) ||
    unaccounted.length > 0 ||
    unaccountedPositive.length > 0;
  if (failed) process.exitCode = 1;
}

function names(transactions: readonly BlockTransaction[]): string {
  return transactions.length === 0 ? 'nothing' : transactions.map((transaction) => transaction.function).join(', ');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
