import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { revokedSerials } from './certificate-revocation-list';
import { NetworkError } from './errors';
import type { Endpoint, NetworkLayout } from './layout';
import type { OrgSpec } from './topology';

/**
 * An org's public definition: what a member hands to the consortium so that its org can be
 * written into channel configurations — its MSP's root and TLS root certificates, its NodeOU
 * rules, its anchor peers, and its CA's revocation list once it revoked something. Public by
 * construction: it is assembled from the org's channel MSP (certificates and CRLs only), its
 * orderer node's certificates (`bft`) and its layout, and refused if anything that looks like a private key is in it. The other members check
 * the root certificates' fingerprints with the org out of band (a call, a signed letter): the
 * file's own digest only catches a damaged or edited file.
 */
export interface OrgDefinition {
  readonly format: typeof ORG_DEFINITION_FORMAT;
  readonly name: string;
  readonly mspId: string;
  /** PEM certificates of the org's CA: identities the org issues chain to one of them. */
  readonly rootCerts: readonly string[];
  /** PEM certificates of the CA that issues the org's TLS certificates. */
  readonly tlsRootCerts: readonly string[];
  /** The MSP's `config.yaml` (NodeOUs: client, peer, admin, orderer by OU, issued by the root). */
  readonly nodeOUs: string;
  /** The org's anchor peers: where other orgs' peers reach it for gossip. */
  readonly anchorPeers: readonly Endpoint[];
  /**
   * PEM CRLs of the org's CA (`revoke` keeps the latest in the org's channel MSP), so that a channel
   * the org joins later refuses what it revoked; absent when it revoked nothing.
   */
  readonly revocationLists?: readonly string[];
  /**
   * The org's own orderer node, when the consortium's members run the ordering service (`bft`):
   * where it listens, its signing certificate (what a channel's consenter mapping names and block
   * signatures are checked against) and its TLS certificate. Both are issued by the org's roots.
   */
  readonly ordererNode?: OrdererNodeDefinition;
  /** `sha256:<hex>` of the definition's other fields as canonical JSON. */
  readonly digest: string;
}

/** A member's orderer node as its definition names it. */
export interface OrdererNodeDefinition {
  readonly endpoint: Endpoint;
  /** PEM signing certificate of the node (NodeOU `orderer`), issued by one of the definition's `rootCerts`. */
  readonly identityCert: string;
  /** PEM TLS certificate of the node, issued by one of the definition's `tlsRootCerts`. */
  readonly tlsCert: string;
}

/** The format tag of an exported definition (a later format gets a new tag). */
export const ORG_DEFINITION_FORMAT = 'aal-org-definition/1';

/** What a private key looks like in PEM or in an exported JSON: never allowed in a definition. */
const PRIVATE_KEY_MARKER = /PRIVATE KEY/;

/** MSP ids as this tool names orgs (`HospitalAMSP`): what a definition and the org commands accept. */
export const ORG_MSP_ID_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}MSP$/;
/** An org's display (configtx) name. */
export const ORG_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

type DefinitionContent = Omit<OrgDefinition, 'digest'>;

/** Canonical JSON of the content: keys sorted, no spaces (what the digest covers). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function digestOf(content: DefinitionContent): string {
  return `sha256:${createHash('sha256').update(canonical(content)).digest('hex')}`;
}

/** PEM files of a folder of the org's channel MSP, in name order. */
function pemFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.pem'))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'));
}

/**
 * The public definition of `org` on this host, from its channel MSP (`layout.orgMsp`) and its
 * anchor peer's endpoint. Checked like an imported one ({@link verifyOrgDefinition}) before it is
 * returned, so an export is never something an import would refuse.
 */
export function exportOrgDefinition(layout: NetworkLayout, org: OrgSpec): OrgDefinition {
  const msp = layout.orgMsp(org);
  const content: DefinitionContent = {
    format: ORG_DEFINITION_FORMAT,
    name: org.name,
    mspId: org.mspId,
    rootCerts: pemFiles(join(msp, 'cacerts')),
    tlsRootCerts: pemFiles(join(msp, 'tlscacerts')),
    nodeOUs: readFileSync(join(msp, 'config.yaml'), 'utf8'),
    anchorPeers: [layout.peerEndpoint(org)],
    ...revocationListsOf(join(msp, 'crls')),
    ...ordererNodeOf(layout, org),
  };
  return verifyOrgDefinition(JSON.stringify({ ...content, digest: digestOf(content) }));
}

/** `{ ordererNode }` when the org runs an orderer node of the members' ordering service, else nothing. */
function ordererNodeOf(layout: NetworkLayout, org: OrgSpec): { ordererNode?: OrdererNodeDefinition } {
  const i = layout.memberOrdererIndex(org);
  if (i === undefined) return {};
  return {
    ordererNode: {
      endpoint: layout.ordererEndpoint(i),
      identityCert: readFileSync(layout.ordererSignCert(i), 'utf8'),
      tlsCert: readFileSync(layout.ordererTlsCert(i), 'utf8'),
    },
  };
}

/** `{ revocationLists }` from the MSP's `crls` folder, or nothing when it holds none. */
function revocationListsOf(dir: string): { revocationLists?: string[] } {
  if (!existsSync(dir)) return {};
  const crls = pemFiles(dir);
  return crls.length === 0 ? {} : { revocationLists: crls };
}

/** A PEM CRL: one `X509 CRL` block that parses as a revocation list. */
function verifyCrl(field: string, pem: unknown): string {
  if (typeof pem !== 'string' || !/^-----BEGIN X509 CRL-----\n[A-Za-z0-9+/=\n]+-----END X509 CRL-----\n?$/.test(pem))
    refuse(field, 'is not a PEM certificate revocation list');
  try {
    revokedSerials(pem);
  } catch {
    refuse(field, 'is not a PEM certificate revocation list');
  }
  return pem;
}

/** The SHA-256 fingerprint of a PEM certificate, as `openssl x509 -fingerprint -sha256` prints it. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** Refuses with what is wrong in an org definition, naming the field. */
function refuse(field: string, problem: string): never {
  throw new NetworkError('INVALID_CONFIG', `org definition: ${field} ${problem}`);
}

/** A root certificate: parses, is a CA, and signed itself (a root, not an intermediate). */
function verifyRoot(field: string, pem: unknown): string {
  if (typeof pem !== 'string') refuse(field, 'is not a PEM certificate');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    refuse(field, 'is not a PEM certificate');
  }
  if (!certificate.ca) refuse(field, `is not a CA certificate (${certificate.subject.replace(/\n/g, ', ')})`);
  if (!certificate.checkIssued(certificate) || !certificate.verify(certificate.publicKey))
    refuse(field, 'is not a self-signed root certificate');
  return pem;
}

/** An endpoint: a host name or IP address and a port. */
function verifyEndpoint(field: string, endpoint: unknown): Endpoint {
  const { host, port } = (endpoint ?? {}) as { host?: unknown; port?: unknown };
  if (typeof host !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host))
    refuse(`${field}.host`, 'must be a host name or IP address');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535)
    refuse(`${field}.port`, 'must be a port number');
  return { host, port };
}

/** A leaf certificate issued (and signed) by one of `roots`. */
function verifyIssuedBy(field: string, pem: unknown, roots: readonly string[], rootsField: string): X509Certificate {
  let certificate: X509Certificate;
  try {
    if (typeof pem !== 'string') throw new Error('not text');
    certificate = new X509Certificate(pem);
  } catch {
    refuse(field, 'is not a PEM certificate');
  }
  if (certificate.ca) refuse(field, 'is a CA certificate, not a node’s');
  const issued = roots.some((root) => {
    const issuer = new X509Certificate(root);
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  });
  if (!issued) refuse(field, `is not issued by the definition's ${rootsField}`);
  return certificate;
}

/** The orderer node: its endpoint, an `orderer` signing certificate from the org's root, a TLS certificate from its TLS root. */
function verifyOrdererNode(
  value: unknown,
  rootCerts: readonly string[],
  tlsRootCerts: readonly string[],
): OrdererNodeDefinition {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) refuse('ordererNode', 'must be an object');
  const node = value as Record<string, unknown>;
  const unknown = Object.keys(node).filter((key) => !['endpoint', 'identityCert', 'tlsCert'].includes(key));
  if (unknown.length > 0) refuse(`ordererNode.${unknown[0] ?? ''}`, 'is not a field of an orderer node');
  const endpoint = verifyEndpoint('ordererNode.endpoint', node['endpoint']);
  const identity = verifyIssuedBy('ordererNode.identityCert', node['identityCert'], rootCerts, 'rootCerts');
  // The channel's Orderer-group policies name the org's `orderer` role: a consenter must carry it.
  if (!/^OU=orderer$/m.test(identity.subject))
    refuse('ordererNode.identityCert', 'is not an orderer identity (OU=orderer)');
  verifyIssuedBy('ordererNode.tlsCert', node['tlsCert'], tlsRootCerts, 'tlsRootCerts');
  return { endpoint, identityCert: node['identityCert'] as string, tlsCert: node['tlsCert'] as string };
}

/**
 * Parses and checks an org definition as a member receives it: the format, the names, every root
 * certificate (a self-signed CA), NodeOU rules naming the org's root, anchor peers, no private key
 * anywhere in the file, and the digest over the content.
 * @throws NetworkError INVALID_CONFIG naming the first thing wrong
 */
export function verifyOrgDefinition(text: string): OrgDefinition {
  if (PRIVATE_KEY_MARKER.test(text)) refuse('file', 'holds a private key: it must never leave the org’s host');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    refuse('file', 'is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) refuse('file', 'is not a JSON object');
  const value = parsed as Record<string, unknown>;
  const known = [
    'format',
    'name',
    'mspId',
    'rootCerts',
    'tlsRootCerts',
    'nodeOUs',
    'anchorPeers',
    'revocationLists',
    'ordererNode',
    'digest',
  ];
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) refuse(unknown[0] ?? '', 'is not a field of an org definition');
  if (value['format'] !== ORG_DEFINITION_FORMAT) refuse('format', `must be '${ORG_DEFINITION_FORMAT}'`);
  if (typeof value['name'] !== 'string' || !ORG_NAME_PATTERN.test(value['name']))
    refuse('name', 'must be letters and digits');
  if (typeof value['mspId'] !== 'string' || !ORG_MSP_ID_PATTERN.test(value['mspId']))
    refuse('mspId', "must be letters and digits ending in 'MSP'");
  const roots = (field: 'rootCerts' | 'tlsRootCerts'): string[] => {
    const list = value[field];
    if (!Array.isArray(list) || list.length === 0 || list.length > 8) refuse(field, 'must list 1 to 8 certificates');
    return list.map((pem, index) => verifyRoot(`${field}[${index}]`, pem));
  };
  const rootCerts = roots('rootCerts');
  const tlsRootCerts = roots('tlsRootCerts');
  const nodeOUs = value['nodeOUs'];
  if (typeof nodeOUs !== 'string' || !/^NodeOUs:\n\s+Enable: true\n/.test(nodeOUs))
    refuse('nodeOUs', 'must be an MSP config.yaml enabling NodeOUs');
  for (const ou of ['client', 'peer', 'admin', 'orderer'])
    if (!new RegExp(`OrganizationalUnitIdentifier: ${ou}\\n`).test(nodeOUs)) refuse('nodeOUs', `must identify '${ou}'`);
  const anchorPeers = value['anchorPeers'];
  if (!Array.isArray(anchorPeers) || anchorPeers.length === 0 || anchorPeers.length > 8)
    refuse('anchorPeers', 'must list 1 to 8 endpoints');
  const endpoints = anchorPeers.map((endpoint: unknown, index) => verifyEndpoint(`anchorPeers[${index}]`, endpoint));
  const crls = value['revocationLists'];
  if (crls !== undefined && (!Array.isArray(crls) || crls.length === 0 || crls.length > 8))
    refuse('revocationLists', 'must list 1 to 8 CRLs when present');
  const content: DefinitionContent = {
    format: ORG_DEFINITION_FORMAT,
    name: value['name'],
    mspId: value['mspId'],
    rootCerts,
    tlsRootCerts,
    nodeOUs,
    anchorPeers: endpoints,
    ...(crls === undefined
      ? {}
      : { revocationLists: crls.map((pem: unknown, index) => verifyCrl(`revocationLists[${index}]`, pem)) }),
    ...(value['ordererNode'] === undefined
      ? {}
      : { ordererNode: verifyOrdererNode(value['ordererNode'], rootCerts, tlsRootCerts) }),
  };
  const expected = digestOf(content);
  if (value['digest'] !== expected)
    refuse('digest', `does not match the content (the file was changed after export; expected ${expected})`);
  return { ...content, digest: expected };
}
