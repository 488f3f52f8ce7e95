import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { ensureBinaries } from '../../network/src/binaries';
import { run } from '../../network/src/command';
import { NetworkLayout } from '../../network/src/layout';
import { FabricNetwork } from '../../network/src/network';
import { peerCliEnv } from '../../network/src/nodes';
import { AI_PROVIDER, APP_ROLES, CHAINCODE_NAME, CHANNELS, HOSPITAL_A, HOSPITAL_B, REGULATOR } from '../../network/src/topology';
import { testGateway } from '../support/gateway';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';

const environment = loadTestEnvironment();
const layout = new NetworkLayout(testNetworkOptions());
const app = (org: string): string => environment.apps[org] ?? '';
const decoder = new TextDecoder();

/** Records as the org's recorder key. */
async function postProbe(org: string, channel: string, body: unknown): Promise<Response> {
  return fetch(`${app(org)}/api/v1/channels/${channel}/probes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(environment, org, 'recorder') },
    body: JSON.stringify(body),
  });
}

/** Reads as the org's auditor key (the regulator's role) or, for hospitals, its recorder key. */
async function get(org: string, path: string): Promise<Response> {
  return fetch(`${app(org)}${path}`, { headers: bearer(environment, org, org === REGULATOR.name ? 'auditor' : 'recorder') });
}

describe('the local Fabric network', () => {
  it('runs 3 orderers, 4 peers, 5 CAs (one per org), 4 chaincode servers and 4 apps as live processes', () => {
    const running = new FabricNetwork(testNetworkOptions()).status().filter((process) => process.running);
    const count = (prefix: string): number => running.filter((process) => process.name.startsWith(prefix)).length;
    expect(count('orderer')).toBe(3);
    expect(count('peer0.')).toBe(4);
    expect(count('ca.')).toBe(5);
    expect(count('chaincode.')).toBe(4);
    expect(count('app.')).toBe(4);
    for (const process of running) {
      expect(readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').length).toBeGreaterThan(0);
    }
  });

  it('has the chaincode committed on both channels at the built version', async () => {
    const binaries = await ensureBinaries();
    const peerConfigDir = join(layout.configDir, 'peer');
    for (const channel of CHANNELS) {
      for (const org of channel.orgs) {
        const { stdout } = await run(
          binaries.peer,
          ['lifecycle', 'chaincode', 'querycommitted', '--channelID', channel.name, '--name', CHAINCODE_NAME, '--output', 'json'],
          { env: peerCliEnv(layout, peerConfigDir, org) },
        );
        const definition = JSON.parse(stdout) as { version: string; approvals: Record<string, boolean> };
        expect(definition.version).toBe(environment.chaincodeVersion);
        expect(Object.keys(definition.approvals).sort()).toEqual(channel.orgs.map((member) => member.mspId).sort());
        expect(Object.values(definition.approvals).every(Boolean)).toBe(true);
      }
    }
  });

  it('records an item through one org’s app and reads it back through another org’s app on the channel', async () => {
    const id = `slice-${Date.now()}`;
    const created = await postProbe('HospitalA', 'hospital-a', { id, note: 'end-to-end' });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { probe: { id: string; org: string; note: string }; transactionId: string };
    expect(body.probe).toMatchObject({ id, note: 'end-to-end', org: 'HospitalAMSP' });

    const read = await get('Regulator', `/api/v1/channels/hospital-a/probes/${id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { probe: unknown }).probe).toEqual(body.probe);
  });

  it('commits transactions endorsed by at least two organisations (read back from the ledger)', async () => {
    const id = `endorsed-${Date.now()}`;
    const created = (await (await postProbe('AIProvider', 'hospital-a', { id, note: 'x' })).json()) as { transactionId: string };
    const proof = await get('Regulator', `/api/v1/channels/hospital-a/transactions/${created.transactionId}`);
    expect(proof.status).toBe(200);
    const body = (await proof.json()) as { validationCode: string; endorsingOrgs: string[]; creatorMspId: string };
    expect(body.validationCode).toBe('VALID');
    expect(body.creatorMspId).toBe('AIProviderMSP');
    expect(body.endorsingOrgs.length).toBeGreaterThanOrEqual(2);
    for (const org of body.endorsingOrgs) expect(['HospitalAMSP', 'AIProviderMSP', 'RegulatorMSP']).toContain(org);
  });

  it('refuses bad input with problem+json and writes nothing', async () => {
    const response = await postProbe('HospitalA', 'hospital-a', { id: 'bad id!', note: 'x', extra: 1 });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field).sort()).toEqual(['extra', 'id']);

    const duplicate = `dup-${Date.now()}`;
    expect((await postProbe('HospitalA', 'hospital-a', { id: duplicate, note: 'first' })).status).toBe(201);
    const again = await postProbe('HospitalA', 'hospital-a', { id: duplicate, note: 'second' });
    expect(again.status).toBe(409);
    const stored = (await (await get('HospitalA', `/api/v1/channels/hospital-a/probes/${duplicate}`)).json()) as { probe: { note: string } };
    expect(stored.probe.note).toBe('first');
  });

  it('keeps HospitalB out of hospital-a: its app, its peer and a HospitalB identity at HospitalA’s peer', async () => {
    const viaApp = await get('HospitalB', '/api/v1/channels/hospital-a/probes/anything');
    expect(viaApp.status).toBe(404);

    const ownPeer = testGateway(HOSPITAL_B, 'recorder');
    try {
      await expect(ownPeer.gateway.getNetwork('hospital-a').getContract(CHAINCODE_NAME).evaluateTransaction('Probe:WhoAmI')).rejects.toThrow();
    } finally {
      ownPeer.close();
    }

    const foreignPeer = testGateway(HOSPITAL_B, 'recorder', HOSPITAL_A);
    const id = `intruder-${Date.now()}`;
    try {
      const contract = foreignPeer.gateway.getNetwork('hospital-a').getContract(CHAINCODE_NAME);
      await expect(contract.evaluateTransaction('Probe:WhoAmI')).rejects.toThrow(/access denied|denied|not authorized|permission/i);
      await expect(contract.submitTransaction('Probe:RecordProbe', id, 'x')).rejects.toThrow();
    } finally {
      foreignPeer.close();
    }
    const lookup = await get('HospitalA', `/api/v1/channels/hospital-a/probes/${id}`);
    expect(lookup.status).toBe(404);
  });

  it('issues application users whose certificates carry the role attribute, as the chaincode sees it', async () => {
    for (const role of APP_ROLES) {
      const pem = readFileSync(join(layout.appUserIdentity(REGULATOR, role).msp, 'signcerts', 'cert.pem'));
      const certificate = new X509Certificate(pem);
      // Fabric CA's attribute extension (OID 1.2.3.4.5.6.7.8.1) holds {"attrs":{...}} as JSON.
      expect(certificate.raw.toString('latin1')).toContain(`"role":"${role}"`);

      const gateway = testGateway(REGULATOR, role);
      try {
        const answer = await gateway.gateway.getNetwork('hospital-b').getContract(CHAINCODE_NAME).evaluateTransaction('Probe:WhoAmI');
        expect(JSON.parse(decoder.decode(answer))).toEqual({ mspId: 'RegulatorMSP', role });
      } finally {
        gateway.close();
      }
    }
  });

  it('serves both channels to the orgs on both (AI provider and regulator)', async () => {
    for (const channel of ['hospital-a', 'hospital-b']) {
      const id = `both-${channel}-${Date.now()}`;
      expect((await postProbe(AI_PROVIDER.name, channel, { id, note: channel })).status).toBe(201);
      const read = await get(REGULATOR.name, `/api/v1/channels/${channel}/probes/${id}`);
      expect(read.status).toBe(200);
    }
    const other = await get(HOSPITAL_A.name, '/api/v1/channels/hospital-b/probes/x');
    expect(other.status).toBe(404);
  });
});
