import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  APP_ROLES,
  CHAINCODE_NAME,
  CHANNELS,
  ensureBinaries,
  FabricNetwork,
  HOSPITAL_A,
  HOSPITAL_B,
  NetworkLayout,
  peerCliEnv,
  REGULATOR,
  run,
} from '@aal/network';
import { contractRefusal } from '../support/chaincode-calls';
import { eventually } from '../support/eventually';
import { testGateway } from '../support/gateway';
import {
  interactionRequest,
  interactionsPath,
  postInteraction,
  type RecordedInteraction,
  type StoredInteraction,
} from '../support/interactions';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';

const environment = loadTestEnvironment();
const layout = new NetworkLayout(testNetworkOptions());
const app = (org: string): string => environment.apps[org] ?? '';
const decoder = new TextDecoder();

/** Records an interaction as the org's recorder key. */
function record(org: string, channel: string, body: unknown): Promise<Response> {
  return postInteraction(app(org), channel, bearer(environment, org, 'recorder'), body);
}

/** Reads as the org's auditor key (the regulator's role) or, for hospitals, its recorder key. */
async function get(org: string, path: string): Promise<Response> {
  return fetch(`${app(org)}${path}`, {
    headers: bearer(environment, org, org === REGULATOR.name ? 'auditor' : 'recorder'),
  });
}

describe('the local Fabric network', () => {
  const bft = layout.ordering === 'bft';
  it(`runs ${bft ? '4 orderers (one per member org), 4 CAs' : '3 orderers, 5 CAs'} (one per org), 4 peers, 4 chaincode servers, 4 PostgreSQL servers, 4 apps and 4 AI gateways as live processes`, () => {
    const running = new FabricNetwork(testNetworkOptions()).status().filter((process) => process.running);
    const count = (prefix: string): number => running.filter((process) => process.name.startsWith(prefix)).length;
    const orderers = running.filter((process) => process.name.startsWith('orderer')).map((process) => process.name);
    expect(orderers.sort()).toEqual(
      bft
        ? ['orderer0.ai-provider', 'orderer0.hospital-a', 'orderer0.hospital-b', 'orderer0.regulator']
        : ['orderer0.orderer-org', 'orderer1.orderer-org', 'orderer2.orderer-org'],
    );
    expect(count('peer0.')).toBe(4);
    expect(count('ca.')).toBe(bft ? 4 : 5);
    expect(count('chaincode.')).toBe(4);
    expect(count('app.')).toBe(4);
    expect(count('ai-gateway.')).toBe(4);
    expect(count('postgres.')).toBe(4);
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
          [
            'lifecycle',
            'chaincode',
            'querycommitted',
            '--channelID',
            channel.name,
            '--name',
            CHAINCODE_NAME,
            '--output',
            'json',
          ],
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
    const created = await record('HospitalA', 'hospital-a', interactionRequest(id, { applicationId: 'end-to-end' }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as RecordedInteraction;
    // Sent bare to HospitalA's app: stored and answered in HospitalA's namespace.
    expect(body.interaction).toMatchObject({
      id: `HospitalAMSP:${id}`,
      applicationId: 'end-to-end',
      org: 'HospitalAMSP',
      txId: body.transactionId,
    });

    const read = await eventually(
      'the record at the Regulator',
      () => get('Regulator', interactionsPath('hospital-a', `HospitalAMSP:${id}`)),
      (response) => response.status !== 404,
    );
    expect(read.status).toBe(200);
    expect(((await read.json()) as { interaction: unknown }).interaction).toEqual(body.interaction);
  });

  it('commits transactions endorsed by at least two organisations (read back from the ledger)', async () => {
    const id = `endorsed-${Date.now()}`;
    const created = (await (
      await record('AIProvider', 'hospital-a', interactionRequest(id))
    ).json()) as RecordedInteraction;
    const proof = await eventually(
      'the transaction at the Regulator',
      () => get('Regulator', `/api/v1/channels/hospital-a/transactions/${created.transactionId}`),
      (response) => response.status !== 404,
    );
    expect(proof.status).toBe(200);
    const body = (await proof.json()) as { validationCode: string; endorsingOrgs: string[]; creatorMspId: string };
    expect(body.validationCode).toBe('VALID');
    expect(body.creatorMspId).toBe('AIProviderMSP');
    expect(body.endorsingOrgs.length).toBeGreaterThanOrEqual(2);
    for (const org of body.endorsingOrgs) expect(['HospitalAMSP', 'AIProviderMSP', 'RegulatorMSP']).toContain(org);
  });

  it('refuses bad input with problem+json and writes nothing', async () => {
    const response = await record('HospitalA', 'hospital-a', interactionRequest('bad id!', { extra: 1 }));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field).sort()).toEqual(['extra', 'id']);

    const duplicate = `dup-${Date.now()}`;
    expect(
      (await record('HospitalA', 'hospital-a', interactionRequest(duplicate, { applicationId: 'first' }))).status,
    ).toBe(201);
    const again = await record('HospitalA', 'hospital-a', interactionRequest(duplicate, { applicationId: 'second' }));
    expect(again.status).toBe(409);
    const stored = (await (await get('HospitalA', interactionsPath('hospital-a', duplicate))).json()) as {
      interaction: StoredInteraction;
    };
    expect(stored.interaction.applicationId).toBe('first');
  });

  it('keeps HospitalB out of hospital-a: its app, its peer and a HospitalB identity at HospitalA’s peer', async () => {
    // A record any auditor on the channel may read: the reads below fail only because HospitalB is not a member.
    const existing = `visible-${Date.now()}`;
    expect((await record('HospitalA', 'hospital-a', interactionRequest(existing))).status).toBe(201);
    const asAuditor = testGateway(REGULATOR, 'auditor');
    try {
      const answer = await asAuditor.gateway
        .getNetwork('hospital-a')
        .getContract(CHAINCODE_NAME)
        .evaluateTransaction(TRANSACTIONS.getInteraction, `HospitalAMSP:${existing}`);
      expect(JSON.parse(decoder.decode(answer))).toMatchObject({ id: `HospitalAMSP:${existing}`, org: 'HospitalAMSP' });
    } finally {
      asAuditor.close();
    }

    const viaApp = await get('HospitalB', interactionsPath('hospital-a', existing));
    expect(viaApp.status).toBe(404);

    const ownPeer = testGateway(HOSPITAL_B, 'auditor');
    try {
      await expect(
        ownPeer.gateway
          .getNetwork('hospital-a')
          .getContract(CHAINCODE_NAME)
          .evaluateTransaction(TRANSACTIONS.getInteraction, existing),
      ).rejects.toThrow();
    } finally {
      ownPeer.close();
    }

    const foreignReader = testGateway(HOSPITAL_B, 'auditor', HOSPITAL_A);
    const foreignWriter = testGateway(HOSPITAL_B, 'recorder', HOSPITAL_A);
    const id = `intruder-${Date.now()}`;
    try {
      const read = foreignReader.gateway
        .getNetwork('hospital-a')
        .getContract(CHAINCODE_NAME)
        .evaluateTransaction(TRANSACTIONS.getInteraction, existing);
      // With BFT ordering HospitalB's MSP is in hospital-a's configuration (its orderer node is in the
      // Orderer group), so the peer knows the identity and refuses it by the application's Writers
      // policy (proposals' ACL) rather than as an unknown org.
      await expect(read).rejects.toThrow(
        bft
          ? /policy \[\/Channel\/Application\/Writers\]: \[implicit policy evaluation failed - 0 sub-policies were satisfied/
          : /access denied|denied|not authorized|permission/i,
      );
      const write = foreignWriter.gateway
        .getNetwork('hospital-a')
        .getContract(CHAINCODE_NAME)
        .submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(interactionRequest(id)));
      await expect(write).rejects.toThrow();
    } finally {
      foreignReader.close();
      foreignWriter.close();
    }
    const lookup = await get('HospitalA', interactionsPath('hospital-a', id));
    expect(lookup.status).toBe(404);
  });

  it('issues application users whose certificates carry the role attribute, as the chaincode sees it', async () => {
    for (const role of APP_ROLES) {
      const pem = readFileSync(join(layout.appUserIdentity(REGULATOR, role).msp, 'signcerts', 'cert.pem'));
      const certificate = new X509Certificate(pem);
      // Fabric CA's attribute extension (OID 1.2.3.4.5.6.7.8.1) holds {"attrs":{...}} as JSON.
      expect(certificate.raw.toString('latin1')).toContain(`"role":"${role}"`);

      // The chaincode names the MSP and role it read from the certificate when it refuses a call
      // the role may not make: recording for a consent manager, granting consent for every other role.
      const gateway = testGateway(REGULATOR, role);
      try {
        const contract = gateway.gateway.getNetwork('hospital-b').getContract(CHAINCODE_NAME);
        const call =
          role === 'consent-manager'
            ? contract.evaluateTransaction(
                TRANSACTIONS.recordInteraction,
                JSON.stringify(interactionRequest(`whoami-${role}`)),
              )
            : contract.evaluateTransaction(TRANSACTIONS.grantConsent, '{}');
        const refused = await contractRefusal(call);
        expect(refused?.code).toBe('ACCESS_DENIED');
        expect(refused?.message).toContain(`role '${role}' of RegulatorMSP`);
      } finally {
        gateway.close();
      }
    }
  });

  it('serves both channels to the orgs on both (AI provider and regulator)', async () => {
    for (const channel of ['hospital-a', 'hospital-b']) {
      const id = `both-${channel}-${Date.now()}`;
      expect((await record(AI_PROVIDER.name, channel, interactionRequest(id, { applicationId: channel }))).status).toBe(
        201,
      );
      const read = await get(REGULATOR.name, interactionsPath(channel, `AIProviderMSP:${id}`));
      expect(read.status).toBe(200);
      expect(((await read.json()) as { interaction: StoredInteraction }).interaction).toMatchObject({
        id: `AIProviderMSP:${id}`,
        org: 'AIProviderMSP',
        applicationId: channel,
      });
    }
    const other = await get(HOSPITAL_A.name, interactionsPath('hospital-b', 'x'));
    expect(other.status).toBe(404);
  });
});
