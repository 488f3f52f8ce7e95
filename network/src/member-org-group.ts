/**
 * A member org's channel config group (`common.ConfigGroup` as configtxlator's JSON), built from the
 * public definition it exported: the same entry the network's own channels give their founding
 * members ({@link memberOrganisation}), turned into a config group by Fabric's own `configtxgen
 * -printOrg`, as Fabric's documentation adds an org to a channel.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FabricBinaries } from './binaries';
import { CHANNEL_CAPABILITIES, memberOrganisation, ordererMemberOrganisation } from './channel-config';
import { run } from './command';
import { NetworkError } from './errors';
import type { OrgDefinition } from './org-definition';

/** An application org's config group: opaque apart from what this tool checks. */
export type OrgGroupJson = Record<string, unknown>;

/**
 * Writes the definition's channel MSP folder as configtxgen reads it: root and TLS root certificates,
 * NodeOU rules and CRLs. It holds no key: a definition has none.
 */
export function writeDefinitionMsp(definition: OrgDefinition, msp: string): void {
  rmSync(msp, { recursive: true, force: true });
  mkdirSync(join(msp, 'cacerts'), { recursive: true });
  mkdirSync(join(msp, 'tlscacerts'), { recursive: true });
  // The exported NodeOU rules name the first root as cacerts/ca.pem (how the org's CA writes its MSP).
  definition.rootCerts.forEach((pem, i) =>
    writeFileSync(join(msp, 'cacerts', i === 0 ? 'ca.pem' : `ca-${i}.pem`), pem),
  );
  definition.tlsRootCerts.forEach((pem, i) => writeFileSync(join(msp, 'tlscacerts', `tlsca-${i}.pem`), pem));
  writeFileSync(join(msp, 'config.yaml'), definition.nodeOUs);
  // configtxgen puts the MSP folder's CRLs into the group's revocation_list.
  if (definition.revocationLists !== undefined) {
    mkdirSync(join(msp, 'crls'), { recursive: true });
    definition.revocationLists.forEach((pem, i) => writeFileSync(join(msp, 'crls', `crl-${i}.pem`), pem));
  }
}

/**
 * Materialises the definition as an MSP folder (certificates, CRLs and NodeOU rules only: it holds no
 * key) and asks configtxgen for the config group of the configtx.yaml entry `entry` makes of it.
 */
async function printOrgGroup(
  binaries: FabricBinaries,
  definition: OrgDefinition,
  entry: (mspDir: string) => Record<string, unknown>,
): Promise<OrgGroupJson> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-org-group-'));
  try {
    const msp = join(dir, 'msp');
    writeDefinitionMsp(definition, msp);
    // An orderer org's group depends on the channel capabilities (configtxgen reads the top-level ones).
    const configtx = { Organizations: [entry(msp)], Capabilities: { Channel: CHANNEL_CAPABILITIES } };
    writeFileSync(join(dir, 'configtx.yaml'), stringify(configtx));
    let stdout: string;
    try {
      ({ stdout } = await run(binaries.configtxgen, ['-configPath', dir, '-printOrg', definition.name]));
    } catch (error) {
      throw new NetworkError(
        'INVALID_CONFIG',
        `${definition.name}'s definition does not make a valid MSP: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return JSON.parse(stdout) as OrgGroupJson;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The org's config group in a channel's Application group, from its definition. */
export async function memberOrgGroup(binaries: FabricBinaries, definition: OrgDefinition): Promise<OrgGroupJson> {
  return printOrgGroup(binaries, definition, (mspDir) =>
    memberOrganisation({
      name: definition.name,
      mspId: definition.mspId,
      mspDir,
      anchorPeers: definition.anchorPeers,
    }),
  );
}

/**
 * The org's config group in a channel's Orderer group (`bft`), from its definition: the same entry
 * the founders' channels give each member's orderer node ({@link ordererMemberOrganisation}).
 * Refuses a definition that names no orderer node.
 */
export async function memberOrdererOrgGroup(
  binaries: FabricBinaries,
  definition: OrgDefinition,
): Promise<OrgGroupJson> {
  const node = definition.ordererNode;
  if (node === undefined)
    throw new NetworkError('INVALID_CONFIG', `${definition.name}'s definition names no orderer node`);
  return printOrgGroup(binaries, definition, (mspDir) =>
    ordererMemberOrganisation({ name: definition.name, mspId: definition.mspId, mspDir, endpoint: node.endpoint }),
  );
}
