import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orgConfigOf, runAuditIndexCli, sampleScopeOf } from './audit-index-cli';

/** The command's argument checks, which refuse before anything is opened (no network needed). */
describe('audit-index command: --sample', () => {
  const silent = { out: () => undefined, progress: () => undefined };
  const run = (...argv: string[]): Promise<number> =>
    runAuditIndexCli(argv, silent, { AAL_NETWORK_DIR: '/nonexistent' });

  it('takes a record count or all, and refuses anything else before connecting', async () => {
    for (const bad of ['many', '1.5', '01', '', '1e3'])
      await expect(run('check', '--org', 'hospital-a', `--sample=${bad}`)).rejects.toThrow(
        `--sample must be a record count (0 or more) or 'all', got '${bad}'`,
      );
    await expect(run('check', '--org', 'hospital-a', '--sample=-1')).rejects.toThrow("got '-1'");
    // A valid count gets past the option check to the org lookup (no network here).
    for (const good of ['0', '25', 'all'])
      await expect(run('check', '--org', 'hospital-a', '--sample', good)).rejects.toThrow("no org 'hospital-a'");
  });

  it('is an option of check only, as are --seed and --from-block', async () => {
    for (const option of ['--sample', '--seed', '--from-block'])
      await expect(run('reindex', '--org', 'hospital-a', option, '5')).rejects.toThrow(
        '--sample, --seed and --from-block are options of check',
      );
  });

  it('takes a first block from 0 up', async () => {
    for (const bad of ['x', '-1', '01', '1.5', '99999999999999999'])
      await expect(run('check', '--org', 'hospital-a', `--from-block=${bad}`)).rejects.toThrow(
        `--from-block must be a block number (0 or more), got '${bad}'`,
      );
    for (const good of ['0', '42'])
      await expect(run('check', '--org', 'hospital-a', '--from-block', good)).rejects.toThrow("no org 'hospital-a'");
  });

  it('takes a seed from 0 to 2^32-1', async () => {
    for (const bad of ['x', '-1', '01', '1.5', String(2 ** 32)])
      await expect(run('check', '--org', 'hospital-a', `--seed=${bad}`)).rejects.toThrow(
        `--seed must be an integer from 0 to ${2 ** 32 - 1}, got '${bad}'`,
      );
    for (const good of ['0', '7', String(2 ** 32 - 1)])
      await expect(run('check', '--org', 'hospital-a', '--seed', good)).rejects.toThrow("no org 'hospital-a'");
  });
});

describe('audit-index command: the auditor orgs, read as the app reads them', () => {
  let orgDir: string;
  /** Writes the org's gateway profile as the network does, for `mspId`, naming `auditorOrgs` if given. */
  const profile = (mspId: string, auditorOrgs?: string[]): void => {
    const identity = { certificate: 'c.pem', keyDir: 'k' };
    writeFileSync(
      join(orgDir, 'gateway-profile.json'),
      JSON.stringify({
        org: mspId.replace(/MSP$/, ''),
        mspId,
        peerEndpoint: '127.0.0.1:1',
        peerTlsRootCert: 'ca.pem',
        channels: ['hospital-a'],
        chaincode: 'audit',
        identities: { recorder: identity, 'consent-manager': identity, auditor: identity, admin: identity },
        ...(auditorOrgs === undefined ? {} : { auditorOrgs }),
      }),
    );
  };
  beforeEach(() => {
    orgDir = mkdtempSync(join(tmpdir(), 'aal-index-cli-'));
  });
  afterEach(() => rmSync(orgDir, { recursive: true, force: true }));

  it("samples every org's records as an auditor org named by the gateway profile, with no environment", () => {
    profile('RegulatorMSP', ['RegulatorMSP']);
    const config = orgConfigOf(orgDir, {});
    expect(config.auditorOrgs).toEqual(['RegulatorMSP']);
    expect(sampleScopeOf(config)).toEqual({ everything: true, mspId: 'RegulatorMSP' });
  });

  it('samples its own records as any other org, or when the profile names no auditor orgs', () => {
    profile('HospitalAMSP', ['RegulatorMSP']);
    expect(sampleScopeOf(orgConfigOf(orgDir, {}))).toEqual({ everything: false, mspId: 'HospitalAMSP' });
    profile('RegulatorMSP');
    expect(sampleScopeOf(orgConfigOf(orgDir, {}))).toEqual({ everything: false, mspId: 'RegulatorMSP' });
  });

  it('lets AAL_AUDITOR_ORGS override the profile, as it does for the app, and refuses a malformed one', () => {
    profile('RegulatorMSP', ['RegulatorMSP']);
    expect(sampleScopeOf(orgConfigOf(orgDir, { AAL_AUDITOR_ORGS: '' }))).toEqual({
      everything: false,
      mspId: 'RegulatorMSP',
    });
    profile('RegulatorMSP');
    expect(sampleScopeOf(orgConfigOf(orgDir, { AAL_AUDITOR_ORGS: 'RegulatorMSP' }))).toEqual({
      everything: true,
      mspId: 'RegulatorMSP',
    });
    expect(() => orgConfigOf(orgDir, { AAL_AUDITOR_ORGS: 'Regulator MSP;' })).toThrow(/AAL_AUDITOR_ORGS/);
  });
});
