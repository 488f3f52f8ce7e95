import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FabricBinaries } from './binaries';
import { AUDIT_CHAINCODE, CHAINCODE_DIR, type ChaincodeGeneration, type ChaincodeSpec } from './chaincodes';
import { isNoApprovedDefinition } from './approved-definition';
import { chaincodeServerEnv } from './chaincode-server-env';
import { run } from './command';
import { NetworkError } from './errors';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { channelsToKeep } from './gateway-profile-channels';
import { ordererCliArgs, peerCliEnv } from './nodes';
import { waitForListening, type ProcessSupervisor } from './processes';
import { log } from './progress';
import { CHANNELS, PEER_ORGS, channelsOf, type OrgSpec } from './topology';

/** How often a member's commit is tried when concurrent lifecycle transactions invalidate it. */
const MEMBER_COMMIT_ATTEMPTS = 5;

/** How long an approval the peer CLI gave up on may still show as ordered before it is sent again. */
const LATE_APPROVAL_WAIT_MS = 30_000;

const SHIM_CLI = resolve(require.resolve('fabric-shim/package.json'), '..', 'cli.js');

/** The process of the org's next `chaincode` server while an upgrade runs it beside the current one. */
function nextProcess(layout: NetworkLayout, org: OrgSpec, chaincode: ChaincodeSpec): string {
  return `${layout.chaincodeProcess(org, chaincode)}.next`;
}

/** Where a member's upgrade under way is noted (`deployForMember`): the version its next server runs, until the switch. */
function rollFile(layout: NetworkLayout, org: OrgSpec, chaincode: ChaincodeSpec): string {
  return join(layout.chaincodePackageDir(org), `${chaincode.name}.rolling.json`);
}

/** Where the deployer notes which generation (and package) the org's last deployed server uses. */
function activeGenerationFile(layout: NetworkLayout, org: OrgSpec, chaincode: ChaincodeSpec): string {
  return join(layout.chaincodePackageDir(org), `${chaincode.name}.active.json`);
}

/** Where a member's deploy left one of its channels: committed, or waiting for more approvals. */
export type MemberDeployment =
  | { readonly channel: string; readonly committed: CommittedDefinition }
  | { readonly channel: string; readonly approvals: { readonly approved: number; readonly needed: number } };

/** What is committed on a channel for a chaincode, as `querycommitted` reports it. */
export interface CommittedDefinition {
  readonly sequence: number;
  readonly version: string;
}

/**
 * The chaincode version is a digest of the built code: the same code always gives the same
 * version, and changed code gives a new version and therefore a new definition sequence. The built
 * code includes the workspace packages the chaincode runs with (`@aal/*` dependencies, i.e. the
 * contract's record schemas), which its server resolves from `node_modules`: a changed schema is
 * changed validation, so it must be a new version too.
 */
export function chaincodeVersion(chaincodeDir = CHAINCODE_DIR): string {
  const dist = join(chaincodeDir, 'dist');
  if (!existsSync(join(dist, 'index.js'))) {
    throw new NetworkError(
      'NOT_INITIALISED',
      `chaincode in ${chaincodeDir} is not built (${dist}/index.js missing): run 'npm run build'`,
    );
  }
  const hash = createHash('sha256');
  const files = [join(chaincodeDir, 'package.json'), ...listFiles(dist).filter((file) => file.endsWith('.js'))];
  for (const file of files.sort()) {
    hash.update(relative(chaincodeDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  for (const [name, files] of workspaceDependencyCode(chaincodeDir)) {
    for (const { path, relativePath } of files)
      hash.update(`${name}/${relativePath}`).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The directory of package `name` as `from` resolves it: the nearest one above its entry with its package.json. */
function packageDirOf(name: string, from: string): string {
  let dir = dirname(require.resolve(name, { paths: [from] }));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name)
      return dir;
    dir = dirname(dir);
  }
  throw new NetworkError('NOT_INITIALISED', `cannot find the package directory of ${name} from ${from}`);
}

/** The built `.js` files of each `@aal/*` dependency of the chaincode, sorted, by package name. */
function workspaceDependencyCode(chaincodeDir: string): [string, { path: string; relativePath: string }[]][] {
  const manifest = JSON.parse(readFileSync(join(chaincodeDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {})
    .filter((name) => name.startsWith('@aal/'))
    .sort()
    .map((name) => {
      const packageDir = packageDirOf(name, chaincodeDir);
      const files = listFiles(join(packageDir, 'dist'))
        .filter((file) => file.endsWith('.js'))
        .sort()
        .map((path) => ({ path, relativePath: relative(packageDir, path) }));
      return [name, files];
    });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/**
 * Deploys a chaincode with the Fabric lifecycle, as chaincode-as-a-service: per org, a package
 * naming that org's own chaincode server is installed on that org's peer and the server is run with
 * the package id; each org approves the definition; one admin commits it with every member's peer.
 * Idempotent: when the committed version equals the built code's version nothing is redefined.
 */
export class ChaincodeDeployer {
  constructor(
    private readonly layout: NetworkLayout,
    private readonly binaries: FabricBinaries,
    private readonly supervisor: ProcessSupervisor,
    private readonly peerConfigDir: string,
  ) {}

  /**
   * Deploys `chaincode` (by default the audit chaincode) on every channel; returns its version.
   * Changed code is rolled out beside the running code: the new servers start at the other
   * generation's addresses (under `<name>.next`), the new definition is approved and committed on
   * every channel, and only then are the old servers stopped — at no moment does a peer find, at the
   * address its committed package names, a server of another package.
   */
  async deploy(chaincode: ChaincodeSpec = AUDIT_CHAINCODE): Promise<string> {
    const version = chaincodeVersion(chaincode.dir);
    const label = `${chaincode.name}_${version}`;
    const committed = new Map<string, CommittedDefinition | undefined>();
    for (const channel of CHANNELS)
      committed.set(channel.name, await this.queryCommitted(channel.orgs[0] as OrgSpec, channel.name, chaincode.name));
    const stale = CHANNELS.filter((channel) => committed.get(channel.name)?.version !== version);
    const anyDefined = [...committed.values()].some((definition) => definition !== undefined);

    const packageIds = new Map<string, string>();
    const rolling: { org: OrgSpec; generation: ChaincodeGeneration }[] = [];
    for (const org of PEER_ORGS) {
      const active = this.activeServer(org, chaincode);
      if (stale.length === 0 || !anyDefined) {
        // Nothing to roll: (re)start the servers at the generation the committed packages name.
        const generation = stale.length === 0 ? (active?.generation ?? 0) : 0;
        const packageId = await this.install(org, chaincode, label, generation);
        packageIds.set(org.mspId, packageId);
        await this.startServer(org, chaincode, packageId, generation, this.layout.chaincodeProcess(org, chaincode));
        this.noteGeneration(org, chaincode, generation);
        continue;
      }
      // The definitions still name the active generation's package: the new code goes to the other one.
      const generation: ChaincodeGeneration = active?.generation === 1 ? 0 : 1;
      const packageId = await this.install(org, chaincode, label, generation);
      packageIds.set(org.mspId, packageId);
      await this.startServer(org, chaincode, packageId, generation, nextProcess(this.layout, org, chaincode));
      rolling.push({ org, generation });
    }
    for (const channel of stale) {
      const sequence = (committed.get(channel.name)?.sequence ?? 0) + 1;
      for (const org of channel.orgs) {
        log(`${org.name} approves ${chaincode.name} ${version} (sequence ${sequence}) on ${channel.name}`);
        await this.approve(org, channel.name, chaincode.name, version, sequence, packageIds.get(org.mspId) ?? '');
      }
      log(`committing ${chaincode.name} ${version} on ${channel.name}`);
      await this.commit(channel.name, chaincode.name, version, sequence, channel.orgs[0] as OrgSpec, channel.orgs);
    }
    for (const channel of CHANNELS.filter((candidate) => !stale.includes(candidate)))
      log(
        `${chaincode.name} ${version} already committed on ${channel.name} (sequence ${committed.get(channel.name)?.sequence})`,
      );
    // Every channel names the new packages now: the old servers go, the new ones take their names.
    for (const { org, generation } of rolling) {
      const name = this.layout.chaincodeProcess(org, chaincode);
      await this.supervisor.stop(name);
      this.supervisor.rename(nextProcess(this.layout, org, chaincode), name);
      this.noteGeneration(org, chaincode, generation);
      log(`${org.name}'s ${chaincode.name} server ${version} replaced the previous one`);
    }
    return version;
  }

  /**
   * Lets an org that joined `channel` after the chaincode was defined run it there: installs the
   * org's package of the generation its server runs (the one its other channels name) and approves
   * the committed definition (same name, version and sequence) for the org. The channel's
   * endorsement policies are `MAJORITY` implicit-meta policies, so the committed definition already
   * counts the new member: no new definition is needed. Returns the committed definition, or
   * undefined when the chaincode is not defined on the channel (nothing to approve yet).
   */
  async approveCommittedFor(
    org: OrgSpec,
    channel: string,
    chaincode: ChaincodeSpec = AUDIT_CHAINCODE,
  ): Promise<CommittedDefinition | undefined> {
    const committed = await this.queryCommitted(org, channel, chaincode.name);
    if (committed === undefined) return undefined;
    const built = chaincodeVersion(chaincode.dir);
    // The org's server runs this host's code under the committed definition: it must be that code.
    if (built !== committed.version)
      throw new NetworkError(
        'INVALID_CONFIG',
        `${chaincode.name} ${committed.version} (sequence ${committed.sequence}) is committed on ${channel}, and this ` +
          `host built ${built}: check out the release the consortium runs, then join again`,
      );
    const generation = this.recordedGeneration(org, chaincode)?.generation ?? 0;
    const packageId = await this.install(org, chaincode, `${chaincode.name}_${committed.version}`, generation);
    // An org that joins its first channel has no server yet: without one its peer cannot endorse there.
    if (!this.supervisor.isRunning(this.layout.chaincodeProcess(org, chaincode))) {
      log(`starting ${org.name}'s ${chaincode.name} server`);
      await this.startServer(org, chaincode, packageId, generation, this.layout.chaincodeProcess(org, chaincode));
      this.noteGeneration(org, chaincode, generation);
    }
    // Only Fabric's "nothing approved" answer means approve now; an unreachable peer or a broken
    // approval is reported (approvedVersion throws), not papered over by approving again.
    const approved = (await this.approvedVersion(org, channel, chaincode.name, committed.sequence)) !== undefined;
    if (approved) {
      log(`${org.name} approved ${chaincode.name} (sequence ${committed.sequence}) on ${channel} already`);
      return committed;
    }
    log(`${org.name} approves ${chaincode.name} ${committed.version} (sequence ${committed.sequence}) on ${channel}`);
    await this.approve(org, channel, chaincode.name, committed.version, committed.sequence, packageId);
    return committed;
  }

  /**
   * A member's own part of deploying `chaincode` (`npm run org -- deploy`, in its own directory), on
   * each of its channels (the topology's and those it joined): it approves the built code's
   * definition for its org — the committed one when that is the built code, else the next sequence
   * (1 on a channel with none) — and commits it once a majority of the channel's members approved
   * (the last of them to approve does, endorsed by the peers of the approving orgs it knows).
   *
   * An upgrade (a definition of other code is committed) rolls out as on the development network:
   * the member's new server starts beside the running one, at the other generation's address (under
   * `<name>.next`), and its package is what the org approves; once the new definition is committed on
   * every channel of the org, the old server stops and the new one takes its name — at no moment does
   * the org's peer find, at the address its committed package names, a server of another package.
   * Members upgrade one after another: each runs `deploy` once its host has built the new release,
   * and one that approved before the commit finishes the switch on its next `deploy`.
   * Returns, per channel, what is committed or how many approvals are still missing.
   */
  async deployForMember(org: OrgSpec, chaincode: ChaincodeSpec = AUDIT_CHAINCODE): Promise<MemberDeployment[]> {
    const version = chaincodeVersion(chaincode.dir);
    const own = channelsOf(org).map((channel) => channel.name);
    const channels = channelsToKeep(this.layout.gatewayProfile(org), own);
    const committed = new Map<string, CommittedDefinition | undefined>();
    for (const channel of channels) committed.set(channel, await this.queryCommitted(org, channel, chaincode.name));
    const roll = this.recordedRoll(org, chaincode);
    for (const [channel, definition] of committed) {
      if (definition === undefined || definition.version === version) continue;
      // The consortium moved on to code this org never approved: this host is behind, not upgrading.
      if ((await this.approvedVersion(org, channel, chaincode.name, definition.sequence)) !== definition.version)
        throw new NetworkError(
          'INVALID_CONFIG',
          `${chaincode.name} ${definition.version} (sequence ${definition.sequence}) is committed on ${channel}, which ` +
            `${org.name} has not approved, and this host built ${version}: build the release the consortium runs ` +
            `and deploy it; only then propose other code`,
        );
      // A definition names the package this org's next server runs: replacing that server would leave it unserved.
      if (roll !== undefined && roll.version !== version && definition.version === roll.version)
        throw new NetworkError(
          'INVALID_CONFIG',
          `${chaincode.name} ${roll.version} is committed on ${channel} and served by ${org.name}'s next server, and this ` +
            `host now built ${version}: build ${roll.version} again and deploy to finish that upgrade first`,
        );
    }
    const upgrading = [...committed.values()].some(
      (definition) => definition !== undefined && definition.version !== version,
    );
    const next = nextProcess(this.layout, org, chaincode);
    // A roll under way: this org approved the new code before another member committed it. Its state
    // is kept on disk, so a stop or a crash mid-roll does not lose which generation the approval names.
    const rolling = upgrading || roll !== undefined;
    const active = this.recordedGeneration(org, chaincode)?.generation ?? 0;
    const generation: ChaincodeGeneration = rolling ? (active === 1 ? 0 : 1) : active;
    const packageId = await this.install(org, chaincode, `${chaincode.name}_${version}`, generation);
    if (rolling) writeFileSync(rollFile(this.layout, org, chaincode), JSON.stringify({ version, generation }));
    await this.startServer(
      org,
      chaincode,
      packageId,
      generation,
      rolling ? next : this.layout.chaincodeProcess(org, chaincode),
    );
    if (!rolling) this.noteGeneration(org, chaincode, generation);
    const outcomes: MemberDeployment[] = [];
    for (const channel of channels) {
      const current = committed.get(channel);
      if (current?.version === version) {
        await this.approveOnce(org, channel, chaincode.name, version, current.sequence, packageId);
        outcomes.push({ channel, committed: current });
        continue;
      }
      if (current === undefined && !own.includes(channel)) {
        log(`${chaincode.name} is not defined on ${channel} yet: its founding members define it`);
        continue;
      }
      const sequence = (current?.sequence ?? 0) + 1;
      await this.approveOnce(org, channel, chaincode.name, version, sequence, packageId);
      const approvals = await this.approvals(org, channel, chaincode.name, version, sequence);
      const members = Object.keys(approvals).length;
      const needed = Math.floor(members / 2) + 1;
      // Only the approving orgs whose peers this directory can dial endorse the commit.
      const reachable = this.reachableApprovers(approvals);
      if (reachable.length < needed) {
        outcomes.push({ channel, approvals: { approved: Object.values(approvals).filter(Boolean).length, needed } });
        continue;
      }
      log(
        `committing ${chaincode.name} ${version} (sequence ${sequence}) on ${channel} (${reachable.length} of ${members} approved)`,
      );
      await this.commitAsMember(org, channel, chaincode.name, version, sequence, approvals);
      outcomes.push({ channel, committed: { sequence, version } });
    }
    const everywhere = outcomes.every((outcome) => 'committed' in outcome && outcome.committed.version === version);
    if (rolling && everywhere) {
      // Every channel of the org names the new package now: the old server goes, the new one takes its name.
      // The generation is noted first: a crash after it restarts the server at the address the definitions name.
      const name = this.layout.chaincodeProcess(org, chaincode);
      this.noteGeneration(org, chaincode, generation);
      await this.supervisor.stop(name);
      this.supervisor.rename(next, name);
      rmSync(rollFile(this.layout, org, chaincode), { force: true });
      log(`${org.name}'s ${chaincode.name} server ${version} replaced the previous one`);
    }
    return outcomes;
  }

  /** The member upgrade under way for the org, if any: the version and generation its next server runs. */
  private recordedRoll(
    org: OrgSpec,
    chaincode: ChaincodeSpec,
  ): { version: string; generation: ChaincodeGeneration } | undefined {
    const file = rollFile(this.layout, org, chaincode);
    if (!existsSync(file)) return undefined;
    const { version, generation } = JSON.parse(readFileSync(file, 'utf8')) as { version: string; generation: number };
    return { version, generation: generation === 1 ? 1 : 0 };
  }

  /** The orgs that approved and whose peers this directory can dial: the founding orgs (the port plan), and its own. */
  private reachableApprovers(approvals: Record<string, boolean>): OrgSpec[] {
    return this.layout.peerOrgs().filter((member) => approvals[member.mspId] === true);
  }

  /**
   * Approves `version` at `sequence` for `org` unless it approved that version there already (before
   * a commit an org may approve a sequence again: another build is replaced by this one).
   */
  private async approveOnce(
    org: OrgSpec,
    channel: string,
    name: string,
    version: string,
    sequence: number,
    packageId: string,
  ): Promise<void> {
    if ((await this.approvedVersion(org, channel, name, sequence)) === version) return;
    log(`${org.name} approves ${name} ${version} (sequence ${sequence}) on ${channel}`);
    try {
      await this.approve(org, channel, name, version, sequence, packageId);
    } catch (error) {
      // An orderer node took the approval but its peer did not see it committed in time: the node may
      // have restarted and still be catching up, or a SmartBFT view change may be under way. The
      // approval may yet be ordered; if not, it goes once more through another member's node.
      if (!(error instanceof Error && /timed out waiting for txid/.test(error.message))) throw error;
      if (await this.becomesApproved(org, channel, name, version, sequence)) return;
      log(
        `${org.name}'s approval on ${channel} was not committed in time; approving again through another orderer node`,
      );
      try {
        await this.approve(org, channel, name, version, sequence, packageId, { notOwn: true });
      } catch (retryError) {
        // The first transaction ordered meanwhile makes the second a redefinition: the same outcome.
        if ((await this.approvedVersion(org, channel, name, sequence)) === version) return;
        throw retryError;
      }
    }
  }

  /** Whether `org`'s approval of `version` at `sequence` shows on its peer within {@link LATE_APPROVAL_WAIT_MS}. */
  private async becomesApproved(
    org: OrgSpec,
    channel: string,
    name: string,
    version: string,
    sequence: number,
  ): Promise<boolean> {
    const deadline = Date.now() + LATE_APPROVAL_WAIT_MS;
    do {
      if ((await this.approvedVersion(org, channel, name, sequence)) === version) return true;
      await sleep(2_000);
    } while (Date.now() < deadline);
    return false;
  }

  /**
   * Commits as `org` with the peers of the members that approved and that this directory can dial
   * (the founding orgs, whose endpoints the port plan gives; a peer endorses a commit only for a
   * definition its own org approved). Members deploying at the same time may both commit: the later
   * commit, or one ordered in the block of a last approval, is invalidated (MVCC_READ_CONFLICT) and
   * is tried again with fresh approvals, unless the definition is committed by then — the same outcome.
   */
  private async commitAsMember(
    org: OrgSpec,
    channel: string,
    name: string,
    version: string,
    sequence: number,
    approvals: Record<string, boolean>,
  ): Promise<void> {
    let current = approvals;
    for (let attempt = 1; ; attempt++) {
      const endorsers = this.reachableApprovers(current);
      try {
        await this.commit(channel, name, version, sequence, org, endorsers);
        return;
      } catch (error) {
        const conflict = error instanceof Error && /MVCC_READ_CONFLICT/.test(error.message);
        // The conflicting transaction may be another member's commit, which this peer may not have yet.
        if (conflict) await sleep(1000 * attempt);
        if ((await this.queryCommitted(org, channel, name))?.version === version) return;
        if (!conflict || attempt >= MEMBER_COMMIT_ATTEMPTS) throw error;
        log(`the commit on ${channel} conflicted with another member's transaction; trying again`);
        try {
          current = await this.approvals(org, channel, name, version, sequence);
        } catch (readError) {
          // Committed since (the readiness check then asks for the next sequence): the same outcome.
          if ((await this.queryCommitted(org, channel, name))?.version === version) return;
          throw readError;
        }
      }
    }
  }

  /** The version of `name` that `org` approved at `sequence` on `channel`, if it approved one. */
  private async approvedVersion(
    org: OrgSpec,
    channel: string,
    name: string,
    sequence: number,
  ): Promise<string | undefined> {
    return run(
      this.binaries.peer,
      [
        'lifecycle',
        'chaincode',
        'queryapproved',
        '--channelID',
        channel,
        '--name',
        name,
        '--sequence',
        String(sequence),
        '--output',
        'json',
      ],
      { env: peerCliEnv(this.layout, this.peerConfigDir, org) },
    ).then(
      ({ stdout }) => (JSON.parse(stdout) as { version?: string }).version ?? '',
      (error: unknown) => {
        if (error instanceof Error && isNoApprovedDefinition(error.message, name, sequence, channel)) return undefined;
        throw error;
      },
    );
  }

  /** Which members approved the definition (`checkcommitreadiness`), by MSP id. */
  private async approvals(
    org: OrgSpec,
    channel: string,
    name: string,
    version: string,
    sequence: number,
  ): Promise<Record<string, boolean>> {
    const { stdout } = await run(
      this.binaries.peer,
      [
        'lifecycle',
        'chaincode',
        'checkcommitreadiness',
        '--channelID',
        channel,
        '--name',
        name,
        '--version',
        version,
        '--sequence',
        String(sequence),
        '--output',
        'json',
      ],
      { env: peerCliEnv(this.layout, this.peerConfigDir, org) },
    );
    return (JSON.parse(stdout) as { approvals?: Record<string, boolean> }).approvals ?? {};
  }

  /** Notes the generation the org's committed package names, for a start after `npm stop` or a crash. */
  private noteGeneration(org: OrgSpec, chaincode: ChaincodeSpec, generation: ChaincodeGeneration): void {
    writeFileSync(activeGenerationFile(this.layout, org, chaincode), JSON.stringify({ generation }));
  }

  /** The org's running server of `chaincode`: its generation, from the address it serves. */
  private activeServer(org: OrgSpec, chaincode: ChaincodeSpec): { generation: ChaincodeGeneration } | undefined {
    const args = this.supervisor.record(this.layout.chaincodeProcess(org, chaincode))?.args ?? [];
    const at = args.indexOf('--chaincode-address');
    const served = at < 0 ? undefined : args[at + 1];
    if (served === undefined) return this.recordedGeneration(org, chaincode);
    return { generation: served === address(this.layout.chaincodeServer(org, chaincode, 1)) ? 1 : 0 };
  }

  /**
   * The generation the org's committed package names, as the last deploy left it (the servers may
   * be stopped, e.g. after `npm stop`): noted in the org's package directory by {@link noteGeneration}.
   */
  private recordedGeneration(org: OrgSpec, chaincode: ChaincodeSpec): { generation: ChaincodeGeneration } | undefined {
    const file = activeGenerationFile(this.layout, org, chaincode);
    if (!existsSync(file)) return undefined;
    const { generation } = JSON.parse(readFileSync(file, 'utf8')) as { generation: ChaincodeGeneration };
    return { generation: generation === 1 ? 1 : 0 };
  }

  /**
   * Starts the org's server of `chaincode` again with the package the last deploy ran, at that
   * package's generation (after it died or was killed); nothing is redefined. Resolves when it listens.
   */
  async restartServer(org: OrgSpec, chaincode: ChaincodeSpec = AUDIT_CHAINCODE): Promise<void> {
    const generation = this.recordedGeneration(org, chaincode)?.generation ?? 0;
    const packageId = await this.install(
      org,
      chaincode,
      `${chaincode.name}_${chaincodeVersion(chaincode.dir)}`,
      generation,
    );
    await this.startServer(org, chaincode, packageId, generation, this.layout.chaincodeProcess(org, chaincode));
  }

  /**
   * Builds this org's ccaas package naming its server at `generation`'s address (deterministic
   * bytes) and installs it on the org's peer.
   */
  private async install(
    org: OrgSpec,
    chaincode: ChaincodeSpec,
    label: string,
    generation: ChaincodeGeneration,
  ): Promise<string> {
    const env = peerCliEnv(this.layout, this.peerConfigDir, org);
    const dir = this.layout.chaincodePackageDir(org);
    const file = join(dir, `${label}${generation === 0 ? '' : `.g${generation}`}.tar.gz`);
    if (!existsSync(file)) {
      this.stagePackage(org, chaincode, label, dir, generation);
      await this.packFromStaging(dir, file);
    }
    const { stdout: idOut } = await run(this.binaries.peer, ['lifecycle', 'chaincode', 'calculatepackageid', file], {
      env,
    });
    const packageId = idOut.trim();
    const { stdout } = await run(this.binaries.peer, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], {
      env,
    });
    const installed =
      (JSON.parse(stdout || '{}') as { installed_chaincodes?: { package_id: string }[] }).installed_chaincodes ?? [];
    if (!installed.some((entry) => entry.package_id === packageId)) {
      log(`installing ${label} on ${org.name}'s peer`);
      await run(this.binaries.peer, ['lifecycle', 'chaincode', 'install', file], { env, timeoutMs: 300_000 });
    }
    return packageId;
  }

  private stagePackage(
    org: OrgSpec,
    chaincode: ChaincodeSpec,
    label: string,
    dir: string,
    generation: ChaincodeGeneration,
  ): void {
    const server = this.layout.chaincodeServerIdentity(org);
    const peer = this.layout.peerIdentity(org);
    const staging = join(dir, 'staging');
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'code'), { recursive: true });
    // The peer dials its own org's chaincode server over mutual TLS: it presents its TLS
    // certificate, and trusts only the org CA that issued the server's certificate.
    const connection = {
      address: address(this.layout.chaincodeServer(org, chaincode, generation)),
      dial_timeout: '10s',
      tls_required: true,
      client_auth_required: true,
      client_cert: readFileSync(peer.tls.cert, 'utf8'),
      client_key: readFileSync(peer.tls.key, 'utf8'),
      root_cert: readFileSync(server.tls.ca, 'utf8'),
    };
    writeFileSync(join(staging, 'code', 'connection.json'), JSON.stringify(connection, null, 2), { mode: 0o600 });
    writeFileSync(join(staging, 'metadata.json'), JSON.stringify({ label, type: 'ccaas' }));
  }

  private async packFromStaging(dir: string, file: string): Promise<void> {
    const staging = join(dir, 'staging');
    // Fixed owners, mtimes and no gzip name/time: the same inputs give the same package id.
    const script =
      'set -euo pipefail; cd "$1"; ' +
      'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C code -cf - connection.json | gzip -n > code.tar.gz; ' +
      'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - metadata.json code.tar.gz | gzip -n > "$2"';
    await run('bash', ['-c', script, 'package', staging, file]);
    rmSync(staging, { recursive: true, force: true });
  }

  /**
   * Runs the org's server of `packageId` at `generation`'s address under process `name` (the org's
   * chaincode process, or its `.next` during an upgrade), unless it already runs.
   */
  private async startServer(
    org: OrgSpec,
    chaincode: ChaincodeSpec,
    packageId: string,
    generation: ChaincodeGeneration,
    name: string,
  ): Promise<void> {
    const current = this.supervisor.record(name);
    if (current && this.supervisor.isRunning(name) && current.args.includes(packageId)) return;
    if (current) await this.supervisor.stop(name);
    const tls = this.layout.chaincodeServerIdentity(org).tls;
    this.supervisor.start({
      name,
      command: process.execPath,
      args: [
        SHIM_CLI,
        'server',
        '--chaincode-address',
        address(this.layout.chaincodeServer(org, chaincode, generation)),
        '--chaincode-id',
        packageId,
        '--chaincode-tls-cert-file',
        tls.cert,
        '--chaincode-tls-key-file',
        tls.key,
        '--chaincode-tls-client-cacert-file',
        tls.ca,
        '--module-path',
        chaincode.dir,
      ],
      env: chaincodeServerEnv(org),
      cwd: chaincode.dir,
      // The next generation logs into the same file: one file per org's server, across upgrades.
      logFile: this.layout.logFile(this.layout.chaincodeProcess(org, chaincode)),
    });
    await waitForListening(this.supervisor, name, this.layout.chaincodeServer(org, chaincode, generation));
  }

  async queryCommitted(
    org: OrgSpec,
    channel: string,
    name = AUDIT_CHAINCODE.name,
  ): Promise<CommittedDefinition | undefined> {
    const env = peerCliEnv(this.layout, this.peerConfigDir, org);
    try {
      const { stdout } = await run(
        this.binaries.peer,
        ['lifecycle', 'chaincode', 'querycommitted', '--channelID', channel, '--name', name, '--output', 'json'],
        { env },
      );
      const definition = JSON.parse(stdout) as { sequence: number; version: string };
      return { sequence: Number(definition.sequence), version: definition.version };
    } catch (error) {
      if (error instanceof Error && /not (be )?found|does not exist|is not defined/i.test(error.message))
        return undefined;
      throw error;
    }
  }

  private async approve(
    org: OrgSpec,
    channel: string,
    name: string,
    version: string,
    sequence: number,
    packageId: string,
    orderer: { notOwn?: boolean } = {},
  ): Promise<void> {
    await run(
      this.binaries.peer,
      [
        'lifecycle',
        'chaincode',
        'approveformyorg',
        ...ordererCliArgs(this.layout, org, orderer),
        '--channelID',
        channel,
        '--name',
        name,
        '--version',
        version,
        '--sequence',
        String(sequence),
        '--package-id',
        packageId,
        '--waitForEventTimeout',
        '60s',
      ],
      { env: peerCliEnv(this.layout, this.peerConfigDir, org) },
    );
  }

  /**
   * Commits the definition, endorsed by the peers of `endorsers` (every member of the channel by
   * default): each endorsing peer refuses unless its own org approved the definition.
   */
  private async commit(
    channel: string,
    name: string,
    version: string,
    sequence: number,
    committer: OrgSpec,
    endorsers: readonly OrgSpec[],
  ): Promise<void> {
    const peers = endorsers.flatMap((org) => [
      '--peerAddresses',
      address(this.layout.peerEndpoint(org)),
      '--tlsRootCertFiles',
      this.layout.tlsRootCert(org),
    ]);
    await run(
      this.binaries.peer,
      [
        'lifecycle',
        'chaincode',
        'commit',
        ...ordererCliArgs(this.layout, committer),
        '--channelID',
        channel,
        '--name',
        name,
        '--version',
        version,
        '--sequence',
        String(sequence),
        ...peers,
        '--waitForEventTimeout',
        '60s',
      ],
      { env: peerCliEnv(this.layout, this.peerConfigDir, committer) },
    );
  }
}
