import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  CHAINCODE_NAME,
  FabricNetwork,
  address,
  HOSPITAL_A,
  NetworkError,
  ORDERER_ORG,
  PEER_ORGS,
  REGULATOR,
  type NetworkOptions,
} from '@aal/network';
import { eventually } from '../support/eventually';
import { gatewayFor } from '../support/gateway';
import { interactionRequest } from '../support/interactions';
import { listeningSockets } from '../support/listening-sockets';
import { testNetworkOptions } from '../support/test-network';

/**
 * Each org on its own address (issue 14: "SANs from configuration, nothing hard-wired to
 * 127.0.0.1"): a network this file starts at the test port block + 600 gives every org its own
 * loopback address (127.0.2.x; Linux routes all of 127/8 to the host). Every process listens on its
 * org's address (only host-local services without TLS — operations endpoints, PostgreSQL — stay on
 * 127.0.0.1), every TLS certificate names that address and not 127.0.0.1, and the orgs
 * record and read across their addresses — the same code a multi-host deployment runs with real
 * addresses in AAL_ORG_HOSTS.
 */
const hosts: Readonly<Record<string, string>> = {
  [ORDERER_ORG.slug]: '127.0.2.1',
  ...Object.fromEntries(PEER_ORGS.map((org, i) => [org.slug, `127.0.2.${i + 2}`])),
};
const globalOptions = testNetworkOptions();
const options: NetworkOptions = {
  ...globalOptions,
  dir: `${globalOptions.dir}-hosts`,
  basePort: globalOptions.basePort + 600,
  ordering: 'raft',
  orderers: 1,
  hosts,
};
const network = new FabricNetwork(options);
const layout = network.layout;
const CHANNEL = 'hospital-a';
const run = Date.now().toString(36);
const decoder = new TextDecoder();

beforeAll(async () => {
  if (existsSync(options.dir)) await network.down({ purge: true });
  try {
    await network.up();
    await network.deploy();
    await network.startApplications();
  } catch (error) {
    await network.down();
    throw error;
  }
}, 600_000);

afterAll(async () => {
  await network.down({ purge: true });
}, 120_000);

describe('each org on its own address', () => {
  it('every process listens on its org’s address; only host-local services without TLS on 127.0.0.1', () => {
    const listening = listeningSockets();
    const ports = layout.allPorts().filter((port) => network.supervisor.isRunning(port.owner));
    expect(ports.length).toBeGreaterThan(20);
    const local = new Set(
      PEER_ORGS.flatMap((org) => [
        address(layout.peerOperations(org)),
        address(layout.peerChaincodeEndpoint(org)),
        address(layout.auditIndexDatabase(org)),
        address(layout.caOperations(org)),
      ]).concat([address(layout.ordererOperations(0)), address(layout.caOperations(ORDERER_ORG))]),
    );
    for (const { org, endpoint } of ports)
      expect(endpoint.host).toBe(local.has(address(endpoint)) ? '127.0.0.1' : hosts[org.slug]);
    // Each running process listens where the layout says (a chaincode server on one generation's port).
    const owners = new Set(ports.map((port) => port.owner));
    for (const owner of owners) {
      const own = ports.filter((port) => port.owner === owner);
      expect({ owner, listening: own.some(({ endpoint }) => listening.has(address(endpoint))) }).toEqual({
        owner,
        listening: true,
      });
    }
    // Nothing of this network listens anywhere else: every socket in its port block is on an org's
    // address, or on loopback and one of the host-local services.
    const inBlock = [...listening].filter((socket) => {
      const port = Number(socket.slice(socket.lastIndexOf(':') + 1));
      return port >= options.basePort && port < options.basePort + 100;
    });
    expect(inBlock.length).toBeGreaterThan(20);
    const orgAddresses = new Set(Object.values(hosts));
    for (const socket of inBlock)
      expect({
        socket,
        allowed: orgAddresses.has(socket.slice(0, socket.lastIndexOf(':'))) || local.has(socket),
      }).toEqual({ socket, allowed: true });
  });

  it('TLS certificates name the org’s address, not 127.0.0.1', () => {
    for (const org of PEER_ORGS) {
      for (const identity of [layout.peerIdentity(org), layout.chaincodeServerIdentity(org)]) {
        const names = new X509Certificate(readFileSync(identity.tls.cert)).subjectAltName ?? '';
        expect(names).toContain(`IP Address:${hosts[org.slug]}`);
        expect(names).not.toContain('127.0.0.1');
      }
    }
    const orderer = new X509Certificate(readFileSync(layout.ordererIdentity(0).tls.cert)).subjectAltName ?? '';
    expect(orderer).toContain(`IP Address:${hosts[ORDERER_ORG.slug]}`);
    expect(orderer).not.toContain('127.0.0.1');
  });

  it('orgs record and read across their addresses, and each app is ready on its own', async () => {
    const writing = gatewayFor(layout, HOSPITAL_A, 'recorder');
    const reading = gatewayFor(layout, HOSPITAL_A, 'auditor', REGULATOR);
    // Right after start-up discovery may not know every peer yet: a fresh id per attempt, so a retry
    // never collides with a first try that committed after all.
    let attempt = 0;
    try {
      const id = await eventually(
        'a write through HospitalA’s peer',
        async () => {
          const next = `${HOSPITAL_A.mspId}:hosts-${run}-${(attempt += 1)}`;
          await writing.gateway
            .getNetwork(CHANNEL)
            .getContract(CHAINCODE_NAME)
            .submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(interactionRequest(next)));
          return next;
        },
        undefined,
        90_000,
      );
      const stored = await eventually(
        `the Regulator's peer reads ${id}`,
        async () =>
          JSON.parse(
            decoder.decode(
              await reading.gateway
                .getNetwork(CHANNEL)
                .getContract(CHAINCODE_NAME)
                .evaluateTransaction(TRANSACTIONS.getInteraction, id),
            ),
          ) as unknown,
      );
      expect(stored).toMatchObject({ id, org: HOSPITAL_A.mspId });
    } finally {
      writing.close();
      reading.close();
    }
    for (const org of PEER_ORGS) {
      const app = layout.application(org);
      const ready = await eventually(
        `${org.name}'s app ready`,
        () => fetch(`http://${app.host}:${app.port}/readyz`),
        (r) => r.status === 200,
        60_000,
      );
      expect(ready.status).toBe(200);
    }
  });

  it('refuses to reuse the directory with other org addresses (the certificates name these)', async () => {
    const other = new FabricNetwork({ ...options, hosts: { ...hosts, [HOSPITAL_A.slug]: '127.0.2.99' } });
    await expect(other.up()).rejects.toThrow(NetworkError);
    await expect(other.up()).rejects.toThrow(/org hosts .*hospital-a=127\.0\.2\.2/);
  });
});
