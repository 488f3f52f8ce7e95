import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAiGatewayProcess, startApplication, writeGatewayProfile } from './applications';
import { auditIndexServer, startAuditIndexDatabase } from './audit-index-database';
import { removeDataDir } from './postgres-server';
import { ensureBinaries, type FabricBinaries } from './binaries';
import { OrgCertificateAuthority } from './certificate-authority';
import { ChaincodeDeployer, type MemberDeployment } from './chaincode-lifecycle';
import { AUDIT_CHAINCODE } from './chaincodes';
import { createChannelBlocks } from './channel-config';
import { joinOrderer, joinOrderers, joinPeer, joinPeers, ordererChannelHeight } from './channels';
import { takeGenesisBlocks, type FoundedChannel } from './channel-founding';
import { requireAllMembersImported, requireOrderingReachable } from './member-definitions';
import { issueOrgCrypto } from './crypto-material';
import { NetworkError } from './errors';
import { NetworkLayout, address, type ListeningPort, type NetworkOptions } from './layout';
import { startOrderer, startPeer, writePeerConfig } from './nodes';
import { findPostgresBinaries } from './postgres-binaries';
import type { PostgresServer } from './postgres-server';
import { ProcessSupervisor, isAlive, isListening } from './processes';
import { REPO_ROOT } from './paths';
import { log } from './progress';
import { CHANNELS, PEER_ORGS, channelsOf, type OrgSpec } from './topology';
import { DEFAULT_ORDERING, parseOrdering } from './ordering';
import { ORG_HOSTS_ENV, parseOrgHosts } from './org-hosts';

export { REPO_ROOT } from './paths';

/**
 * Options from the environment: AAL_NETWORK_DIR, AAL_BASE_PORT, AAL_ORDERING (`raft`|`bft`), AAL_ORDERERS,
 * AAL_PURGE_INTERVAL, AAL_ORG_HOSTS (unset: the existing network's).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env, joiningOrgSlug?: string): NetworkOptions {
  const dir = networkDirFromEnv(env);
  // Unset, the ordering is the existing network's (so `npm stop` or a second `npm start` need not repeat it).
  const ordering =
    env.AAL_ORDERING === undefined || env.AAL_ORDERING === ''
      ? (recordedOptions(dir)?.ordering ?? DEFAULT_ORDERING)
      : parseOrdering(env.AAL_ORDERING, 'AAL_ORDERING');
  const basePort = Number(env.AAL_BASE_PORT ?? 17000);
  const orderers = Number(env.AAL_ORDERERS ?? 3);
  const purgeIntervalBlocks = Number(env.AAL_PURGE_INTERVAL ?? 1);
  if (orderers !== 1 && orderers !== 3) {
    throw new NetworkError('INVALID_CONFIG', `AAL_ORDERERS must be 1 or 3, got '${env.AAL_ORDERERS}'`);
  }
  if (!Number.isInteger(purgeIntervalBlocks) || purgeIntervalBlocks < 1) {
    throw new NetworkError(
      'INVALID_CONFIG',
      `AAL_PURGE_INTERVAL must be a positive integer, got '${env.AAL_PURGE_INTERVAL}'`,
    );
  }
  // A member's own directory says whose it is (`npm run org -- init` records it), and names it when it joined later.
  const recorded = recordedOptions(dir);
  const member = recorded?.member;
  const joiningOrg = recorded?.joiningOrg;
  const joining = [joiningOrgSlug, joiningOrg === undefined ? undefined : member].filter(
    (slug): slug is string => slug !== undefined,
  );
  const hosts = env[ORG_HOSTS_ENV] === undefined ? recorded?.hosts : parseOrgHosts(env[ORG_HOSTS_ENV], joining);
  return {
    dir,
    basePort,
    orderers,
    ordering,
    purgeIntervalBlocks,
    ...(hosts === undefined ? {} : { hosts }),
    ...(member === undefined ? {} : { member }),
    ...(joiningOrg === undefined ? {} : { joiningOrg }),
  };
}

/** The network directory AAL_NETWORK_DIR names (default `.network` in the repository). */
export function networkDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.AAL_NETWORK_DIR ?? join(REPO_ROOT, '.network'));
}

/**
 * The org whose member directory `dir` is, as `npm run org -- init` recorded it (a founding org, or
 * one that joined later); undefined for the development network or a directory not yet created.
 */
export function recordedMember(dir: string): OrgSpec | undefined {
  const recorded = recordedOptions(dir);
  if (recorded?.member === undefined) return undefined;
  return new NetworkLayout({ ...recorded, dir }).member;
}

/** Org hosts as AAL_ORG_HOSTS writes them, sorted; `default` when every org is on 127.0.0.1. */
function hostsText(hosts: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(hosts ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'default' : entries.map(([slug, host]) => `${slug}=${host}`).join(',');
}

/** Whether two option sets name the same joining org (or none). */
function sameJoiningOrg(a: NetworkOptions, b: NetworkOptions): boolean {
  return a.joiningOrg?.name === b.joiningOrg?.name && a.joiningOrg?.mspId === b.joiningOrg?.mspId;
}

/** The file in a network directory that records the options the network was created with. */
function stateFile(dir: string): string {
  return join(dir, 'network.json');
}

/** The options the network in `dir` was created with, if there is one. */
function recordedOptions(dir: string): NetworkOptions | undefined {
  const file = stateFile(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as NetworkOptions) : undefined;
}

export interface ProcessStatus {
  readonly name: string;
  readonly pid: number;
  readonly running: boolean;
  readonly log: string;
}

/**
 * The whole local network: 3 (or 1) Raft orderers of the orderer org, or (`bft`) one SmartBFT orderer
 * per member org, one peer per org, one Fabric CA per org, a
 * chaincode server per org and a REST application per org, all local processes with TLS.
 * Every step is idempotent: `up` after `up` changes nothing, `down` stops only what was started.
 */
export class FabricNetwork {
  readonly layout: NetworkLayout;
  readonly supervisor: ProcessSupervisor;
  private binaries?: FabricBinaries;

  constructor(options: NetworkOptions) {
    this.layout = new NetworkLayout(options);
    this.supervisor = new ProcessSupervisor(this.layout.pidsDir, this.layout.serviceDefinitionsDir);
  }

  private async bins(): Promise<FabricBinaries> {
    this.binaries ??= await ensureBinaries();
    return this.binaries;
  }

  /** Refuses to reuse a directory created with other ports, orderer count or ordering. */
  private claimDirectory(): void {
    mkdirSync(this.layout.logsDir, { recursive: true });
    const options = this.layout.options;
    const previous = recordedOptions(this.layout.dir);
    if (previous !== undefined) {
      const previousOrdering = previous.ordering ?? DEFAULT_ORDERING;
      if (previous.member === options.member && !sameJoiningOrg(previous, options))
        throw new NetworkError(
          'INVALID_CONFIG',
          `${options.dir} is the member directory of ${previous.joiningOrg?.name ?? previous.member} ` +
            `(${previous.joiningOrg?.mspId ?? 'a founding org'}), not of ${options.joiningOrg?.name ?? options.member} ` +
            `(${options.joiningOrg?.mspId ?? 'a founding org'}): an org's name and MSP id do not change`,
        );
      if (previous.member !== options.member)
        throw new NetworkError(
          'INVALID_CONFIG',
          previous.member === undefined
            ? `${options.dir} holds the development network of every org, not a member's own directory: choose another AAL_NETWORK_DIR`
            : `${options.dir} is the member directory of '${previous.member}'` +
                (options.member === undefined
                  ? `: run its processes with 'npm run org -- up --org ${previous.member}'`
                  : `, not of '${options.member}': each member has a directory of its own`),
        );
      if (
        previous.basePort !== options.basePort ||
        previous.orderers !== options.orderers ||
        previousOrdering !== this.layout.ordering ||
        hostsText(previous.hosts) !== hostsText(options.hosts)
      ) {
        throw new NetworkError(
          'INVALID_CONFIG',
          `${options.dir} holds a network with base port ${previous.basePort}, ${previous.orderers} orderer(s), ` +
            `${previousOrdering} ordering and org hosts ${hostsText(previous.hosts)}; ` +
            `run 'npm run network -- down --purge' first or choose another AAL_NETWORK_DIR`,
        );
      }
      return;
    }
    writeFileSync(stateFile(this.layout.dir), JSON.stringify(options, null, 2));
  }

  /** Fails fast, naming the port, when something else already listens where we are about to. */
  private async checkPortsFree(ports: readonly ListeningPort[] = this.layout.allPorts()): Promise<void> {
    for (const { owner, endpoint } of ports) {
      if (this.supervisor.isRunning(owner)) continue;
      if (await isListening(endpoint)) {
        throw new NetworkError(
          'PORT_IN_USE',
          `port ${address(endpoint)} (for ${owner}) is already in use by another process; ` +
            `stop it or choose another AAL_BASE_PORT (this network uses ${this.layout.options.basePort}..${this.layout.options.basePort + 99})`,
        );
      }
    }
  }

  /**
   * What a member runs first on its own host (`npm run org -- init`): the org's Fabric CA on its
   * host's address, and every identity the org needs from it — its channel MSP, its node, admin,
   * chaincode-server and application identities, with TLS certificates for that address
   * ({@link NetworkOptions.hosts}). Nothing of another org is created or read. Idempotent: a second
   * run starts the CA if it is down and issues nothing again.
   */
  async initOrg(org: OrgSpec): Promise<void> {
    if (this.layout.options.member !== org.slug)
      throw new NetworkError('INVALID_CONFIG', `initOrg(${org.slug}) needs a layout of ${org.slug}'s member directory`);
    this.claimDirectory();
    await this.checkPortsFree(this.layout.portsOf(org).filter((port) => port.owner === this.layout.caProcess(org)));
    const ca = new OrgCertificateAuthority(this.layout, await this.bins(), this.supervisor, org);
    log(`starting ${org.name}'s certificate authority on ${address(this.layout.caEndpoint(org))}`);
    await ca.start();
    await issueOrgCrypto(this.layout, ca);
  }

  async up(): Promise<void> {
    // Cheap checks first: a port clash should not wait for a Fabric build to be reported.
    this.claimDirectory();
    this.refuseInMemberDirectory('npm run network -- up');
    await this.checkPortsFree();
    // The apps' audit index databases need PostgreSQL: say so now, not after the Fabric build.
    findPostgresBinaries();
    const bins = await this.bins();

    log('starting certificate authorities');
    const authorities = this.layout
      .caOrgs()
      .map((org) => new OrgCertificateAuthority(this.layout, bins, this.supervisor, org));
    await Promise.all(authorities.map((ca) => ca.start()));
    for (const ca of authorities) await issueOrgCrypto(this.layout, ca);

    const peerConfigDir = writePeerConfig(this.layout, bins);
    if (!CHANNELS.every((channel) => existsSync(this.layout.channelBlock(channel.name)))) {
      log('creating channel genesis blocks');
      await createChannelBlocks(this.layout, bins);
    }

    const orderers = this.layout.ordererIndexes();
    log(
      `starting ${orderers.length} ${this.layout.ordering === 'bft' ? 'SmartBFT (one per member)' : 'Raft'} orderer(s)`,
    );
    await Promise.all(orderers.map((i) => startOrderer(this.layout, bins, this.supervisor, i)));
    await joinOrderers(this.layout, bins);

    log('starting peers');
    await Promise.all(PEER_ORGS.map((org) => startPeer(this.layout, bins, this.supervisor, peerConfigDir, org)));
    await joinPeers(this.layout, bins, peerConfigDir);
    for (const org of PEER_ORGS) writeGatewayProfile(this.layout, org);
    log('network is up');
  }

  /** Whole-network commands run the development network only: a member's directory runs its own org alone. */
  private refuseInMemberDirectory(what: string): void {
    const member = this.layout.member;
    if (member !== undefined)
      throw new NetworkError(
        'INVALID_CONFIG',
        `${what} runs every org's processes, but ${this.layout.dir} is ${member.name}'s member directory: ` +
          `use 'npm run org -- up|deploy|app --org ${member.slug}'`,
      );
  }

  /**
   * A member's nodes, from its own directory (`npm run org -- up`): takes the founder's genesis
   * blocks from `handOverDir` (each checked against the member's own definition), starts its
   * orderer node and joins it to every channel (with bft every member orders all of them), starts its
   * peer and joins it to the org's channels, and writes its app's gateway profile. Idempotent.
   */
  async memberUp(org: OrgSpec, handOverDir: string): Promise<FoundedChannel[]> {
    if (this.layout.member?.mspId !== org.mspId)
      throw new NetworkError('INVALID_CONFIG', `${this.layout.dir} is not ${org.name}'s member directory`);
    if (this.layout.joiningMember !== undefined) return this.joiningMemberUp(org);
    requireAllMembersImported(this.layout, `starting ${org.name}'s nodes`);
    const bins = await this.bins();
    const blocks = await takeGenesisBlocks(this.layout, bins, handOverDir);
    await this.checkPortsFree(this.layout.localPorts());
    const peerConfigDir = writePeerConfig(this.layout, bins);
    const ca = new OrgCertificateAuthority(this.layout, bins, this.supervisor, org);
    await ca.start();
    const i = this.layout.memberOrdererIndex(org);
    if (i !== undefined) {
      log(`starting ${org.name}'s orderer node`);
      await startOrderer(this.layout, bins, this.supervisor, i);
      await joinOrderer(this.layout, bins, i, CHANNELS);
    }
    log(`starting ${org.name}'s peer`);
    await startPeer(this.layout, bins, this.supervisor, peerConfigDir, org);
    await joinPeer(this.layout, bins, peerConfigDir, org, channelsOf(org));
    writeGatewayProfile(this.layout, org);
    return blocks;
  }

  /**
   * `memberUp` of an org that joins after the founding: there are no genesis blocks to take; its CA,
   * its orderer node (`bft`) and its peer start, on no channel yet — `npm run org -- join` joins each
   * channel once the members' update adding it (and its node, as a consenter) commits.
   */
  private async joiningMemberUp(org: OrgSpec): Promise<FoundedChannel[]> {
    requireOrderingReachable(this.layout, `starting ${org.name}'s nodes`);
    const bins = await this.bins();
    await this.checkPortsFree(this.layout.localPorts());
    const peerConfigDir = writePeerConfig(this.layout, bins);
    await new OrgCertificateAuthority(this.layout, bins, this.supervisor, org).start();
    const i = this.layout.memberOrdererIndex(org);
    if (i !== undefined) {
      log(`starting ${org.name}'s orderer node (it orders each channel it joins)`);
      await startOrderer(this.layout, bins, this.supervisor, i);
    }
    log(`starting ${org.name}'s peer`);
    await startPeer(this.layout, bins, this.supervisor, peerConfigDir, org);
    writeGatewayProfile(this.layout, org);
    return [];
  }

  /** A member's part of deploying the audit chaincode (`npm run org -- deploy`): see {@link ChaincodeDeployer.deployForMember}. */
  async memberDeploy(org: OrgSpec): Promise<MemberDeployment[]> {
    if (this.layout.member?.mspId !== org.mspId)
      throw new NetworkError('INVALID_CONFIG', `${this.layout.dir} is not ${org.name}'s member directory`);
    const bins = await this.bins();
    return new ChaincodeDeployer(
      this.layout,
      bins,
      this.supervisor,
      writePeerConfig(this.layout, bins),
    ).deployForMember(org);
  }

  /** A member's audit index database and REST app (`npm run org -- app`); returns the app's base URL. */
  async memberStartApplication(org: OrgSpec): Promise<string> {
    if (this.layout.member?.mspId !== org.mspId)
      throw new NetworkError('INVALID_CONFIG', `${this.layout.dir} is not ${org.name}'s member directory`);
    const database = await startAuditIndexDatabase(this.layout, findPostgresBinaries(), this.supervisor, org);
    return startApplication(this.layout, this.supervisor, org, database);
  }

  /**
   * Deploys the network's chaincodes ({@link NetworkLayout.chaincodes}: the audit chaincode, and on
   * benchmark networks the baseline one too) and returns the audit chaincode's version.
   */
  async deploy(): Promise<string> {
    this.refuseInMemberDirectory('npm run network -- deploy');
    const bins = await this.bins();
    const deployer = new ChaincodeDeployer(this.layout, bins, this.supervisor, writePeerConfig(this.layout, bins));
    const channels = CHANNELS.map((channel) => channel.name).join(', ');
    const versions = new Map<string, string>();
    for (const chaincode of this.layout.chaincodes()) {
      const version = await deployer.deploy(chaincode);
      versions.set(chaincode.name, version);
      log(`chaincode ${chaincode.name} version ${version} deployed on ${channels}`);
    }
    return versions.get(AUDIT_CHAINCODE.name) ?? '';
  }

  /**
   * Starts each org's audit index database (PostgreSQL) and then one REST application per org;
   * returns the apps' base URLs by org name.
   */
  async startApplications(): Promise<Record<string, string>> {
    this.refuseInMemberDirectory('starting every org’s app');
    const postgres = findPostgresBinaries();
    log(`starting audit index databases (PostgreSQL ${postgres.major}, one per org)`);
    const started = await Promise.all(
      PEER_ORGS.map(async (org) => ({
        org,
        database: await startAuditIndexDatabase(this.layout, postgres, this.supervisor, org),
      })),
    );
    const urls: Record<string, string> = {};
    for (const { org, database } of started)
      urls[org.name] = await startApplication(this.layout, this.supervisor, org, database);
    return urls;
  }

  /**
   * The org's audit index server (PostgreSQL) as the network runs it, to stop and start it on its
   * own (tests of the apps' behaviour while it is down); `startApplications` starts it with the rest.
   */
  auditIndexServer(org: OrgSpec): PostgresServer {
    return auditIndexServer(this.layout, findPostgresBinaries(), this.supervisor, org);
  }

  /**
   * Stops the org's peer, waiting until it has exited (tests of what the peer serves from its files
   * after a restart); {@link startPeer} starts it again with the same configuration and data.
   */
  async stopPeer(org: OrgSpec): Promise<void> {
    await this.supervisor.stop(this.layout.peerProcess(org));
  }

  /**
   * Kills one of the network's processes by name with SIGKILL, at once (fault tests: a crash, not a
   * shutdown); resolves once it has exited. False when it was not running.
   */
  async kill(name: string): Promise<boolean> {
    return this.supervisor.stop(name, 0, 'SIGKILL');
  }

  /** Starts orderer `i` again on its existing data (after {@link kill} or a test stopped it); resolves when it listens. */
  async startOrderer(i: number): Promise<void> {
    await startOrderer(this.layout, await this.bins(), this.supervisor, i);
  }

  /** Starts the org's audit chaincode server again with its installed package; resolves when it listens. */
  async startChaincodeServer(org: OrgSpec): Promise<void> {
    const bins = await this.bins();
    await new ChaincodeDeployer(this.layout, bins, this.supervisor, writePeerConfig(this.layout, bins)).restartServer(
      org,
    );
  }

  /**
   * Starts the org's REST application again (after it stopped or was killed) with its audit index
   * server, which must be running; returns its base URL once it listens.
   */
  async startApplication(org: OrgSpec): Promise<string> {
    return startApplication(this.layout, this.supervisor, org, this.auditIndexServer(org));
  }

  /** Starts the org's AI gateway process again (after it stopped or was killed); resolves once it listens. */
  async startAiGateway(org: OrgSpec): Promise<void> {
    await startAiGatewayProcess(this.layout, this.supervisor, org);
  }

  /** Starts the org's peer on its existing data; resolves when it listens. */
  async startPeer(org: OrgSpec): Promise<void> {
    const bins = await this.bins();
    await startPeer(this.layout, bins, this.supervisor, writePeerConfig(this.layout, bins), org);
  }

  /** How many blocks of `channel` orderer `i` holds, as its own org's admin reads it from the node. */
  async ordererHeight(i: number, channel: string): Promise<number> {
    return ordererChannelHeight(this.layout, await this.bins(), i, channel);
  }

  /** The directory holding the org's peer's block files of `channel` (`blockfile_000000`, …). */
  peerBlockFilesDir(org: OrgSpec, channel: string): string {
    return join(
      this.layout.nodeDataDir(this.layout.peerProcess(org)),
      'production',
      'ledgersData',
      'chains',
      'chains',
      channel,
    );
  }

  status(): ProcessStatus[] {
    return this.supervisor
      .records()
      .map((record) => ({ name: record.name, pid: record.pid, running: isAlive(record), log: record.logFile }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Stops every process this network started (applications first, CAs last), then checks that
   * none of the network's ports still listens. `purge` also deletes all state.
   */
  async down(options: { purge?: boolean } = {}): Promise<void> {
    // The AI gateways first (their shipping needs the peers), databases after the apps, whose
    // connections a PostgreSQL shutdown would otherwise wait for.
    const order = ['ai-gateway.', 'app.', 'postgres.', 'chaincode.', 'peer0.', 'orderer', 'ca.'];
    const records = this.supervisor.records();
    for (const prefix of order) {
      await Promise.all(
        records.filter((record) => record.name.startsWith(prefix)).map((record) => this.supervisor.stop(record.name)),
      );
    }
    for (const record of this.supervisor.records()) await this.supervisor.stop(record.name);
    // A stopped process's listening sockets close with it, but give the kernel a moment before
    // calling a port "still listening".
    let stillListening: string[] = [];
    for (let attempt = 0; attempt < 25; attempt++) {
      stillListening = [];
      for (const { owner, endpoint } of this.layout.localPorts()) {
        if (await isListening(endpoint)) stillListening.push(`${address(endpoint)} (${owner})`);
      }
      if (stillListening.length === 0) break;
      await sleep(200);
    }
    if (options.purge) {
      // A server's data may live outside the network directory (see UNREACHABLE_DATA_BASE).
      for (const org of this.layout.peerOrgs().filter((candidate) => this.layout.isLocal(candidate)))
        removeDataDir(this.layout.postgresDataDir(org));
      rmSync(this.layout.dir, { recursive: true, force: true });
    }
    if (stillListening.length > 0) {
      throw new NetworkError(
        'NODE_UNHEALTHY',
        `after stopping, these ports still listen: ${stillListening.join(', ')}`,
      );
    }
  }
}
