/**
 * The parts of a channel configuration (`common.Config` as configtxlator's JSON) this tool reads and
 * changes: the application orgs' MSP definitions. Everything else passes through untouched.
 */
import { X509Certificate } from 'node:crypto';
import { revokedSerials } from './certificate-revocation-list';
import { NetworkError } from './errors';

/** An org's MSP definition in a channel config (`FabricMSPConfig`), fields as configtxlator names them. */
export interface MspDefinitionJson {
  name: string;
  /** Base64 of PEM certificates. */
  root_certs?: string[];
  /** Base64 of PEM CRLs. */
  revocation_list?: string[];
  [field: string]: unknown;
}

/** `common.Config` JSON: only the path to the application orgs is typed. */
export interface ChannelConfigJson {
  channel_group: {
    groups: {
      Application: {
        groups: Record<string, { values: { MSP: { value: { config: MspDefinitionJson } } } }>;
      };
    };
  };
  [field: string]: unknown;
}

/** The application orgs of a channel config, by their config group name, with their MSP definitions. */
export function applicationOrgs(config: ChannelConfigJson): { group: string; msp: MspDefinitionJson }[] {
  const groups = config.channel_group?.groups?.Application?.groups;
  if (groups === undefined) throw new NetworkError('COMMAND_FAILED', 'the channel config has no Application group');
  return Object.entries(groups).map(([group, value]) => ({ group, msp: value.values.MSP.value.config }));
}

/** The MSP definition of the application org with MSP id `mspId`; throws naming the members when absent. */
export function mspDefinition(config: ChannelConfigJson, channel: string, mspId: string): MspDefinitionJson {
  const orgs = applicationOrgs(config);
  const found = orgs.find((org) => org.msp.name === mspId);
  if (found === undefined)
    throw new NetworkError(
      'INVALID_CONFIG',
      `${mspId} is not a member of channel ${channel} (members: ${orgs.map((org) => org.msp.name).join(', ')})`,
    );
  return found.msp;
}

/** The MSP ids of the channel's application orgs, sorted. */
export function memberMspIds(config: ChannelConfigJson): string[] {
  return applicationOrgs(config)
    .map((org) => org.msp.name)
    .sort();
}

/**
 * Whether `certificatePem` is an admin of `mspId` by this channel config: issued by one of the org's
 * root certificates in the config (its Application-group MSP, or its Orderer-group one where it
 * only orders the channel: a channel holds one definition per MSP) and carrying the NodeOU `admin`
 * (OU=admin) that the org's `Admins` policy (`OR('<MSP>.admin')`) requires.
 */
export function isChannelAdmin(config: ChannelConfigJson, mspId: string, certificatePem: string): boolean {
  const msp =
    applicationOrgs(config).find((candidate) => candidate.msp.name === mspId)?.msp ?? ordererOrgMsps(config, mspId)[0];
  if (msp === undefined) return false;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return false;
  }
  if (!/^OU=admin$/m.test(certificate.subject)) return false;
  return (msp.root_certs ?? []).some((root) => {
    try {
      return certificate.checkIssued(new X509Certificate(Buffer.from(root, 'base64')));
    } catch {
      return false;
    }
  });
}

/**
 * A copy of `config` in which `mspId`'s MSP definition has exactly `crls` (PEM texts) as its
 * `revocation_list`; the CA's CRL lists every certificate it revoked, so it replaces the old one.
 */
export function withRevocationList(
  config: ChannelConfigJson,
  channel: string,
  mspId: string,
  crls: readonly string[],
): ChannelConfigJson {
  const updated = structuredClone(config);
  const revocationList = crls.map((pem) => Buffer.from(pem, 'utf8').toString('base64'));
  mspDefinition(updated, channel, mspId).revocation_list = revocationList;
  // With bft ordering the org runs an orderer node and its MSP is in the Orderer group too: Fabric
  // refuses two different definitions of one MSP in a channel, so both change in the same update.
  for (const msp of ordererOrgMsps(updated, mspId)) msp.revocation_list = [...revocationList];
  return updated;
}

/** The serial numbers (hex) the CRLs of an MSP definition in a channel config revoke. */
export function mspRevokedSerials(msp: MspDefinitionJson): string[] {
  return (msp.revocation_list ?? []).flatMap((encoded) =>
    revokedSerials(Buffer.from(encoded, 'base64').toString('utf8')),
  );
}

/**
 * A copy of `config` whose Orderer group gives `mspId`'s MSP these CRLs: on a channel the org orders
 * (bft) without being a member, where its MSP is in the Orderer group alone. Refuses when it is not there.
 */
export function withOrdererRevocationList(
  config: ChannelConfigJson,
  channel: string,
  mspId: string,
  crls: readonly string[],
): ChannelConfigJson {
  const updated = structuredClone(config);
  const msps = ordererOrgMsps(updated, mspId);
  if (msps.length === 0)
    throw new NetworkError('INVALID_CONFIG', `${mspId} runs no orderer node of channel ${channel}`);
  for (const msp of msps) msp.revocation_list = crls.map((pem) => Buffer.from(pem, 'utf8').toString('base64'));
  return updated;
}

/** The orgs of the channel's Orderer group: their config group names and MSP ids. */
export function ordererOrgGroups(config: ChannelConfigJson): { group: string; mspId: string | undefined }[] {
  return Object.entries(ordererGroups(config)).map(([group, value]) => ({
    group,
    mspId: value.values?.MSP?.value?.config?.name,
  }));
}

/** The Orderer group's org groups as configtxlator's JSON (none on a config without an Orderer group). */
function ordererGroups(
  config: ChannelConfigJson,
): Record<string, { values?: { MSP?: { value?: { config?: MspDefinitionJson } } } }> {
  const groups = (
    config.channel_group.groups as {
      Orderer?: { groups?: Record<string, { values?: { MSP?: { value?: { config?: MspDefinitionJson } } } }> };
    }
  ).Orderer?.groups;
  return groups ?? {};
}

/** The MSP definitions of `mspId` in the channel's Orderer group (one with `bft` ordering, none with Raft's orderer org). */
export function ordererOrgMsps(config: ChannelConfigJson, mspId: string): MspDefinitionJson[] {
  return Object.values(ordererGroups(config))
    .map((group) => group.values?.MSP?.value?.config)
    .filter((msp): msp is MspDefinitionJson => msp?.name === mspId);
}

/**
 * A copy of `config` with `group` (an org's config group, e.g. from {@link memberOrgGroup}) added as
 * application org `name`, and its revocation list given to the org's MSP in the Orderer group if it
 * has one there (bft); refuses an MSP id or group name the channel already has.
 */
export function withMember(
  config: ChannelConfigJson,
  channel: string,
  name: string,
  mspId: string,
  group: Record<string, unknown>,
): ChannelConfigJson {
  const orgs = applicationOrgs(config);
  if (orgs.some((org) => org.msp.name === mspId || org.group === name))
    throw new NetworkError('INVALID_CONFIG', `${name} (${mspId}) is already a member of channel ${channel}`);
  // An org that orders the channel (bft) joins it under the same name and MSP id, or not at all.
  const orderers = ordererOrgGroups(config);
  const sameName = orderers.find((org) => org.group === name);
  const sameMsp = orderers.find((org) => org.mspId === mspId);
  if ((sameName !== undefined && sameName.mspId !== mspId) || (sameMsp !== undefined && sameMsp.group !== name))
    throw new NetworkError(
      'INVALID_CONFIG',
      `${name} (${mspId}) clashes with ${(sameName ?? sameMsp)?.group} (${(sameName ?? sameMsp)?.mspId}), which orders ` +
        `channel ${channel}: a group name and an MSP id name one org`,
    );
  const updated = structuredClone(config);
  updated.channel_group.groups.Application.groups[name] = structuredClone(
    group,
  ) as unknown as ChannelConfigJson['channel_group']['groups']['Application']['groups'][string];
  // With bft ordering the org's MSP is in the Orderer group already: one definition per channel, so
  // the revocation list the new group brings (its exported CRLs) goes there too.
  const crls = mspDefinition(updated, channel, mspId).revocation_list;
  for (const msp of ordererOrgMsps(updated, mspId)) {
    if (crls === undefined) delete msp.revocation_list;
    else msp.revocation_list = [...crls];
  }
  return updated;
}

/**
 * A copy of `config` without application org `mspId`; refuses a non-member, and the removal of the
 * last member (a channel nobody could administer).
 */
export function withoutMember(config: ChannelConfigJson, channel: string, mspId: string): ChannelConfigJson {
  const orgs = applicationOrgs(config);
  const member = orgs.find((org) => org.msp.name === mspId);
  if (member === undefined) mspDefinition(config, channel, mspId);
  if (orgs.length === 1)
    throw new NetworkError('INVALID_CONFIG', `${mspId} is the last member of channel ${channel}: it cannot be removed`);
  const updated = structuredClone(config);
  delete updated.channel_group.groups.Application.groups[member?.group ?? ''];
  return updated;
}
