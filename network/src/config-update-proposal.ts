/**
 * A channel configuration update proposal on disk: the config update envelope (`<name>.pb`, what
 * admins sign and `peer channel update` sends) and its sidecar (`<name>.pb.json`), a small JSON file
 * saying what the update changes, for the admins who are asked to sign it. Both hold public material
 * only: certificates, a CRL, channel names; never a private key.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { NetworkError } from './errors';
import { verifyOrgDefinition, type OrgDefinition } from './org-definition';

/** The sidecar's format marker; a file without it is not a proposal of this tool. */
export const PROPOSAL_FORMAT = 'aal-config-update/1';

/** An update that puts an org's certificate revocation list into its MSP definition. */
export interface RevocationListChange {
  readonly kind: 'revocation-list';
  /** The org (MSP id) whose MSP definition gets the CRL. */
  readonly org: string;
  /** The enrollment id revoked by this run, if any (a re-run only republishes the CA's CRL). */
  readonly revokedUser?: string;
  readonly reason?: string;
  /** Serial numbers (hex) of every certificate the CRL revokes. */
  readonly revokedSerials: readonly string[];
  /** SHA-256 (hex) of the CRL (PEM) the update puts into the MSP's `revocation_list`. */
  readonly crlSha256: string;
}

/** An org joins the channel as a member, from the public definition it exported. */
export interface AddMemberChange {
  readonly kind: 'add-member';
  /** The joining org's MSP id. */
  readonly org: string;
  /** Its exported definition (public material only), from which the org's config group is built. */
  readonly definition: OrgDefinition;
}

/** A member org leaves the channel: its identities are no longer readers, writers or endorsers there. */
export interface RemoveMemberChange {
  readonly kind: 'remove-member';
  /** The leaving org's MSP id. */
  readonly org: string;
}

export type ConfigChange = RevocationListChange | AddMemberChange | RemoveMemberChange;

/** The change kinds a proposal may carry. */
export const CONFIG_CHANGE_KINDS = ['revocation-list', 'add-member', 'remove-member'] as const;

/** The sidecar of a proposal. */
export interface ProposalSidecar {
  readonly format: typeof PROPOSAL_FORMAT;
  readonly channel: string;
  /** MSP id of the org whose admin computed the update. */
  readonly proposedBy: string;
  /** Number of the config block the update was computed against: a later config change makes it stale. */
  readonly baseConfigBlock: number;
  readonly change: ConfigChange;
}

/** The sidecar file of a proposal envelope file. */
export function sidecarPath(proposalFile: string): string {
  return `${proposalFile}.json`;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const HEX_SERIAL = /^[0-9a-f]+$/i;

/**
 * Checks that `value` (the parsed sidecar) is a proposal sidecar of this tool, naming the first thing
 * wrong; returns it typed.
 */
export function parseSidecar(value: unknown, where = 'the sidecar'): ProposalSidecar {
  const fail = (what: string): never => {
    throw new NetworkError('INVALID_CONFIG', `${where} is not a configuration update proposal: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.format !== PROPOSAL_FORMAT) fail(`format is not '${PROPOSAL_FORMAT}'`);
  if (!isString(record.channel)) fail('no channel');
  if (!isString(record.proposedBy)) fail('no proposedBy');
  if (!Number.isInteger(record.baseConfigBlock) || (record.baseConfigBlock as number) < 0)
    fail('baseConfigBlock is not a block number');
  const change = record.change as Record<string, unknown> | null | undefined;
  if (typeof change !== 'object' || change === null) return fail('no change');
  if (!(CONFIG_CHANGE_KINDS as readonly unknown[]).includes(change.kind))
    fail(`unknown change kind '${String(change.kind)}'`);
  if (!isString(change.org)) fail('change.org missing');
  const allowedFields: Record<ConfigChange['kind'], readonly string[]> = {
    'revocation-list': ['kind', 'org', 'revokedUser', 'reason', 'revokedSerials', 'crlSha256'],
    'add-member': ['kind', 'org', 'definition'],
    'remove-member': ['kind', 'org'],
  };
  const kind = change.kind as ConfigChange['kind'];
  const strayField = Object.keys(change).find((key) => !allowedFields[kind].includes(key));
  if (strayField !== undefined) fail(`change.${strayField} is not a field of a ${kind} change`);
  if (kind === 'add-member') {
    let definition: OrgDefinition;
    try {
      definition = verifyOrgDefinition(JSON.stringify(change.definition ?? null));
    } catch (error) {
      return fail(`change.definition: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (definition.mspId !== change.org)
      fail(`change.org ${String(change.org)} is not the definition's ${definition.mspId}`);
  }
  if (kind === 'revocation-list') {
    if (change.revokedUser !== undefined && !isString(change.revokedUser)) fail('change.revokedUser is not a name');
    if (change.reason !== undefined && typeof change.reason !== 'string') fail('change.reason is not text');
    if (!Array.isArray(change.revokedSerials) || !change.revokedSerials.every((s) => isString(s) && HEX_SERIAL.test(s)))
      fail('change.revokedSerials is not a list of hex serial numbers');
    if (!isString(change.crlSha256) || !HEX_SHA256.test(change.crlSha256)) fail('change.crlSha256 is not a SHA-256');
  }
  const known = new Set(['format', 'channel', 'proposedBy', 'baseConfigBlock', 'change']);
  const unknown = Object.keys(record).filter((key) => !known.has(key));
  if (unknown.length > 0) fail(`unknown field(s) ${unknown.join(', ')}`);
  return value as ProposalSidecar;
}

/** Reads and checks a proposal's sidecar; a missing or malformed one is a clear error. */
export function readSidecar(proposalFile: string): ProposalSidecar {
  if (!existsSync(proposalFile)) throw new NetworkError('INVALID_CONFIG', `no proposal file ${proposalFile}`);
  const file = sidecarPath(proposalFile);
  if (!existsSync(file))
    throw new NetworkError(
      'INVALID_CONFIG',
      `${proposalFile} is not a configuration update proposal: its sidecar ${file} is missing`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new NetworkError('INVALID_CONFIG', `${file} is not a configuration update proposal: not JSON`);
  }
  return parseSidecar(parsed, file);
}

/** Writes a proposal's sidecar (pretty JSON: admins read it before signing). */
export function writeSidecar(proposalFile: string, sidecar: ProposalSidecar): void {
  writeFileSync(sidecarPath(proposalFile), `${JSON.stringify(parseSidecar(sidecar), null, 2)}\n`);
}
