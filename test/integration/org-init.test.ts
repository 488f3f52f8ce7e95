import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FabricNetwork, HOSPITAL_A, PEER_ORGS, verifyOrgDefinition, type NetworkOptions } from '@aal/network';
import { listeningSockets } from '../support/listening-sockets';
import { orgCli } from '../support/org-cli';
import { testNetworkOptions } from '../support/test-network';

/**
 * A member's first step on its own host (issue 14): `npm run org -- init --org hospital-a` in an
 * empty directory, with the org's address configured (AAL_ORG_HOSTS), starts only HospitalA's CA —
 * on that address — and issues HospitalA's identities with TLS certificates naming that address; no
 * other org's material exists, every private key stays under HospitalA's folders, and the org's
 * exported definition names its address.
 */
const globalOptions = testNetworkOptions();
const HOST = '127.0.3.2';
const options: NetworkOptions = {
  ...globalOptions,
  dir: `${globalOptions.dir}-init`,
  basePort: globalOptions.basePort + 700,
  ordering: 'raft',
  orderers: 1,
  hosts: { [HOSPITAL_A.slug]: HOST },
};
const network = new FabricNetwork(options);
const layout = network.layout;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  if (existsSync(options.dir)) await network.down({ purge: true });
});

afterAll(async () => {
  await network.down({ purge: true });
}, 120_000);

describe('npm run org -- init', () => {
  it('starts only the org’s CA, on its address, and issues its identities for that address', () => {
    const init = orgCli(options, 'init', '--org', 'hospital-a');
    expect(init.stderr).not.toContain('✖');
    expect(init.status).toBe(0);
    expect(init.stdout).toContain(`HospitalA (HospitalAMSP) on ${HOST}`);
    expect(init.stdout).toContain(`${HOST}:${layout.peerEndpoint(HOSPITAL_A).port}`);

    expect(network.status().map((process) => process.name)).toEqual([layout.caProcess(HOSPITAL_A)]);
    const listening = listeningSockets();
    expect(listening.has(`${HOST}:${layout.caEndpoint(HOSPITAL_A).port}`)).toBe(true);
    expect(listening.has(`127.0.0.1:${layout.caEndpoint(HOSPITAL_A).port}`)).toBe(false);

    for (const identity of [layout.peerIdentity(HOSPITAL_A), layout.chaincodeServerIdentity(HOSPITAL_A)]) {
      const names = new X509Certificate(readFileSync(identity.tls.cert)).subjectAltName ?? '';
      expect(names).toContain(`IP Address:${HOST}`);
      expect(names).not.toContain('127.0.0.1');
    }
    for (const org of PEER_ORGS.filter((other) => other.mspId !== HOSPITAL_A.mspId)) {
      expect(existsSync(layout.orgDir(org))).toBe(false);
      expect(existsSync(join(layout.dir, 'ca', org.slug))).toBe(false);
    }
    // Private keys exist only under the org's own folders.
    const keyFiles = filesUnder(layout.dir).filter((file) => readFileSync(file, 'latin1').includes('PRIVATE KEY'));
    expect(keyFiles.length).toBeGreaterThan(5);
    const own = [layout.orgDir(HOSPITAL_A), join(layout.dir, 'ca', HOSPITAL_A.slug)];
    expect(keyFiles.filter((file) => !own.some((dir) => file.startsWith(`${dir}/`)))).toEqual([]);
  });

  it('is idempotent, and the org exports a definition naming its address', () => {
    const issued = readFileSync(join(layout.orgDir(HOSPITAL_A), 'issued.json'), 'utf8');
    expect(orgCli(options, 'init', '--org', 'hospital-a').status).toBe(0);
    expect(readFileSync(join(layout.orgDir(HOSPITAL_A), 'issued.json'), 'utf8')).toBe(issued);
    const out = join(layout.dir, 'hospital-a.definition.json');
    expect(orgCli(options, 'export', '--org', 'hospital-a', '--out', out).status).toBe(0);
    const definition = verifyOrgDefinition(readFileSync(out, 'utf8'));
    expect(definition.anchorPeers).toEqual([{ host: HOST, port: layout.peerEndpoint(HOSPITAL_A).port }]);
    expect(definition.rootCerts).toEqual([readFileSync(layout.caCert(HOSPITAL_A), 'utf8')]);
  });

  it('refuses an unknown org and another address for an existing directory, changing nothing', () => {
    const unknown = orgCli(options, 'init', '--org', 'hospital-z');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("'hospital-z' is not a founding org");
    // Named, a new org still needs a host of its own: the founders' ports share its positions.
    const named = orgCli(options, 'init', '--org', 'hospital-z', '--name', 'HospitalZ', '--msp-id', 'HospitalZMSP');
    expect(named.status).toBe(1);
    expect(named.stderr).toContain('HospitalZ joins the consortium after its founding and runs on a host of its own');
    const moved = orgCli({ ...options, hosts: { [HOSPITAL_A.slug]: '127.0.3.9' } }, 'init', '--org', 'hospital-a');
    expect(moved.status).toBe(1);
    expect(moved.stderr).toContain(`org hosts hospital-a=${HOST}`);
    expect(network.status().map((process) => process.name)).toEqual([layout.caProcess(HOSPITAL_A)]);
  });
});
