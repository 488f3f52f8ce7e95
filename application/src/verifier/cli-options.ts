import { join, resolve } from 'node:path';

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

const FLAGS = new Set(['--proof', '--record', '--channel', '--org', '--role', '--network-dir', '--profile']);

/**
 * Parses the command line. Defaults: channel `hospital-a`, org `regulator` with role `auditor` (the
 * party that does not trust the recording org), network dir `AAL_NETWORK_DIR` or `<repo>/.network`.
 *
 * @throws UsageError naming the problem
 */
export function parseVerifyProofArguments(argv: readonly string[], env: NodeJS.ProcessEnv, repoRoot: string): VerifyProofOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (!FLAGS.has(flag)) throw new UsageError(`unknown argument '${flag}'`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const proofFile = values.get('--proof');
  if (proofFile === undefined) throw new UsageError('--proof is required');
  const org = values.get('--org') ?? 'regulator';
  if (!/^[a-z0-9-]+$/.test(org)) throw new UsageError(`--org must be an org slug such as regulator, not '${org}'`);
  const networkDir = resolve(values.get('--network-dir') ?? env.AAL_NETWORK_DIR ?? join(repoRoot, '.network'));
  return {
    proofFile: resolve(proofFile),
    recordFile: values.has('--record') ? resolve(values.get('--record') ?? '') : undefined,
    channel: values.get('--channel') ?? 'hospital-a',
    org,
    role: values.get('--role') ?? 'auditor',
    profileFile: resolve(values.get('--profile') ?? join(networkDir, 'orgs', org, 'gateway-profile.json')),
  };
}
