/**
 * In a member's own directory the other members are known only from the public definitions they
 * exported. Importing one checks that it belongs in this consortium — an org of the topology other
 * than this directory's own, with its nodes at the addresses the consortium's port plan gives them —
 * and writes its public files where the layout names them (its channel MSP for configtxgen, its TLS
 * root for dialling its nodes, its orderer node's certificates for the consenter mapping).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkError } from './errors';
import { address, type Endpoint, type NetworkLayout } from './layout';
import { writeDefinitionMsp } from './member-org-group';
import { verifyOrgDefinition, type OrgDefinition } from './org-definition';
import { PEER_ORGS, type OrgSpec } from './topology';

/** The file name an exported definition has in a hand-over folder (`export`'s default name). */
export const DEFINITION_FILE_SUFFIX = '.definition.json';

/** The layout's own org, refusing on the development network (where every org is local). */
export function memberOf(layout: NetworkLayout, what: string): OrgSpec {
  const member = layout.member;
  if (member === undefined)
    throw new NetworkError(
      'INVALID_CONFIG',
      `${what} runs in a member's own directory (created by 'npm run org -- init'); ${layout.dir} holds the whole development network`,
    );
  return member;
}

/** Every definition in a hand-over folder (`*.definition.json`), each checked as `verify-definition` does. */
export function readDefinitionsFolder(dir: string): OrgDefinition[] {
  if (!existsSync(dir)) throw new NetworkError('INVALID_CONFIG', `hand-over folder ${dir} does not exist`);
  return readdirSync(dir)
    .filter((name) => name.endsWith(DEFINITION_FILE_SUFFIX))
    .sort()
    .map((name) => {
      try {
        return verifyOrgDefinition(readFileSync(join(dir, name), 'utf8'));
      } catch (error) {
        throw new NetworkError('INVALID_CONFIG', `${join(dir, name)}: ${(error as Error).message}`, { cause: error });
      }
    });
}

function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  return a.length === b.length && a.every((endpoint, i) => address(endpoint) === address(b[i] as Endpoint));
}

/**
 * Checks `definition` against this member directory's consortium and returns its org; refuses
 * naming what differs: an org outside the topology, the directory's own org, endpoints other than
 * the port plan's (the members must agree on AAL_BASE_PORT and AAL_ORG_HOSTS), a missing or
 * misplaced orderer node with `bft`, or another definition than one imported before for the org.
 */
export function checkMemberDefinition(layout: NetworkLayout, definition: OrgDefinition): OrgSpec {
  const own = memberOf(layout, 'importing a member definition');
  const org = PEER_ORGS.find((candidate) => candidate.mspId === definition.mspId);
  if (org === undefined || org.name !== definition.name)
    throw new NetworkError(
      'INVALID_CONFIG',
      `${definition.name} (${definition.mspId}) is not a member of this consortium (${PEER_ORGS.map((o) => o.mspId).join(', ')})`,
    );
  if (org.mspId === own.mspId)
    throw new NetworkError('INVALID_CONFIG', `${definition.mspId} is this directory's own org: it is not imported`);
  const anchors = [layout.peerEndpoint(org)];
  if (!sameEndpoints(definition.anchorPeers, anchors))
    throw new NetworkError(
      'INVALID_CONFIG',
      `${definition.name}'s definition names anchor peer ${definition.anchorPeers.map(address).join(', ')}, but this ` +
        `consortium's port plan puts its peer at ${anchors.map(address).join(', ')}: every member uses the same ` +
        `AAL_BASE_PORT and AAL_ORG_HOSTS`,
    );
  const i = layout.memberOrdererIndex(org);
  if (i !== undefined) {
    const node = definition.ordererNode;
    if (node === undefined)
      throw new NetworkError(
        'INVALID_CONFIG',
        `${definition.name}'s definition names no orderer node, but with bft ordering every member runs one: ` +
          `export it from its directory after 'npm run org -- init' on a bft network`,
      );
    if (address(node.endpoint) !== address(layout.ordererEndpoint(i)))
      throw new NetworkError(
        'INVALID_CONFIG',
        `${definition.name}'s orderer node is at ${address(node.endpoint)}, but this consortium's port plan puts it ` +
          `at ${address(layout.ordererEndpoint(i))}`,
      );
  }
  const previous = importedDefinition(layout, org);
  if (previous !== undefined && previous.digest !== definition.digest)
    throw new NetworkError(
      'INVALID_CONFIG',
      `${definition.name} was imported before as ${previous.digest}, and this definition is ${definition.digest}: ` +
        `an imported definition (roots, TLS roots, NodeOU rules, CRLs, nodes) does not change silently; remove ` +
        `${layout.memberDefinitionDir(org)} only once its fingerprints were confirmed with ${definition.name} again`,
    );
  return org;
}

/** Imports another member's definition into this member directory (see the module comment); returns its org. */
export function importMemberDefinition(layout: NetworkLayout, definition: OrgDefinition): OrgSpec {
  const org = checkMemberDefinition(layout, definition);
  const dir = layout.memberDefinitionDir(org);
  mkdirSync(dir, { recursive: true });
  writeDefinitionMsp(definition, layout.orgMsp(org));
  writeFileSync(layout.tlsRootCert(org), definition.tlsRootCerts.join(''));
  const i = layout.memberOrdererIndex(org);
  if (i !== undefined && definition.ordererNode !== undefined) {
    writeFileSync(layout.ordererSignCert(i), definition.ordererNode.identityCert);
    writeFileSync(layout.ordererTlsCert(i), definition.ordererNode.tlsCert);
  }
  writeFileSync(join(dir, 'definition.json'), `${JSON.stringify(definition, null, 2)}\n`);
  return org;
}

/** The definition imported for `org` into this member directory, if any. */
export function importedDefinition(layout: NetworkLayout, org: OrgSpec): OrgDefinition | undefined {
  const file = join(layout.memberDefinitionDir(org), 'definition.json');
  return existsSync(file) ? verifyOrgDefinition(readFileSync(file, 'utf8')) : undefined;
}

/**
 * Imports the definitions of a hand-over folder: every other member's (the directory's own org's
 * export, also in the folder, is skipped). Returns the orgs imported.
 */
export function importHandOverFolder(layout: NetworkLayout, dir: string): OrgSpec[] {
  const own = memberOf(layout, 'importing member definitions');
  return (
    readDefinitionsFolder(dir)
      .filter((definition) => definition.mspId !== own.mspId)
      // A new member's definition is not a founder's: the channels take it by the update adding it (propose-add).
      .filter((definition) => PEER_ORGS.some((org) => org.mspId === definition.mspId))
      .map((definition) => importMemberDefinition(layout, definition))
  );
}

/**
 * Refuses unless this directory can reach the ordering service: its own org runs an orderer node,
 * or the definition of a founding member that runs one is imported (what an org that joins later
 * fetches its channels' blocks from).
 */
export function requireOrderingReachable(layout: NetworkLayout, what: string): void {
  const own = memberOf(layout, what);
  const founding = layout.foundingOrdererIndexes();
  const ownIndex = layout.memberOrdererIndex(own);
  if (ownIndex !== undefined && founding.includes(ownIndex)) return;
  const reachable = founding.some((i) => importedDefinition(layout, layout.ordererOrg(i)) !== undefined);
  if (!reachable)
    throw new NetworkError(
      'NOT_INITIALISED',
      `${what} needs the founding members' exported definitions, to reach their orderer nodes: put their ` +
        `'<slug>${DEFINITION_FILE_SUFFIX}' files in the hand-over folder`,
    );
}

/** Refuses unless every member org other than this directory's own has an imported definition. */
export function requireAllMembersImported(layout: NetworkLayout, what: string): void {
  const own = memberOf(layout, what);
  const missing = PEER_ORGS.filter((org) => org.mspId !== own.mspId && importedDefinition(layout, org) === undefined);
  if (missing.length > 0)
    throw new NetworkError(
      'NOT_INITIALISED',
      `${what} needs every member's exported definition; missing: ${missing.map((org) => org.name).join(', ')} ` +
        `(put their '<slug>${DEFINITION_FILE_SUFFIX}' files in the hand-over folder)`,
    );
}
