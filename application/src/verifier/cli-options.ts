import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** What `npm run verify-proof` was asked to do. */
export interface VerifyProofOptions {
  /** The proof JSON, as `Batches:GetInclusionProof` returns it. */
  readonly proofFile: string;
  /** The record to check, when held apart from the proof; default: the proof's own record. */
  readonly recordFile: string | undefined;
  readonly channel: string;
  /** Org slug whose peer and identity are used (`regulator`, `hospital-a`, …). */
  readonly org: string;
  readonly role: string;
  /** `<network dir>/orgs/<org>/gateway-profile.json` unless `--profile` names another. */
  readonly profileFile: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE =
  'usage: npm run verify-proof -- --proof proof.json [--record record.json] [--channel hospital-a] [--org regulator] [--role auditor] [--network-dir .network | --profile gateway-profile.json]';

const OPTIONS = {
  proof: { type: 'string' },
  record: { type: 'string' },
  channel: { type: 'string' },
  org: { type: 'string' },
  role: { type: 'string' },
  'network-dir': { type: 'string' },
  profile: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;
const isOptionName = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/**
 * The flags' values, refusing what `parseArgs` in strict mode would refuse but with this command's
 * own messages: unknown flags and positionals (`unknown argument`), and flags without a value —
 * including a flag followed by another flag, which `parseArgs` would take as its value.
 */
function flagValues(argv: readonly string[]): Partial<Record<OptionName, string>> {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Partial<Record<OptionName, string>> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unknown argument '${token.value}'`);
    if (token.kind !== 'option') continue;
    if (!isOptionName(token.name)) throw new UsageError(`unknown argument '${token.rawName}'`);
    if (token.value === undefined || token.value.startsWith('--'))
      throw new UsageError(`${token.rawName} needs a value`);
    values[token.name] = token.value;
  }
  return values;
}

/**
 * Parses the command line. Defaults: channel `hospital-a`, org `regulator` with role `auditor` (the
 * party that does not trust the recording org), network dir `AAL_NETWORK_DIR` or `<repo>/.network`.
 *
 * @throws UsageError naming the problem
 */
export function parseVerifyProofArguments(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  repoRoot: string,
): VerifyProofOptions {
  const values = flagValues(argv);
  const proofFile = values.proof;
  if (proofFile === undefined) throw new UsageError('--proof is required');
  const org = values.org ?? 'regulator';
  if (!/^[a-z0-9-]+$/.test(org)) throw new UsageError(`--org must be an org slug such as regulator, not '${org}'`);
  const networkDir = resolve(values['network-dir'] ?? env.AAL_NETWORK_DIR ?? join(repoRoot, '.network'));
  return {
    proofFile: resolve(proofFile),
    recordFile: values.record === undefined ? undefined : resolve(values.record),
    channel: values.channel ?? 'hospital-a',
    org,
    role: values.role ?? 'auditor',
    profileFile: resolve(values.profile ?? join(networkDir, 'orgs', org, 'gateway-profile.json')),
  };
}
