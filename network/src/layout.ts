import { AUDIT_INDEX_LOCATION_FILE } from '@aal/application';
import { join } from 'node:path';
import { AUDIT_CHAINCODE, BENCH_BASELINE_CHAINCODE, type ChaincodeGeneration, type ChaincodeSpec } from './chaincodes';
import { NetworkError } from './errors';
import { JOINING_ORG_INDEX, JOINING_ORG_POSITION, joiningOrg, type JoiningOrgName } from './joining-org';
import { DEFAULT_ORDERING, type OrderingType } from './ordering';
import { APP_ROLES, ORDERER_ORG, PEER_ORGS, type AppRole, type OrgSpec } from './topology';

/** Where one network's state lives and which ports it uses. */
export interface NetworkOptions {
  /** Directory holding all crypto material, ledgers, logs and PID files of this network. */
  readonly dir: string;
  /** First port of the block of 100 this network uses (see {@link NetworkLayout}). */
  readonly basePort: number;
  /** Raft orderers: 3 for a crash-tolerant ordering service, 1 for quick dev runs (ignored with `bft`). */
  readonly orderers: 1 | 3;
  /**
   * `raft` (default): the orderer org's Raft nodes; `bft`: one SmartBFT orderer node per member org,
   * with an identity from that org's CA (see {@link OrderingType}).
   */
  readonly ordering?: OrderingType;
  /** Peer private-data purge interval in blocks (Fabric's default is 100). */
  readonly purgeIntervalBlocks: number;
  /** Serve Go's pprof on each peer at {@link NetworkLayout.peerProfile} (loopback), for profiling benchmarks; off by default. */
  readonly profiling?: boolean;
  /**
   * Also deploy the benchmark's baseline chaincode (`aal-bench-baseline`, servers at B+64..67).
   * Only the benchmarks set this; the production and test networks run the audit chaincode alone.
   */
  readonly benchBaseline?: boolean;
  /**
   * The address (IPv4 or host name) of each org's host, by org slug: its processes listen there, the
   * other orgs dial it, and its TLS certificates name it. An org not named uses {@link HOST}. Set with
   * AAL_ORG_HOSTS; fixed when the network is created (the certificates carry it).
   */
  readonly hosts?: Readonly<Record<string, string>>;
  /**
   * The slug of the one org this directory belongs to, when it is a member's own directory
   * (`npm run org -- init`): only that org's processes run from it and only it has keys here; every
   * other org is known from the public definition it exported, imported under `members/<slug>/`.
   * Unset: the development network, where one directory holds every org.
   */
  readonly member?: string;
  /**
   * The name and MSP id of {@link member} when it is not one of the founding orgs (topology.ts) but
   * an org that joins channels later, by the members' update adding it (see joining-org.ts); set by
   * `npm run org -- init --name … --msp-id …`. Such an org runs on a host of its own.
   */
  readonly joiningOrg?: JoiningOrgName;
}

/** A loopback address: what the REST app may listen on. */
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)$/;

/** Where an org's processes listen unless {@link NetworkOptions.hosts} names another address. */
export const HOST = '127.0.0.1';

/** An address a client dials: the host of the org that runs the process, and a port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Who must reach a port: every member's nodes (`consortium`), the org's own clients and admins
 * (`org`), or only processes on the same host (`host`; a firewall keeps it closed).
 */
export type PortReach = 'consortium' | 'org' | 'host';

/** What each kind of process is, by its name's first part (`peer0.hospital-a` → `peer`). */
const PROCESS_ROLES: Readonly<Record<string, string>> = {
  ca: 'Fabric CA',
  orderer: 'orderer node',
  peer: 'peer',
  chaincode: 'chaincode server',
  app: 'REST app',
  'ai-gateway': 'AI gateway',
  postgres: 'audit index database (PostgreSQL)',
};

/** One port a process of the network listens on. */
export interface ListeningPort {
  /** The org whose host runs the process. */
  readonly org: OrgSpec;
  /** The process's name (its PID file, log file and service unit). */
  readonly owner: string;
  /** What the process is, for people: `peer`, `Fabric CA`, … */
  readonly ownerRole: string;
  readonly endpoint: Endpoint;
  /** What the port serves, for people. */
  readonly serves: string;
  readonly reach: PortReach;
}

export function address(endpoint: Endpoint): string {
  return `${endpoint.host}:${endpoint.port}`;
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface IdentityPaths {
  readonly name: string;
  readonly msp: string;
  readonly tls: TlsFiles;
}

/**
 * Derives every port and path of a network from its options, so two networks (the one `npm start`
 * runs and a test network) can run side by side just by choosing different base ports and dirs.
 *
 * Ports, relative to the base port B:
 * - B+0..4 CA listen, B+10..14 CA operations (index 0 is the orderer org's CA, which `bft` does not run)
 * - B+20..22 orderer listen, B+25..27 orderer admin, B+30..32 orderer operations (`raft`);
 *   with `bft` B+20..23, B+25..28 and B+30..33, orderer i being member org i's (PEER_ORGS order)
 * - B+40..43 peer listen, B+45..48 peer chaincode, B+50..53 peer operations (one peer per org)
 * - B+60..63 chaincode servers, B+56..59 while an upgrade runs the next code beside them (B+64..67
 *   and B+35..38 the benchmark's baseline chaincode's, when deployed),
 *   B+70..73 peer pprof (profiling only), B+75..78 the apps' AI gateways, B+80..83 REST applications,
 *   B+85..88 the apps' audit index databases (PostgreSQL, one server per org)
 *
 * An org that joins after the founding (`joiningOrg`, index 5) takes position 4 of each block of
 * peer-org ports (B+44, B+49, B+54, B+74, B+64 and B+60 for its chaincode generations, B+79, B+84,
 * B+89), CA ports B+5/B+15 and, with `bft`, orderer 4's B+24/B+29/B+34; as these overlap other
 * blocks, it must run on a host of its own, which the constructor checks.
 */
/** First port offset of each server slot's block of four chaincode servers, by generation. */
const CHAINCODE_SERVER_PORT_BLOCKS = [
  [60, 56],
  [64, 35],
] as const;

export class NetworkLayout {
  constructor(readonly options: NetworkOptions) {
    if (!Number.isInteger(options.basePort) || options.basePort < 1024 || options.basePort > 65_435) {
      throw new NetworkError('INVALID_CONFIG', `base port must be an integer in 1024..65435, got ${options.basePort}`);
    }
    const joining = this.joiningMember;
    if (joining !== undefined) {
      const sharing = PEER_ORGS.filter((org) => this.hostOf(org) === this.hostOf(joining));
      if (sharing.length > 0 || this.hostOf(joining) === HOST)
        throw new NetworkError(
          'INVALID_CONFIG',
          `${joining.name} joins the consortium after its founding and runs on a host of its own: name that host's ` +
            `address in AAL_ORG_HOSTS (${joining.slug}=<address>), one no founding org uses` +
            (sharing.length > 0 ? ` (${this.hostOf(joining)} is ${sharing.map((org) => org.name).join(', ')}'s)` : ''),
        );
    }
  }

  get dir(): string {
    return this.options.dir;
  }

  get ordering(): OrderingType {
    return this.options.ordering ?? DEFAULT_ORDERING;
  }

  /** Orgs that run a Fabric CA: every member, plus the orderer org when it runs the (Raft) ordering service. */
  caOrgs(): readonly OrgSpec[] {
    return this.ordering === 'bft' ? this.peerOrgs() : [ORDERER_ORG, ...this.peerOrgs()];
  }

  /** The orgs with a peer this layout knows: the founding members, and the member whose directory this is if it joined later. */
  peerOrgs(): readonly OrgSpec[] {
    const joining = this.joiningMember;
    return joining === undefined ? PEER_ORGS : [...PEER_ORGS, joining];
  }

  /** The org whose own directory this is ({@link NetworkOptions.member}); undefined on the development network. */
  get member(): OrgSpec | undefined {
    const slug = this.options.member;
    if (slug === undefined) return undefined;
    const joining = this.joiningMember;
    if (joining !== undefined) return joining;
    const org = [ORDERER_ORG, ...PEER_ORGS].find((candidate) => candidate.slug === slug);
    if (org === undefined) throw new NetworkError('INVALID_CONFIG', `this directory belongs to unknown org '${slug}'`);
    return org;
  }

  /** The member of this directory when it is an org outside the founding consortium ({@link NetworkOptions.joiningOrg}). */
  get joiningMember(): OrgSpec | undefined {
    const { member, joiningOrg: name } = this.options;
    if (name === undefined) return undefined;
    if (member === undefined)
      throw new NetworkError('INVALID_CONFIG', `a joining org (${name.name}) needs the member directory's slug`);
    return joiningOrg(member, name);
  }

  /** Whether `org`'s keys and processes are in this directory: every org's on the development network, else the member's alone. */
  isLocal(org: OrgSpec): boolean {
    const member = this.member;
    return member === undefined || member.mspId === org.mspId;
  }

  /** Where another member's public files, imported from its exported definition, are kept in a member's directory. */
  memberDefinitionDir(org: OrgSpec): string {
    return join(this.dir, 'members', org.slug);
  }

  /**
   * The root certificate that `org`'s TLS certificates chain to (its CA's), as a file: the org's own
   * CA certificate where it runs here, else the one its imported definition names.
   */
  tlsRootCert(org: OrgSpec): string {
    return this.isLocal(org) ? this.caCert(org) : join(this.memberDefinitionDir(org), 'tls-root.pem');
  }

  /** The signing certificate of orderer `i` (what `ConsenterMapping` names; imported for another member's node). */
  ordererSignCert(i: number): string {
    const org = this.ordererOrg(i);
    return this.isLocal(org)
      ? join(this.ordererIdentity(i).msp, 'signcerts', 'cert.pem')
      : join(this.memberDefinitionDir(org), 'orderer-identity.pem');
  }

  /** The TLS certificate of orderer `i` (its consenter's client and server certificate). */
  ordererTlsCert(i: number): string {
    const org = this.ordererOrg(i);
    return this.isLocal(org)
      ? this.ordererIdentity(i).tls.cert
      : join(this.memberDefinitionDir(org), 'orderer-tls.pem');
  }

  /**
   * The org that runs orderer `i`: the orderer org with `raft`; with `bft`, founding member `i`, or
   * — orderer {@link PEER_ORGS}.length in its own directory — the member that joined later.
   */
  ordererOrg(i: number): OrgSpec {
    if (this.ordering === 'raft') return ORDERER_ORG;
    const joining = this.joiningMember;
    const org = joining !== undefined && i === JOINING_ORG_POSITION ? joining : PEER_ORGS[i];
    if (org === undefined) throw new NetworkError('INVALID_CONFIG', `no orderer ${i}: BFT runs one per member org`);
    return org;
  }

  /** The address of `org`'s host ({@link NetworkOptions.hosts}). */
  hostOf(org: OrgSpec): string {
    return this.options.hosts?.[org.slug] ?? HOST;
  }

  /** The names a TLS certificate of `org`'s processes carries: its host's address, and `localhost`. */
  tlsHostNames(org: OrgSpec): string[] {
    return [...new Set(['localhost', this.hostOf(org)])];
  }

  /**
   * Port `offset` of `org`: on its host's address, or on loopback (`local`) for what only processes
   * on the same host use and that has no TLS of its own (operations endpoints, pprof, the peer's
   * chaincode listener, PostgreSQL) — never exposed on the org's network address.
   */
  private port(offset: number, org: OrgSpec, scope: 'network' | 'local' = 'network'): Endpoint {
    return { host: scope === 'local' ? HOST : this.hostOf(org), port: this.options.basePort + offset };
  }

  private peerIndex(org: OrgSpec): number {
    // A founder's peer position is its index − 1 too (HospitalA: index 1, position 0).
    if (org.index === JOINING_ORG_INDEX && this.joiningMember?.mspId === org.mspId) return JOINING_ORG_POSITION;
    const index = PEER_ORGS.findIndex((candidate) => candidate.mspId === org.mspId);
    if (index < 0) throw new NetworkError('INVALID_CONFIG', `${org.name} runs no peer`);
    return index;
  }

  // ---- ports -------------------------------------------------------------------------------

  caEndpoint(org: OrgSpec): Endpoint {
    return this.port(org.index, org);
  }

  caOperations(org: OrgSpec): Endpoint {
    return this.port(10 + org.index, org, 'local');
  }

  ordererEndpoint(i: number): Endpoint {
    return this.port(20 + i, this.ordererOrg(i));
  }

  ordererAdmin(i: number): Endpoint {
    return this.port(25 + i, this.ordererOrg(i));
  }

  ordererOperations(i: number): Endpoint {
    return this.port(30 + i, this.ordererOrg(i), 'local');
  }

  peerEndpoint(org: OrgSpec): Endpoint {
    return this.port(40 + this.peerIndex(org), org);
  }

  peerChaincodeEndpoint(org: OrgSpec): Endpoint {
    return this.port(45 + this.peerIndex(org), org, 'local');
  }

  peerOperations(org: OrgSpec): Endpoint {
    return this.port(50 + this.peerIndex(org), org, 'local');
  }

  /** The peer's pprof listener (`/debug/pprof/…`), only when the network runs with `profiling`. */
  peerProfile(org: OrgSpec): Endpoint {
    return this.port(70 + this.peerIndex(org), org, 'local');
  }

  /** Where the org's server of `chaincode` listens: its slot's block of four ports for that generation. */
  chaincodeServer(
    org: OrgSpec,
    chaincode: ChaincodeSpec = AUDIT_CHAINCODE,
    generation: ChaincodeGeneration = 0,
  ): Endpoint {
    return this.port(CHAINCODE_SERVER_PORT_BLOCKS[chaincode.serverSlot][generation] + this.peerIndex(org), org);
  }

  /**
   * The org's REST app. It serves plain HTTP and listens on loopback only (the app refuses any other
   * address): on the org's host address when that is a loopback one (the development network),
   * else on 127.0.0.1 — the org's clients reach it through a TLS-terminating proxy on the host.
   */
  application(org: OrgSpec): Endpoint {
    return this.port(80 + this.peerIndex(org), org, this.loopbackScope(org));
  }

  /** The org's AI gateway (OpenAI-compatible), a process of its own beside the app; loopback as {@link application}. */
  aiGateway(org: OrgSpec): Endpoint {
    return this.port(75 + this.peerIndex(org), org, this.loopbackScope(org));
  }

  /** `network` when the org's host address is a loopback one, else `local` (127.0.0.1). */
  private loopbackScope(org: OrgSpec): 'network' | 'local' {
    return LOOPBACK_HOST.test(this.hostOf(org)) ? 'network' : 'local';
  }

  /** The org's PostgreSQL server, which holds its app's audit index. */
  auditIndexDatabase(org: OrgSpec): Endpoint {
    return this.port(85 + this.peerIndex(org), org, 'local');
  }

  /** The chaincodes this network deploys: the audit chaincode, plus the baseline on benchmark networks. */
  chaincodes(): readonly ChaincodeSpec[] {
    return this.options.benchBaseline === true ? [AUDIT_CHAINCODE, BENCH_BASELINE_CHAINCODE] : [AUDIT_CHAINCODE];
  }

  /**
   * Orderer numbers: 0..2 (or 0) with `raft`; with `bft` one per member org: the founders' 0..3, and
   * in the directory of a member that joined later its own node too (4), which the update adding the
   * member to a channel makes one of that channel's consenters.
   */
  ordererIndexes(): number[] {
    if (this.ordering !== 'bft') return Array.from({ length: this.options.orderers }, (_, i) => i);
    const founders = PEER_ORGS.map((_, i) => i);
    return this.joiningMember === undefined ? founders : [...founders, JOINING_ORG_POSITION];
  }

  /** The founding members' orderer numbers (`bft`: those of the genesis blocks), or every node with `raft`. */
  foundingOrdererIndexes(): number[] {
    return this.ordererIndexes().filter((i) => this.ordering !== 'bft' || i < PEER_ORGS.length);
  }

  /**
   * Every port this network listens on: the process that owns it, that process's org, what the
   * port serves and who must be able to reach it (what a member's firewall opens, docs/deployment.md).
   */
  allPorts(): ListeningPort[] {
    const ports: ListeningPort[] = [];
    const add = (org: OrgSpec, owner: string, endpoint: Endpoint, serves: string, reach: PortReach): void => {
      ports.push({
        org,
        owner,
        ownerRole: PROCESS_ROLES[owner.split('.')[0]?.replace(/\d+$/, '') ?? ''] ?? owner,
        endpoint,
        serves,
        reach,
      });
    };
    for (const org of this.caOrgs()) {
      add(org, this.caProcess(org), this.caEndpoint(org), 'Fabric CA API (enrolment, revocation)', 'org');
      add(org, this.caProcess(org), this.caOperations(org), 'CA operations (health, metrics)', 'host');
    }
    for (const i of this.ordererIndexes()) {
      const org = this.ordererOrg(i);
      const owner = this.ordererProcess(i);
      add(org, owner, this.ordererEndpoint(i), 'orderer gRPC (broadcast, deliver, consensus cluster)', 'consortium');
      add(org, owner, this.ordererAdmin(i), 'orderer channel participation API (mutual TLS)', 'org');
      add(org, owner, this.ordererOperations(i), 'orderer operations (health, metrics)', 'host');
    }
    for (const org of this.peerOrgs()) {
      const peer = this.peerProcess(org);
      add(org, peer, this.peerEndpoint(org), 'peer gRPC (endorsement, gateway, deliver, gossip)', 'consortium');
      add(org, peer, this.peerChaincodeEndpoint(org), 'peer chaincode listener', 'host');
      add(org, peer, this.peerOperations(org), 'peer operations (health, metrics)', 'host');
      if (this.options.profiling === true) add(org, peer, this.peerProfile(org), 'peer pprof (benchmarks)', 'host');
      for (const chaincode of this.chaincodes())
        for (const generation of [0, 1] as const)
          add(
            org,
            this.chaincodeProcess(org, chaincode),
            this.chaincodeServer(org, chaincode, generation),
            `chaincode server ${chaincode.name} (generation ${generation}, dialled by the org's peer)`,
            'host',
          );
      // On a host whose address is not a loopback one the app listens on 127.0.0.1, behind the org's proxy.
      const appReach = this.loopbackScope(org) === 'local' ? 'host' : 'org';
      add(org, this.applicationProcess(org), this.application(org), 'REST API', appReach);
      add(org, this.aiGatewayProcess(org), this.aiGateway(org), 'OpenAI-compatible AI gateway', appReach);
      add(org, this.postgresProcess(org), this.auditIndexDatabase(org), 'audit index PostgreSQL', 'host');
    }
    return ports;
  }

  /** The ports of `org`'s own processes (its CA, orderer, peer, chaincode servers, app, database). */
  portsOf(org: OrgSpec): ListeningPort[] {
    return this.allPorts().filter((port) => port.org.slug === org.slug);
  }

  /** The ports of the processes this directory runs: all of them, or in a member's directory its own. */
  localPorts(): ListeningPort[] {
    return this.allPorts().filter((port) => this.isLocal(port.org));
  }

  // ---- process names -----------------------------------------------------------------------

  caProcess(org: OrgSpec): string {
    return `ca.${org.slug}`;
  }

  /** `orderer<i>.orderer-org` with `raft`; `orderer0.<member>` with `bft` (each member runs one). */
  ordererProcess(i: number): string {
    return `${this.ordererIdentity(i).name}.${this.ordererOrg(i).slug}`;
  }

  peerProcess(org: OrgSpec): string {
    return `peer0.${org.slug}`;
  }

  /** `chaincode.<org>` for the audit chaincode, `chaincode.<org>.<name>` for another one. */
  chaincodeProcess(org: OrgSpec, chaincode: ChaincodeSpec = AUDIT_CHAINCODE): string {
    return chaincode.name === AUDIT_CHAINCODE.name
      ? `chaincode.${org.slug}`
      : `chaincode.${org.slug}.${chaincode.name}`;
  }

  applicationProcess(org: OrgSpec): string {
    return `app.${org.slug}`;
  }

  aiGatewayProcess(org: OrgSpec): string {
    return `ai-gateway.${org.slug}`;
  }

  postgresProcess(org: OrgSpec): string {
    return `postgres.${org.slug}`;
  }

  // ---- paths -------------------------------------------------------------------------------

  get logsDir(): string {
    return join(this.dir, 'logs');
  }

  get pidsDir(): string {
    return join(this.dir, 'pids');
  }

  /** How each process was last started (service-definition.ts), for generated service units. */
  get serviceDefinitionsDir(): string {
    return join(this.dir, 'services');
  }

  get configDir(): string {
    return join(this.dir, 'config');
  }

  get channelsDir(): string {
    return join(this.dir, 'channels');
  }

  logFile(processName: string): string {
    return join(this.logsDir, `${processName}.log`);
  }

  caHome(org: OrgSpec): string {
    return join(this.dir, 'ca', org.slug, 'server');
  }

  caClientHome(org: OrgSpec): string {
    return join(this.dir, 'ca', org.slug, 'registrar');
  }

  /** The CA's bootstrap (registrar) secret, generated once (mode 0600, directory 0700). */
  caRegistrarSecret(org: OrgSpec): string {
    return join(this.dir, 'ca', org.slug, 'registrar-secret');
  }

  /** The CA's own certificate: the root of both the org's MSP and its TLS certificates. */
  caCert(org: OrgSpec): string {
    return join(this.caHome(org), 'ca-cert.pem');
  }

  orgDir(org: OrgSpec): string {
    return join(this.dir, 'orgs', org.slug);
  }

  /**
   * The org's channel MSP (CA certs, NodeOU config and CRLs, no keys): what configtxgen reads. In a
   * member's directory another org's is the one written from its imported definition.
   */
  orgMsp(org: OrgSpec): string {
    return this.isLocal(org) ? join(this.orgDir(org), 'msp') : join(this.memberDefinitionDir(org), 'msp');
  }

  private identity(org: OrgSpec, kind: string, name: string): IdentityPaths {
    const base = join(this.orgDir(org), kind, name);
    const tls = join(base, 'tls');
    return {
      name,
      msp: join(base, 'msp'),
      tls: { cert: join(tls, 'server.crt'), key: join(tls, 'server.key'), ca: join(tls, 'ca.crt') },
    };
  }

  ordererIdentity(i: number): IdentityPaths {
    const org = this.ordererOrg(i);
    return this.identity(org, 'orderers', org.mspId === ORDERER_ORG.mspId ? `orderer${i}` : 'orderer0');
  }

  /** The member org's own orderer number with `bft`; undefined with `raft` (members run none). */
  memberOrdererIndex(org: OrgSpec): number | undefined {
    return this.ordererIndexes().find((i) => this.ordererOrg(i).mspId === org.mspId);
  }

  peerIdentity(org: OrgSpec): IdentityPaths {
    return this.identity(org, 'peers', 'peer0');
  }

  chaincodeServerIdentity(org: OrgSpec): IdentityPaths {
    return this.identity(org, 'services', 'chaincode');
  }

  adminIdentity(org: OrgSpec): IdentityPaths {
    return this.identity(org, 'users', 'Admin');
  }

  appUserIdentity(org: OrgSpec, role: AppRole): IdentityPaths {
    return this.identity(org, 'users', `app-${role}`);
  }

  appRoles(): readonly AppRole[] {
    return APP_ROLES;
  }

  nodeDataDir(processName: string): string {
    return join(this.dir, 'nodes', processName);
  }

  channelBlock(channel: string): string {
    return join(this.channelsDir, `${channel}.block`);
  }

  chaincodePackageDir(org: OrgSpec): string {
    return join(this.dir, 'chaincode', org.slug);
  }

  /** Enrollment ids and secrets of the org's application users (mode 0600), for the app's own enrollment. */
  appEnrollmentSecrets(org: OrgSpec): string {
    return join(this.orgDir(org), 'app-enrollment-secrets.json');
  }

  /** Where the org's app keeps the identities it enrolled (directory 0700, files 0600). */
  appWallet(org: OrgSpec): string {
    return join(this.orgDir(org), 'app-wallet');
  }

  /** The org's PostgreSQL data directory (owned by the server's user, mode 0700). */
  postgresDataDir(org: OrgSpec): string {
    return join(this.dir, 'postgres', org.slug);
  }

  /** The password of the org's app on its audit index database (mode 0600), read by the app. */
  auditIndexPasswordFile(org: OrgSpec): string {
    return join(this.orgDir(org), 'audit-index-db-password');
  }

  /** Where the org's audit index lives (no secret), for operator commands: written when its database starts. */
  auditIndexLocationFile(org: OrgSpec): string {
    return join(this.orgDir(org), AUDIT_INDEX_LOCATION_FILE);
  }

  /** What an org's application needs to reach its peer: written by `up`, read by the app. */
  gatewayProfile(org: OrgSpec): string {
    return join(this.orgDir(org), 'gateway-profile.json');
  }
}
