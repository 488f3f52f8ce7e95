import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChannelConfigUpdates,
  ensureBinaries,
  HOSPITAL_A,
  mspDefinition,
  NetworkLayout,
  type FabricBinaries,
} from '@aal/network';
import { orgCli } from '../support/org-cli';
import { testNetworkOptions } from '../support/test-network';

/**
 * A member's own operations on the running network (issue 14): `npm run org -- export` writes
 * HospitalA's public definition — the root certificate the channels hold for it, no private key
 * of anything in its org folder — and `verify-definition` accepts it and refuses it edited;
 * `npm run org -- units` writes systemd units for HospitalA's processes that systemd accepts.
 */
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
let dir: string;
let binaries: FabricBinaries;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aal-org-operations-'));
  binaries = await ensureBinaries();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` (no symbolic links followed). */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The base64 body of every PEM private key under HospitalA's org folder (its MSPs' keystores, TLS keys, wallet). */
function hospitalAPrivateKeyBodies(): string[] {
  return filesUnder(layout.orgDir(HOSPITAL_A)).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const match = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/.exec(text);
    return match?.[1] === undefined ? [] : [match[1].replace(/\s+/g, '')];
  });
}

describe('npm run org -- export / verify-definition', () => {
  it('exports the root certificate the channels hold for HospitalA, and no private key', async () => {
    const out = join(dir, 'hospital-a.definition.json');
    const exported = orgCli(options, 'export', '--org', 'hospital-a', '--out', out);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    expect(exported.stdout).toMatch(/root certificate SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    const definition = JSON.parse(readFileSync(out, 'utf8')) as { mspId: string; rootCerts: string[] };
    expect(definition.mspId).toBe(HOSPITAL_A.mspId);

    // The channel config on HospitalA's peer holds the same root for HospitalAMSP.
    const { config } = await new ChannelConfigUpdates(layout, binaries).currentConfig(HOSPITAL_A, 'hospital-a');
    const roots = (mspDefinition(config, 'hospital-a', HOSPITAL_A.mspId).root_certs ?? []).map((base64) =>
      Buffer.from(base64, 'base64').toString('utf8'),
    );
    expect(roots).toEqual(definition.rootCerts);

    // Not one of the org's private keys, whole or as its base64 body.
    const text = readFileSync(out, 'utf8');
    const keys = hospitalAPrivateKeyBodies();
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((body) => text.replace(/\\n|\s/g, '').includes(body))).toEqual([]);
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('verifies a received definition, refuses one edited after export, and a file that is not one', () => {
    const out = join(dir, 'received.json');
    expect(orgCli(options, 'export', '--org', 'hospital-a', '--out', out).status).toBe(0);
    const verified = orgCli(options, 'verify-definition', '--file', out);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain('HospitalA (HospitalAMSP)');

    const edited = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    writeFileSync(out, JSON.stringify({ ...edited, anchorPeers: [{ host: 'elsewhere.example', port: 7051 }] }));
    const refused = orgCli(options, 'verify-definition', '--file', out);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/INVALID_CONFIG: org definition: digest does not match the content/);

    writeFileSync(out, 'not json');
    expect(orgCli(options, 'verify-definition', '--file', out).stderr).toContain('org definition: file is not JSON');
    const unknownOrg = orgCli(options, 'export', '--org', 'hospital-z');
    expect(unknownOrg.status).toBe(2);
    expect(unknownOrg.stderr).toContain("--org: unknown organisation 'hospital-z'");
  });
});

describe('npm run org -- units', () => {
  it("writes systemd units for HospitalA's running processes that systemd-analyze accepts, and its port list", () => {
    const out = join(dir, 'units');
    const run = orgCli(options, 'units', '--org', 'hospital-a', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const units = readdirSync(out).filter((name) => name.endsWith('.service') || name.endsWith('.target'));
    expect(units.sort()).toEqual(
      [
        'aal-ai-gateway.hospital-a.service',
        'aal-app.hospital-a.service',
        'aal-ca.hospital-a.service',
        'aal-chaincode.hospital-a.service',
        'aal-hospital-a.target',
        'aal-peer0.hospital-a.service',
        'aal-postgres.hospital-a.service',
      ].sort(),
    );
    // The peer's unit runs the peer binary the network runs, with its environment in a 0600 file.
    const peer = readFileSync(join(out, 'aal-peer0.hospital-a.service'), 'utf8');
    expect(peer).toContain(`ExecStart=${binaries.peer} node start`);
    const environment = join(out, 'aal-peer0.hospital-a.env');
    expect(statSync(environment).mode & 0o777).toBe(0o600);
    expect(readFileSync(environment, 'utf8')).toContain(`CORE_PEER_LOCALMSPID="${HOSPITAL_A.mspId}"`);
    expect(readFileSync(environment, 'utf8')).not.toContain('PRIVATE KEY');
    const report = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((unit) => join(out, unit))], {
      cwd: out,
      encoding: 'utf8',
    });
    // Warnings go to stderr with exit status 0: both must be empty.
    expect({ status: report.status, stdout: report.stdout, stderr: report.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
    const ports = readFileSync(join(out, 'aal-hospital-a.ports.tsv'), 'utf8');
    expect(ports).toContain(`127.0.0.1:${layout.peerEndpoint(HOSPITAL_A).port}\ttcp\tpeer0.hospital-a\t`);
  });
});
