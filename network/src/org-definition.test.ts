import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkLayout } from './layout';
import { certificateFingerprint, exportOrgDefinition, verifyOrgDefinition, type OrgDefinition } from './org-definition';
import { ONE_REVOKED } from './certificate-revocation-list.fixture';
import {
  exportedBftDefinitionFixture,
  exportedDefinitionFixture,
  issuedCertificate,
  selfSignedCertificate,
} from './org-definition.fixture';
import { HOSPITAL_A } from './topology';

describe('org definitions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aal-org-definition-'));
  const layout = new NetworkLayout({ dir, basePort: 20000, orderers: 3, purgeIntervalBlocks: 1 });
  const certificate = (name: string, ca = true): string => selfSignedCertificate(dir, name, ca);
  let root = '';
  let exported: OrgDefinition;
  const text = (definition: Record<string, unknown>): string => JSON.stringify(definition);
  beforeAll(() => {
    ({ definition: exported, root } = exportedDefinitionFixture(dir, HOSPITAL_A));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('export the org’s root and TLS root certificates, NodeOU rules and anchor peer, with a digest', () => {
    expect(exported).toMatchObject({
      format: 'aal-org-definition/1',
      name: 'HospitalA',
      mspId: 'HospitalAMSP',
      rootCerts: [root],
      tlsRootCerts: [root],
      anchorPeers: [layout.peerEndpoint(HOSPITAL_A)],
    });
    expect(exported.nodeOUs).toContain('OrganizationalUnitIdentifier: admin');
    expect(exported.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(verifyOrgDefinition(JSON.stringify(exported))).toEqual(exported);
    expect(certificateFingerprint(root)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('carry the CRLs of the org’s channel MSP, covered by the digest, and none while it has none', () => {
    expect(exported.revocationLists).toBeUndefined();
    const crls = join(layout.orgMsp(HOSPITAL_A), 'crls');
    mkdirSync(crls, { recursive: true });
    try {
      writeFileSync(join(crls, 'crl.pem'), ONE_REVOKED);
      const revoking = exportOrgDefinition(layout, HOSPITAL_A);
      expect(revoking.revocationLists).toEqual([ONE_REVOKED]);
      expect(revoking.digest).not.toBe(exported.digest);
      expect(verifyOrgDefinition(JSON.stringify(revoking))).toEqual(revoking);
      // Dropping the CRL from the file is an edit the digest catches.
      const { revocationLists: _dropped, ...dropped } = revoking;
      expect(() => verifyOrgDefinition(text(dropped))).toThrow(/digest does not match/);
      expect(() => verifyOrgDefinition(text({ ...revoking, revocationLists: [root] }))).toThrow(
        'org definition: revocationLists[0] is not a PEM certificate revocation list',
      );
      expect(() => verifyOrgDefinition(text({ ...revoking, revocationLists: [] }))).toThrow(
        'revocationLists must list 1 to 8 CRLs when present',
      );
    } finally {
      rmSync(crls, { recursive: true, force: true });
    }
  });

  it('refuse a definition edited after export (digest), naming the field and the expected digest', () => {
    const edited = { ...exported, anchorPeers: [{ host: 'attacker.example', port: 7051 }] };
    expect(() => verifyOrgDefinition(text(edited))).toThrow(/digest does not match the content .*expected sha256:/);
  });

  it('refuse a private key anywhere in the file, before anything else', () => {
    const key = readFileSync(join(dir, 'ca.hospital-a.key.pem'), 'utf8');
    expect(key).toContain('PRIVATE KEY');
    expect(() => verifyOrgDefinition(text({ ...exported, note: key }))).toThrow(/holds a private key/);
    expect(JSON.stringify(exported)).not.toContain('PRIVATE KEY');
  });

  it('refuse a root that is not a CA, not self-signed, or not a certificate', () => {
    const leaf = certificate('not-a-ca', false);
    const refused =
      (rootCerts: unknown): (() => OrgDefinition) =>
      () =>
        verifyOrgDefinition(text({ ...exported, rootCerts }));
    expect(refused([leaf])).toThrow('org definition: rootCerts[0] is not a CA certificate (CN=not-a-ca)');
    expect(refused(['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'])).toThrow(
      'rootCerts[0] is not a PEM certificate',
    );
    expect(refused([])).toThrow('rootCerts must list 1 to 8 certificates');
  });

  it('refuse malformed files and fields: not JSON, another format, unknown fields, bad names, NodeOUs and endpoints', () => {
    const cases: [unknown, RegExp][] = [
      ['{', /file is not JSON/],
      [[1], /file is not a JSON object/],
      [{ ...exported, format: 'aal-org-definition/0' }, /format must be 'aal-org-definition\/1'/],
      [{ ...exported, extra: 1 }, /extra is not a field of an org definition/],
      [{ ...exported, mspId: 'HospitalA' }, /mspId must be letters and digits ending in 'MSP'/],
      [{ ...exported, name: 'Hospital A' }, /name must be letters and digits/],
      [{ ...exported, nodeOUs: 'NodeOUs:\n  Enable: false\n' }, /nodeOUs must be an MSP config.yaml enabling NodeOUs/],
      [{ ...exported, nodeOUs: exported.nodeOUs.replace('admin', 'boss') }, /nodeOUs must identify 'admin'/],
      [{ ...exported, anchorPeers: [{ host: 'peer0', port: 70_000 }] }, /anchorPeers\[0\]\.port must be a port number/],
      [{ ...exported, anchorPeers: [{ host: '-x', port: 7051 }] }, /anchorPeers\[0\]\.host must be a host name/],
    ];
    for (const [input, error] of cases)
      expect(() => verifyOrgDefinition(typeof input === 'string' ? input : JSON.stringify(input))).toThrow(error);
  });

  describe('of a member running an orderer node (bft)', () => {
    const bftDir = mkdtempSync(join(tmpdir(), 'aal-org-definition-bft-'));
    let bft: OrgDefinition;
    let bftLayout: NetworkLayout;
    beforeAll(() => {
      ({ definition: bft, layout: bftLayout } = exportedBftDefinitionFixture(bftDir, HOSPITAL_A));
    });
    afterAll(() => rmSync(bftDir, { recursive: true, force: true }));
    const refusedNode =
      (node: unknown): (() => OrgDefinition) =>
      () =>
        verifyOrgDefinition(text({ ...bft, ordererNode: node }));

    it('export the node’s endpoint, signing and TLS certificates, covered by the digest', () => {
      const i = bftLayout.memberOrdererIndex(HOSPITAL_A) ?? -1;
      expect(bft.ordererNode).toEqual({
        endpoint: bftLayout.ordererEndpoint(i),
        identityCert: readFileSync(bftLayout.ordererSignCert(i), 'utf8'),
        tlsCert: readFileSync(bftLayout.ordererTlsCert(i), 'utf8'),
      });
      expect(verifyOrgDefinition(JSON.stringify(bft))).toEqual(bft);
      expect(exported.ordererNode).toBeUndefined();
      const moved = { ...bft, ordererNode: { ...bft.ordererNode, endpoint: { host: '10.9.9.9', port: 7050 } } };
      expect(() => verifyOrgDefinition(text(moved))).toThrow(/digest does not match/);
    });

    it('refuse a node certificate another root issued, a CA, one without the orderer role, or unknown fields', () => {
      const node = bft.ordererNode ?? { endpoint: { host: 'x', port: 1 }, identityCert: '', tlsCert: '' };
      certificate('ca.other');
      const foreign = issuedCertificate(dir, 'orderer.other', 'ca.other', '/OU=orderer/CN=orderer0');
      expect(refusedNode({ ...node, identityCert: foreign })).toThrow(
        "org definition: ordererNode.identityCert is not issued by the definition's rootCerts",
      );
      expect(refusedNode({ ...node, tlsCert: foreign })).toThrow(
        "ordererNode.tlsCert is not issued by the definition's tlsRootCerts",
      );
      expect(refusedNode({ ...node, identityCert: root })).toThrow('ordererNode.identityCert is a CA certificate');
      expect(refusedNode({ ...node, identityCert: node.tlsCert })).toThrow(
        'ordererNode.identityCert is not an orderer identity (OU=orderer)',
      );
      expect(refusedNode({ ...node, key: 'x' })).toThrow('ordererNode.key is not a field of an orderer node');
      expect(refusedNode({ ...node, endpoint: { host: 'x', port: 0 } })).toThrow(
        'ordererNode.endpoint.port must be a port number',
      );
      expect(refusedNode('node')).toThrow('ordererNode must be an object');
    });
  });
});
