import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkLayout } from './layout';
import {
  checkMemberDefinition,
  importedDefinition,
  importHandOverFolder,
  importMemberDefinition,
  requireAllMembersImported,
  requireOrderingReachable,
} from './member-definitions';
import { exportedBftDefinitionFixture, exportedDefinitionFixture } from './org-definition.fixture';
import type { OrgDefinition } from './org-definition';
import { AI_PROVIDER, HOSPITAL_A, HOSPITAL_B, REGULATOR } from './topology';

describe('member definitions in a member’s own directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'aal-member-definitions-'));
  const member = new NetworkLayout({
    dir: join(root, 'hospital-a'),
    basePort: 20000,
    orderers: 3,
    ordering: 'bft',
    purgeIntervalBlocks: 1,
    member: HOSPITAL_A.slug,
  });
  const definitions = new Map<string, OrgDefinition>();
  beforeAll(() => {
    for (const org of [HOSPITAL_A, HOSPITAL_B, AI_PROVIDER, REGULATOR]) {
      const dir = join(root, `export-${org.slug}`);
      mkdirSync(dir, { recursive: true });
      definitions.set(org.slug, exportedBftDefinitionFixture(dir, org).definition);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const definitionOf = (slug: string): OrgDefinition => {
    const definition = definitions.get(slug);
    if (definition === undefined) throw new Error(slug);
    return definition;
  };

  it('import another member’s public files where the layout names them', () => {
    const definition = definitionOf(HOSPITAL_B.slug);
    expect(importMemberDefinition(member, definition)).toBe(HOSPITAL_B);
    expect(member.isLocal(HOSPITAL_B)).toBe(false);
    expect(member.isLocal(HOSPITAL_A)).toBe(true);
    expect(readFileSync(member.tlsRootCert(HOSPITAL_B), 'utf8')).toBe(definition.tlsRootCerts.join(''));
    expect(readFileSync(join(member.orgMsp(HOSPITAL_B), 'cacerts', 'ca.pem'), 'utf8')).toBe(definition.rootCerts[0]);
    expect(readFileSync(join(member.orgMsp(HOSPITAL_B), 'config.yaml'), 'utf8')).toBe(definition.nodeOUs);
    const i = member.memberOrdererIndex(HOSPITAL_B) ?? -1;
    expect(readFileSync(member.ordererSignCert(i), 'utf8')).toBe(definition.ordererNode?.identityCert);
    expect(readFileSync(member.ordererTlsCert(i), 'utf8')).toBe(definition.ordererNode?.tlsCert);
    expect(importedDefinition(member, HOSPITAL_B)).toEqual(definition);
    // Nothing is written under the other org's own folders: those are its host's.
    expect(existsSync(member.orgDir(HOSPITAL_B))).toBe(false);
  });

  it('refuse an org outside the consortium, the directory’s own org, and endpoints off the port plan', () => {
    const own = definitionOf(HOSPITAL_A.slug);
    expect(() => checkMemberDefinition(member, own)).toThrow("HospitalAMSP is this directory's own org");
    expect(() => checkMemberDefinition(member, { ...definitionOf(REGULATOR.slug), mspId: 'HospitalCMSP' })).toThrow(
      'Regulator (HospitalCMSP) is not a member of this consortium',
    );
    const elsewhere = { ...definitionOf(REGULATOR.slug), anchorPeers: [{ host: '10.0.0.9', port: 20043 }] };
    expect(() => checkMemberDefinition(member, elsewhere)).toThrow(
      "Regulator's definition names anchor peer 10.0.0.9:20043, but this consortium's port plan puts its peer at 127.0.0.1:20043",
    );
    const regulator = definitionOf(REGULATOR.slug);
    const { ordererNode, ...withoutNode } = regulator;
    expect(() => checkMemberDefinition(member, withoutNode)).toThrow("Regulator's definition names no orderer node");
    if (ordererNode === undefined) throw new Error('fixture has no orderer node');
    const moved = { ...regulator, ordererNode: { ...ordererNode, endpoint: { host: '127.0.0.1', port: 1 } } };
    expect(() => checkMemberDefinition(member, moved)).toThrow(
      "Regulator's orderer node is at 127.0.0.1:1, but this consortium's port plan puts it at 127.0.0.1:20023",
    );
  });

  it('refuse another definition for an org imported before, and take the same one again', () => {
    const dir = join(root, 'other-roots');
    mkdirSync(dir, { recursive: true });
    const replaced = exportedBftDefinitionFixture(dir, HOSPITAL_B).definition;
    expect(() => importMemberDefinition(member, replaced)).toThrow(
      `HospitalB was imported before as ${definitionOf(HOSPITAL_B.slug).digest}, and this definition is ${replaced.digest}`,
    );
    expect(importedDefinition(member, HOSPITAL_B)).toEqual(definitionOf(HOSPITAL_B.slug));
    expect(importMemberDefinition(member, definitionOf(HOSPITAL_B.slug))).toBe(HOSPITAL_B);
  });

  it('import a hand-over folder, skipping the own org’s export, and name members still missing', () => {
    expect(() => requireAllMembersImported(member, 'founding the channels')).toThrow(
      "founding the channels needs every member's exported definition; missing: AIProvider, Regulator",
    );
    const folder = join(root, 'hand-over');
    mkdirSync(folder, { recursive: true });
    for (const [slug, definition] of definitions)
      writeFileSync(join(folder, `${slug}.definition.json`), JSON.stringify(definition));
    writeFileSync(join(folder, 'notes.txt'), 'not a definition');
    expect(importHandOverFolder(member, folder).map((org) => org.slug)).toEqual([
      AI_PROVIDER.slug,
      HOSPITAL_B.slug,
      REGULATOR.slug,
    ]);
    expect(() => requireAllMembersImported(member, 'founding the channels')).not.toThrow();
    writeFileSync(join(folder, 'broken.definition.json'), '{');
    expect(() => importHandOverFolder(member, folder)).toThrow(
      /broken\.definition\.json: org definition: file is not JSON/,
    );
  });

  it('let an org that joins later import the founders’ definitions, needing one whose node orders', () => {
    const joining = new NetworkLayout({
      dir: join(root, 'hospital-c'),
      basePort: 20000,
      orderers: 3,
      ordering: 'bft',
      purgeIntervalBlocks: 1,
      hosts: { 'hospital-c': '10.77.0.9' },
      member: 'hospital-c',
      joiningOrg: { name: 'HospitalC', mspId: 'HospitalCMSP' },
    });
    expect(() => requireOrderingReachable(joining, 'starting HospitalC’s nodes')).toThrow(
      "starting HospitalC’s nodes needs the founding members' exported definitions, to reach their orderer nodes",
    );
    const folder = join(root, 'hand-over-c');
    mkdirSync(folder, { recursive: true });
    for (const [slug, definition] of definitions)
      writeFileSync(join(folder, `${slug}.definition.json`), JSON.stringify(definition));
    expect(
      importHandOverFolder(joining, folder)
        .map((org) => org.slug)
        .sort(),
    ).toEqual([AI_PROVIDER.slug, HOSPITAL_A.slug, HOSPITAL_B.slug, REGULATOR.slug]);
    expect(() => requireOrderingReachable(joining, 'starting HospitalC’s nodes')).not.toThrow();
    expect(readFileSync(joining.tlsRootCert(HOSPITAL_A), 'utf8')).toBe(
      definitionOf(HOSPITAL_A.slug).tlsRootCerts.join(''),
    );
  });

  it('refuse all of it on the development network, where every org is local', () => {
    const dir = join(root, 'dev');
    const development = new NetworkLayout({
      dir,
      basePort: 20000,
      orderers: 3,
      ordering: 'bft',
      purgeIntervalBlocks: 1,
    });
    mkdirSync(join(root, 'export-dev'), { recursive: true });
    const { definition } = exportedDefinitionFixture(join(root, 'export-dev'), HOSPITAL_B);
    expect(() => checkMemberDefinition(development, definition)).toThrow(
      "importing a member definition runs in a member's own directory",
    );
  });
});
