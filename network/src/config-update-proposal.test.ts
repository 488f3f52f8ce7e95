import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PROPOSAL_FORMAT,
  parseSidecar,
  readSidecar,
  sidecarPath,
  writeSidecar,
  type ProposalSidecar,
} from './config-update-proposal';
import { exportedDefinitionFixture } from './org-definition.fixture';
import { HOSPITAL_B } from './topology';

const valid: ProposalSidecar = {
  format: PROPOSAL_FORMAT,
  channel: 'hospital-a',
  proposedBy: 'HospitalAMSP',
  baseConfigBlock: 3,
  change: {
    kind: 'revocation-list',
    org: 'HospitalAMSP',
    revokedUser: 'alice',
    reason: 'keycompromise',
    revokedSerials: ['4761493ea5a97485788de624ec041c4d9f7d767c'],
    crlSha256: 'a'.repeat(64),
  },
};

describe('parseSidecar', () => {
  it('accepts a sidecar of this tool', () => {
    expect(parseSidecar(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
  });

  it.each([
    ['an array', [], 'not a JSON object'],
    ['another format', { ...valid, format: 'x/1' }, `format is not '${PROPOSAL_FORMAT}'`],
    ['no channel', { ...valid, channel: '' }, 'no channel'],
    ['no proposer', { ...valid, proposedBy: undefined }, 'no proposedBy'],
    ['a negative block', { ...valid, baseConfigBlock: -1 }, 'baseConfigBlock is not a block number'],
    ['a fractional block', { ...valid, baseConfigBlock: 1.5 }, 'baseConfigBlock is not a block number'],
    ['no change', { ...valid, change: null }, 'no change'],
    ['another change', { ...valid, change: { ...valid.change, kind: 'add-org' } }, "unknown change kind 'add-org'"],
    ['no org', { ...valid, change: { ...valid.change, org: '' } }, 'change.org missing'],
    [
      'bad serials',
      { ...valid, change: { ...valid.change, revokedSerials: ['xyz'] } },
      'change.revokedSerials is not a list of hex serial numbers',
    ],
    ['a bad hash', { ...valid, change: { ...valid.change, crlSha256: 'abc' } }, 'change.crlSha256 is not a SHA-256'],
    ['a stray field', { ...valid, privateKey: 'x' }, 'unknown field(s) privateKey'],
  ])('refuses %s', (_label, value, reason) => {
    expect(() => parseSidecar(value, 'f.json')).toThrow(`f.json is not a configuration update proposal: ${reason}`);
  });
});

describe('readSidecar and writeSidecar', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aal-sidecar-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips beside the proposal file', () => {
    const proposal = join(dir, 'p.pb');
    writeFileSync(proposal, 'envelope');
    writeSidecar(proposal, valid);
    expect(sidecarPath(proposal)).toBe(`${proposal}.json`);
    expect(readSidecar(proposal)).toEqual(valid);
  });

  it('names a missing proposal, a missing sidecar and one that is not JSON', () => {
    const proposal = join(dir, 'p.pb');
    expect(() => readSidecar(proposal)).toThrow(`no proposal file ${proposal}`);
    writeFileSync(proposal, 'envelope');
    expect(() => readSidecar(proposal)).toThrow(`its sidecar ${proposal}.json is missing`);
    writeFileSync(sidecarPath(proposal), '{');
    expect(() => readSidecar(proposal)).toThrow(`${proposal}.json is not a configuration update proposal: not JSON`);
  });
});

describe('parseSidecar: membership changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aal-membership-sidecar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { definition } = exportedDefinitionFixture(dir, HOSPITAL_B);
  const adding: ProposalSidecar = {
    ...valid,
    change: { kind: 'add-member', org: 'HospitalBMSP', definition },
  };
  const removing: ProposalSidecar = { ...valid, change: { kind: 'remove-member', org: 'HospitalBMSP' } };

  it('accepts an addition carrying the joining org’s exported definition, and a removal', () => {
    expect(parseSidecar(JSON.parse(JSON.stringify(adding)))).toEqual(adding);
    expect(parseSidecar(JSON.parse(JSON.stringify(removing)))).toEqual(removing);
  });

  it.each([
    [
      'an addition naming another org',
      { ...adding, change: { ...adding.change, org: 'HospitalAMSP' } },
      "change.org HospitalAMSP is not the definition's HospitalBMSP",
    ],
    [
      'an addition without a definition',
      { ...adding, change: { kind: 'add-member', org: 'HospitalBMSP' } },
      'change.definition: org definition: file is not a JSON object',
    ],
    [
      'an edited definition',
      { ...adding, change: { ...adding.change, definition: { ...definition, name: 'HospitalC' } } },
      'change.definition: org definition: digest',
    ],
    [
      'a removal with a stray field',
      { ...removing, change: { ...removing.change, crlSha256: 'a'.repeat(64) } },
      'change.crlSha256 is not a field of a remove-member change',
    ],
  ])('refuses %s', (_label, value, reason) => {
    expect(() => parseSidecar(value)).toThrow(reason);
  });
});
