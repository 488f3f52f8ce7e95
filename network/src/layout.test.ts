import { AUDIT_CHAINCODE, BENCH_BASELINE_CHAINCODE } from './chaincodes';
import { NetworkError } from './errors';
import { JOINING_ORG_INDEX } from './joining-org';
import { NetworkLayout } from './layout';
import { HOSPITAL_A, ORDERER_ORG, PEER_ORGS, REGULATOR } from './topology';

describe('NetworkLayout', () => {
  const layout = new NetworkLayout({ dir: '/tmp/net', basePort: 20000, orderers: 3, purgeIntervalBlocks: 1 });

  it('gives every listening socket its own port inside the 100-port block', () => {
    const ports = layout.allPorts().map(({ endpoint }) => endpoint.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.min(...ports)).toBeGreaterThanOrEqual(20000);
    expect(Math.max(...ports)).toBeLessThan(20100);
  });

  it('puts every port of an org on its host’s address, and names that address in its TLS certificates', () => {
    const hosts = { 'orderer-org': '10.77.0.1', 'hospital-a': '10.77.0.2', regulator: 'regulator.example' };
    const raft = new NetworkLayout({ dir: '/tmp/net', basePort: 20000, orderers: 3, purgeIntervalBlocks: 1, hosts });
    for (const { org, endpoint, reach } of raft.allPorts()) {
      const orgHost = hosts[org.slug as keyof typeof hosts] ?? '127.0.0.1';
      // What other hosts reach is on the org's address; host-only services without TLS stay on loopback.
      if (reach !== 'host') expect(endpoint.host).toBe(orgHost);
      else expect([orgHost, '127.0.0.1']).toContain(endpoint.host);
    }
    expect(raft.peerOperations(HOSPITAL_A).host).toBe('127.0.0.1');
    expect(raft.auditIndexDatabase(HOSPITAL_A).host).toBe('127.0.0.1');
    expect(raft.caOperations(HOSPITAL_A).host).toBe('127.0.0.1');
    expect(raft.ordererOperations(0).host).toBe('127.0.0.1');
    expect(raft.peerChaincodeEndpoint(HOSPITAL_A).host).toBe('127.0.0.1');
    // The app serves plain HTTP on loopback only: on a non-loopback host, 127.0.0.1 (behind the org's proxy).
    expect(raft.application(HOSPITAL_A)).toEqual({ host: '127.0.0.1', port: 20080 });
    expect(raft.aiGateway(HOSPITAL_A).host).toBe('127.0.0.1');
    expect(
      new NetworkLayout({ ...raft.options, hosts: { 'hospital-a': '127.0.3.2' } }).application(HOSPITAL_A).host,
    ).toBe('127.0.3.2');
    // The chaincode server is dialled by the org's peer over mutual TLS at the org's address.
    expect(raft.chaincodeServer(HOSPITAL_A).host).toBe('10.77.0.2');
    expect(raft.ordererEndpoint(1).host).toBe('10.77.0.1');
    expect(raft.peerEndpoint(HOSPITAL_A).host).toBe('10.77.0.2');
    expect(raft.tlsHostNames(REGULATOR)).toEqual(['localhost', 'regulator.example']);
    expect(layout.tlsHostNames(REGULATOR)).toEqual(['localhost', '127.0.0.1']);
    // With bft each member runs an orderer node: on the member's host.
    const bft = new NetworkLayout({
      dir: '/tmp/net',
      basePort: 20000,
      orderers: 3,
      purgeIntervalBlocks: 1,
      hosts,
      ordering: 'bft',
    });
    expect(bft.ordererEndpoint(bft.memberOrdererIndex(HOSPITAL_A) ?? -1).host).toBe('10.77.0.2');
  });

  it('adds one pprof port per peer, still unique and inside the block, only when profiling', () => {
    const profiled = new NetworkLayout({
      dir: '/tmp/net',
      basePort: 20000,
      orderers: 3,
      purgeIntervalBlocks: 1,
      profiling: true,
    });
    const ports = profiled.allPorts().map(({ endpoint }) => endpoint.port);
    expect(ports.length).toBe(layout.allPorts().length + 4);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports)).toBeLessThan(20100);
  });

  it('deploys the benchmark baseline chaincode only when asked, with its own servers and ports inside the block', () => {
    expect(layout.chaincodes()).toEqual([AUDIT_CHAINCODE]);
    const bench = new NetworkLayout({
      dir: '/tmp/net',
      basePort: 20000,
      orderers: 3,
      purgeIntervalBlocks: 1,
      benchBaseline: true,
    });
    expect(bench.chaincodes()).toEqual([AUDIT_CHAINCODE, BENCH_BASELINE_CHAINCODE]);
    const ports = bench.allPorts().map(({ endpoint }) => endpoint.port);
    expect(ports.length).toBe(layout.allPorts().length + 8);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports)).toBeLessThan(20100);
    expect(bench.chaincodeServer(HOSPITAL_A)).toEqual({ host: '127.0.0.1', port: 20060 });
    expect(bench.chaincodeServer(REGULATOR, BENCH_BASELINE_CHAINCODE)).toEqual({ host: '127.0.0.1', port: 20067 });
    // The other generation, which an upgrade runs beside the current servers.
    expect(bench.chaincodeServer(HOSPITAL_A, AUDIT_CHAINCODE, 1)).toEqual({ host: '127.0.0.1', port: 20056 });
    expect(bench.chaincodeServer(REGULATOR, BENCH_BASELINE_CHAINCODE, 1)).toEqual({ host: '127.0.0.1', port: 20038 });
    expect(bench.chaincodeProcess(HOSPITAL_A)).toBe('chaincode.hospital-a');
    expect(bench.chaincodeProcess(HOSPITAL_A, BENCH_BASELINE_CHAINCODE)).toBe(
      'chaincode.hospital-a.aal-bench-baseline',
    );
  });

  it("gives each org's audit index database (PostgreSQL) a port beside its app, with its data under the network dir", () => {
    expect(layout.auditIndexDatabase(HOSPITAL_A)).toEqual({ host: '127.0.0.1', port: 20085 });
    expect(layout.auditIndexDatabase(REGULATOR)).toEqual({ host: '127.0.0.1', port: 20088 });
    expect(
      layout
        .allPorts()
        .filter(({ owner }) => owner.startsWith('postgres.'))
        .map(({ owner, endpoint, reach, org }) => ({ owner, endpoint, reach, org: org.slug })),
    ).toEqual([
      { owner: 'postgres.hospital-a', endpoint: { host: '127.0.0.1', port: 20085 }, reach: 'host', org: 'hospital-a' },
      { owner: 'postgres.hospital-b', endpoint: { host: '127.0.0.1', port: 20086 }, reach: 'host', org: 'hospital-b' },
      {
        owner: 'postgres.ai-provider',
        endpoint: { host: '127.0.0.1', port: 20087 },
        reach: 'host',
        org: 'ai-provider',
      },
      { owner: 'postgres.regulator', endpoint: { host: '127.0.0.1', port: 20088 }, reach: 'host', org: 'regulator' },
    ]);
    expect(layout.postgresDataDir(HOSPITAL_A)).toBe('/tmp/net/postgres/hospital-a');
    expect(layout.auditIndexPasswordFile(HOSPITAL_A)).toBe('/tmp/net/orgs/hospital-a/audit-index-db-password');
  });

  it('binds everything to loopback', () => {
    expect(layout.allPorts().every(({ endpoint }) => endpoint.host === '127.0.0.1')).toBe(true);
  });

  it('derives a second network from another base port without overlap', () => {
    const other = new NetworkLayout({ dir: '/tmp/other', basePort: 20100, orderers: 1, purgeIntervalBlocks: 1 });
    const mine = new Set(layout.allPorts().map(({ endpoint }) => endpoint.port));
    expect(other.allPorts().some(({ endpoint }) => mine.has(endpoint.port))).toBe(false);
    expect(other.ordererIndexes()).toEqual([0]);
  });

  it('refuses a base port outside the usable range', () => {
    expect(() => new NetworkLayout({ dir: '/tmp/x', basePort: 80, orderers: 1, purgeIntervalBlocks: 1 })).toThrow(
      NetworkError,
    );
  });

  it('with BFT ordering runs one orderer per member org, from its own CA, and no orderer org CA, inside the block', () => {
    const bft = new NetworkLayout({
      dir: '/tmp/net',
      basePort: 20000,
      orderers: 3,
      ordering: 'bft',
      purgeIntervalBlocks: 1,
    });
    expect(bft.ordererIndexes()).toEqual([0, 1, 2, 3]);
    expect(bft.ordererIndexes().map((i) => bft.ordererOrg(i).mspId)).toEqual(PEER_ORGS.map((org) => org.mspId));
    expect(bft.ordererProcess(0)).toBe('orderer0.hospital-a');
    expect(bft.ordererIdentity(3).msp).toBe('/tmp/net/orgs/regulator/orderers/orderer0/msp');
    expect(bft.memberOrdererIndex(REGULATOR)).toBe(3);
    expect(layout.memberOrdererIndex(REGULATOR)).toBeUndefined();
    expect(bft.caOrgs().map((org) => org.mspId)).not.toContain(ORDERER_ORG.mspId);
    const ports = bft.allPorts().map(({ endpoint }) => endpoint.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports)).toBeLessThan(20100);
    expect(() => bft.ordererOrg(4)).toThrow(NetworkError);
  });

  describe('for an org that joins after the founding', () => {
    const hosts = { 'hospital-a': '10.77.0.1', regulator: '10.77.0.4', 'hospital-c': '10.77.0.9' };
    const joining = new NetworkLayout({
      dir: '/tmp/hospital-c',
      basePort: 20000,
      orderers: 3,
      ordering: 'bft',
      purgeIntervalBlocks: 1,
      hosts,
      member: 'hospital-c',
      joiningOrg: { name: 'HospitalC', mspId: 'HospitalCMSP' },
    });

    it('is the directory’s member, runs a CA, an orderer node, a peer, its app and AI gateway on its host', () => {
      const member = joining.member;
      expect(member).toEqual({
        name: 'HospitalC',
        mspId: 'HospitalCMSP',
        slug: 'hospital-c',
        index: JOINING_ORG_INDEX,
      });
      if (member === undefined) return;
      expect(joining.peerOrgs().map((org) => org.slug)).toEqual([...PEER_ORGS.map((org) => org.slug), 'hospital-c']);
      // Its node is orderer 4, beside the founders' 0..3 (which order the genesis blocks).
      expect(joining.memberOrdererIndex(member)).toBe(4);
      expect(joining.ordererIndexes()).toEqual([0, 1, 2, 3, 4]);
      expect(joining.foundingOrdererIndexes()).toEqual([0, 1, 2, 3]);
      expect(joining.ordererEndpoint(4)).toEqual({ host: '10.77.0.9', port: 20024 });
      expect(joining.ordererProcess(4)).toBe('orderer0.hospital-c');
      const own = joining.localPorts();
      expect(new Set(own.map((port) => port.owner))).toEqual(
        new Set([
          'ca.hospital-c',
          'orderer0.hospital-c',
          'peer0.hospital-c',
          'chaincode.hospital-c',
          'ai-gateway.hospital-c',
          'app.hospital-c',
          'postgres.hospital-c',
        ]),
      );
      const ports = own.map(({ endpoint }) => endpoint.port);
      expect(new Set(ports).size).toBe(ports.length);
      expect(Math.max(...ports)).toBeLessThan(20100);
      expect(joining.peerEndpoint(member)).toEqual({ host: '10.77.0.9', port: 20044 });
      // Founders are known from their imported definitions only.
      expect(joining.isLocal(HOSPITAL_A)).toBe(false);
      expect(joining.tlsRootCert(HOSPITAL_A)).toBe('/tmp/hospital-c/members/hospital-a/tls-root.pem');
    });

    it('refuses a host that a founding org uses, or none of its own', () => {
      const options = { ...joining.options, hosts: { ...hosts, 'hospital-c': '10.77.0.4' } };
      expect(() => new NetworkLayout(options)).toThrow(
        'HospitalC joins the consortium after its founding and runs on a host of its own',
      );
      expect(() => new NetworkLayout(options)).toThrow("(10.77.0.4 is Regulator's)");
      expect(() => new NetworkLayout({ ...joining.options, hosts: {} })).toThrow(NetworkError);
    });
  });
});
