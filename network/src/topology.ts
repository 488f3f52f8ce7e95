/**
 * Who is in the consortium and which channels they share. Everything else (ports, paths,
 * channel configuration) is derived from this, so the consortium is described once.
 */
import { ROLES, type Role } from '@aal/ledger-contract';

export interface OrgSpec {
  /** Display name, also the configtx organisation name. */
  readonly name: string;
  readonly mspId: string;
  /** File-system and host-name friendly form of the name. */
  readonly slug: string;
  /** Position used to derive this org's ports; unique across all orgs. */
  readonly index: number;
}

export interface ChannelSpec {
  readonly name: string;
  readonly orgs: readonly OrgSpec[];
}

export const ORDERER_ORG: OrgSpec = { name: 'OrdererOrg', mspId: 'OrdererMSP', slug: 'orderer-org', index: 0 };

export const HOSPITAL_A: OrgSpec = { name: 'HospitalA', mspId: 'HospitalAMSP', slug: 'hospital-a', index: 1 };
export const HOSPITAL_B: OrgSpec = { name: 'HospitalB', mspId: 'HospitalBMSP', slug: 'hospital-b', index: 2 };
export const AI_PROVIDER: OrgSpec = { name: 'AIProvider', mspId: 'AIProviderMSP', slug: 'ai-provider', index: 3 };
export const REGULATOR: OrgSpec = { name: 'Regulator', mspId: 'RegulatorMSP', slug: 'regulator', index: 4 };

/** Orgs that run a peer, a chaincode server and an application instance. */
export const PEER_ORGS: readonly OrgSpec[] = [HOSPITAL_A, HOSPITAL_B, AI_PROVIDER, REGULATOR];

/** One channel per hospital; the AI provider and the regulator are on both. */
export const CHANNELS: readonly ChannelSpec[] = [
  { name: 'hospital-a', orgs: [HOSPITAL_A, AI_PROVIDER, REGULATOR] },
  { name: 'hospital-b', orgs: [HOSPITAL_B, AI_PROVIDER, REGULATOR] },
];

/**
 * Roles carried as the `role` attribute in application users' certificates: one Fabric user per
 * role and org. The roles themselves are the contract's (declared once in `@aal/ledger-contract`).
 */
export const APP_ROLES: typeof ROLES = ROLES;
export type AppRole = Role;

/** The chaincode name every channel uses. */
export const CHAINCODE_NAME = 'audit';

export function channelsOf(org: OrgSpec): ChannelSpec[] {
  return CHANNELS.filter((channel) => channel.orgs.some((member) => member.mspId === org.mspId));
}

export function orgBySlug(slug: string): OrgSpec {
  const org = [ORDERER_ORG, ...PEER_ORGS].find((candidate) => candidate.slug === slug);
  if (!org) throw new Error(`unknown organisation '${slug}'`);
  return org;
}
