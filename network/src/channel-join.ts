/**
 * `npm run org -- join`: an org that the channel's members have added (a committed `add-member`
 * update) joins its peer to the channel and approves the committed chaincode definition, acting as
 * its own admin against its own peer and the ordering service only — nothing of another org's is
 * needed on its host. When the update made the org's own orderer node a consenter (`bft`), that
 * node joins the channel too, from the channel's latest config block.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FabricBinaries } from './binaries';
import { ChaincodeDeployer, type CommittedDefinition } from './chaincode-lifecycle';
import type { ChannelConfigJson } from './channel-config-json';
import { consenters } from './channel-consenters';
import { joinOrdererFromConfigBlock, ordererChannelInfo } from './channels';
import { run } from './command';
import { Configtxlator } from './configtxlator';
import { NetworkError } from './errors';
import { addChannelToGatewayProfile, type ProfileChannelOutcome } from './gateway-profile-channels';
import type { NetworkLayout } from './layout';
import { ordererCliArgs, peerCliEnv, writePeerConfig } from './nodes';
import type { ProcessSupervisor } from './processes';
import { log } from './progress';
import type { OrgSpec } from './topology';

/** What a join did. */
export interface ChannelJoin {
  /** False when the org's peer had joined the channel before. */
  readonly joined: boolean;
  /** The channel's height on the org's peer once it caught up with the ordering service. */
  readonly height: number;
  /** The chaincode definition the org approved (or had approved), if one is committed. */
  readonly chaincode: CommittedDefinition | undefined;
  /** What happened to the channel in the org's gateway profile (the list of channels the org is on). */
  readonly profile: ProfileChannelOutcome;
  /** The org's own orderer node on the channel, when the channel names it a consenter: whether it joined now, and its height. */
  readonly orderer: { readonly joined: boolean; readonly height: number } | undefined;
}

/** How long the peer may take to catch up with the channel's blocks before the join is reported stuck. */
const CATCH_UP_TIMEOUT_MS = 600_000;

/** The block number `peer channel fetch` reports (`Received block: N`). */
function receivedBlock(output: string): number {
  const match = /Received block: (\d+)/.exec(output);
  if (match === null) throw new NetworkError('COMMAND_FAILED', `peer channel fetch reported no block: ${output}`);
  return Number(match[1]);
}

/**
 * The org's peer's height of `channel` (`peer channel getinfo`), or 0 while the peer refuses the
 * org's admin: a peer that joined from the genesis block judges by the config it has reached, and
 * the org is a member only from the config block that added it.
 */
async function peerHeight(binaries: FabricBinaries, env: NodeJS.ProcessEnv, channel: string): Promise<number> {
  let stdout: string;
  try {
    ({ stdout } = await run(binaries.peer, ['channel', 'getinfo', '-c', channel], { env }));
  } catch (error) {
    if (error instanceof NetworkError && /access denied/.test(error.message)) return 0;
    throw error;
  }
  const start = stdout.indexOf('{');
  const info = JSON.parse(start < 0 ? '{}' : stdout.slice(start)) as { height?: number };
  if (typeof info.height !== 'number') throw new NetworkError('COMMAND_FAILED', `peer channel getinfo: ${stdout}`);
  return info.height;
}

/**
 * Joins `org`'s peer to `channel` from the channel's genesis block, fetched from the ordering
 * service as the org's admin (which the orderers allow only once the org is a member: a join
 * before the update commits is refused with the reason), waits until the peer has caught up, and
 * approves the committed chaincode definition for the org. Idempotent.
 */
export async function joinChannel(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  supervisor: ProcessSupervisor,
  org: OrgSpec,
  channel: string,
): Promise<ChannelJoin> {
  const peerConfigDir = writePeerConfig(layout, binaries);
  const env = peerCliEnv(layout, peerConfigDir, org);
  const ordererArgs = ordererCliArgs(layout, org);
  const dir = mkdtempSync(join(tmpdir(), 'aal-join-'));
  try {
    const fetch = async (which: string): Promise<number> => {
      try {
        const { stdout, stderr } = await run(
          binaries.peer,
          ['channel', 'fetch', which, join(dir, `${which}.block`), '-c', channel, ...ordererArgs],
          // The block number is an INFO line ("Received block: N").
          { env: { ...env, FABRIC_LOGGING_SPEC: 'INFO' } },
        );
        return receivedBlock(`${stderr}\n${stdout}`);
      } catch (error) {
        if (error instanceof NetworkError && /NOT_FOUND/.test(error.message))
          throw new NetworkError(
            'INVALID_CONFIG',
            `the ordering service has no channel ${channel}: check the name ('npm run org -- join --channel <name>')`,
            { cause: error },
          );
        if (error instanceof NetworkError && /FORBIDDEN|access denied/i.test(error.message))
          throw new NetworkError(
            'NOT_A_MEMBER',
            `the ordering service refuses ${org.name} the blocks of channel ${channel}: ${org.name} is not a member ` +
              `of it (yet). A member proposes the addition ('npm run org -- propose-add'), a majority of the ` +
              `channel's admins sign it, and it is submitted; join after that update is committed`,
            { cause: error },
          );
        throw error;
      }
    };
    const { stdout: list } = await run(binaries.peer, ['channel', 'list'], { env });
    const joinedBefore = list.split('\n').some((line) => line.trim() === channel);
    const newest = await fetch('newest');
    if (!joinedBefore) {
      await fetch('0');
      log(`${org.name}'s peer joins ${channel}`);
      await run(binaries.peer, ['channel', 'join', '--blockpath', join(dir, '0.block')], { env });
    }
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    let height = await peerHeight(binaries, env, channel);
    let reported = 0;
    while (height <= newest) {
      if (Date.now() > deadline)
        throw new NetworkError(
          'NODE_UNHEALTHY',
          `${org.name}'s peer has ${height} of ${newest + 1} blocks of ${channel} after ${CATCH_UP_TIMEOUT_MS / 1000}s; see its log`,
        );
      if (Date.now() - reported > 10_000) {
        log(
          height === 0
            ? `${org.name}'s peer catching up on ${channel}: before the config block that added ${org.name}`
            : `${org.name}'s peer catching up on ${channel}: ${height} of ${newest + 1} blocks`,
        );
        reported = Date.now();
      }
      await sleep(1000);
      height = await peerHeight(binaries, env, channel);
    }
    // The org's node next: until it takes part the channel has a consenter short of its full count.
    const configBlock = await fetch('config');
    const orderer = await joinOwnOrderer(layout, binaries, org, channel, join(dir, 'config.block'), configBlock);
    // Listed before the approval: the profile is where `deploy` and `revoke` find the org's channels,
    // and the peer is on this one now, whether or not the approval below succeeds.
    const profile = addChannelToGatewayProfile(layout.gatewayProfile(org), channel);
    const chaincode = await new ChaincodeDeployer(layout, binaries, supervisor, peerConfigDir).approveCommittedFor(
      org,
      channel,
    );
    return { joined: !joinedBefore, height, chaincode, profile, orderer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Joins `org`'s own orderer node to `channel` when the channel's latest config block (`blockFile`,
 * number `blockNumber`) names it a consenter, and waits until the node has caught up with that block
 * and takes part (`active`). Undefined when the org runs no node of its own, or the channel does not
 * name it (a founder's node is joined at the founding; a channel ordered without it).
 */
async function joinOwnOrderer(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  org: OrgSpec,
  channel: string,
  blockFile: string,
  blockNumber: number,
): Promise<{ joined: boolean; height: number } | undefined> {
  const i = layout.memberOrdererIndex(org);
  if (i === undefined || layout.foundingOrdererIndexes().includes(i)) return undefined;
  const block = (await new Configtxlator(binaries).decode('common.Block', readFileSync(blockFile))) as {
    data: { data: { payload: { data: { config: ChannelConfigJson } } }[] };
  };
  const config = block.data.data[0]?.payload.data.config;
  if (config === undefined || !consenters(config).some((consenter) => consenter.msp_id === org.mspId)) return undefined;
  const joined = await joinOrdererFromConfigBlock(layout, binaries, i, channel, blockFile);
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  let reported = 0;
  for (;;) {
    const info = await ordererChannelInfo(layout, binaries, i, channel);
    if (info.status === 'active' && info.height > blockNumber) return { joined, height: info.height };
    if (Date.now() > deadline)
      throw new NetworkError(
        'NODE_UNHEALTHY',
        `${layout.ordererProcess(i)} is ${info.status} on ${channel} with ${info.height} of ${blockNumber + 1} blocks ` +
          `after ${CATCH_UP_TIMEOUT_MS / 1000}s; see its log`,
      );
    if (Date.now() - reported > 10_000) {
      log(`${layout.ordererProcess(i)} ${info.status} on ${channel}: ${info.height} of ${blockNumber + 1} blocks`);
      reported = Date.now();
    }
    await sleep(1000);
  }
}
