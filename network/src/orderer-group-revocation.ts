/**
 * With `bft` ordering each member's orderer node orders every channel, so a member's MSP is also in
 * the Orderer group of channels it is not a member of (HospitalA's in `hospital-b`'s). There its
 * admins still count towards the channel's `/Channel/Orderer/Admins` (MAJORITY of the ordering orgs'
 * admins), so a revoked admin certificate must be refused there too: this puts the org's CRL into
 * its MSP in those Orderer groups. The MSP value's modification policy is the org's own `Admins`, so
 * the org's admin alone signs the update. On such a channel the org's only Reader and Writer is its
 * orderer node (`.orderer`): the config is fetched, and the update sent, with the node's identity,
 * from and to the org's own node.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FabricBinaries } from './binaries';
import type { ChannelRevocation } from './certificate-revocation';
import { revokedSerials } from './certificate-revocation-list';
import {
  mspRevokedSerials,
  ordererOrgMsps,
  withOrdererRevocationList,
  type ChannelConfigJson,
} from './channel-config-json';
import { run } from './command';
import { ChannelConfigUpdates } from './channel-config-update';
import { NetworkError } from './errors';
import type { NetworkLayout } from './layout';
import { ordererCliArgs, peerCliEnv, writePeerConfig } from './nodes';
import { log } from './progress';
import { CHANNELS, type OrgSpec } from './topology';

/** How long the org's node may take to hold the config block with the CRL after the update is sent. */
const CONFIG_BLOCK_TIMEOUT_MS = 60_000;

/**
 * The channels whose Orderer group alone holds `org`: those its node orders (with bft, every channel)
 * and it is not a member of — not among `memberChannels` (its topology channels and those it joined).
 */
export function orderedOnlyChannels(layout: NetworkLayout, org: OrgSpec, memberChannels: readonly string[]): string[] {
  // A member that joined later orders only the channels it joined (its node came in with it).
  if (layout.memberOrdererIndex(org) === undefined || layout.joiningMember !== undefined) return [];
  return CHANNELS.map((channel) => channel.name).filter((channel) => !memberChannels.includes(channel));
}

/**
 * Puts `crl` into `org`'s MSP in the Orderer group of every channel it orders without being a member
 * of (see the module comment), one update per channel, signed by the org's admin and sent through
 * its own orderer node; waits until the node holds each config block. Skips a channel whose Orderer
 * group already revokes the same serial numbers.
 */
export async function revokeInOrderedChannels(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  org: OrgSpec,
  crl: string,
  proposalDir: string,
  memberChannels: readonly string[],
): Promise<ChannelRevocation[]> {
  const i = layout.memberOrdererIndex(org);
  if (i === undefined) return [];
  const updates = new ChannelConfigUpdates(layout, binaries);
  const peerConfigDir = writePeerConfig(layout, binaries);
  const adminEnv = peerCliEnv(layout, peerConfigDir, org);
  const nodeEnv = { ...adminEnv, CORE_PEER_MSPCONFIGPATH: layout.ordererIdentity(i).msp };
  const orderer = ordererCliArgs(layout, org);
  const serials = revokedSerials(crl);
  mkdirSync(proposalDir, { recursive: true });

  const fetchConfig = (channel: string) => updates.currentConfig(org, channel, { env: nodeEnv, ordererArgs: orderer });
  const revokesAll = (config: ChannelConfigJson): boolean => {
    const msps = ordererOrgMsps(config, org.mspId);
    return (
      msps.length > 0 &&
      msps.every((msp) => {
        const present = new Set(mspRevokedSerials(msp));
        return serials.every((serial) => present.has(serial));
      })
    );
  };

  const outcomes: ChannelRevocation[] = [];
  for (const channel of orderedOnlyChannels(layout, org, memberChannels)) {
    const current = await fetchConfig(channel);
    if (revokesAll(current.config)) {
      log(`${channel}: ${org.name}'s MSP in the Orderer group already carries a CRL revoking these certificates`);
      outcomes.push({ channel });
      continue;
    }
    const updated = withOrdererRevocationList(current.config, channel, org.mspId, [crl]);
    const proposal = join(proposalDir, `${channel}-${org.slug}-orderer-revocation-${Date.now()}.pb`);
    await updates.writeUpdateEnvelope(channel, current.config, updated, proposal);
    await run(binaries.peer, ['channel', 'signconfigtx', '-f', proposal], { env: adminEnv });
    await run(binaries.peer, ['channel', 'update', '-f', proposal, '-c', channel, ...orderer], { env: nodeEnv });
    const deadline = Date.now() + CONFIG_BLOCK_TIMEOUT_MS;
    for (;;) {
      const after = await fetchConfig(channel);
      if (after.blockNumber > current.blockNumber && revokesAll(after.config)) {
        log(`${channel}: ${org.name}'s CRL in its Orderer group MSP, config block ${after.blockNumber}`);
        outcomes.push({ channel, proposal, configBlock: after.blockNumber });
        break;
      }
      if (Date.now() > deadline)
        throw new NetworkError(
          'NODE_UNHEALTHY',
          `${channel}: the update putting ${org.name}'s CRL into its Orderer group MSP was sent, but ${org.name}'s ` +
            `orderer node has no config block with it after ${CONFIG_BLOCK_TIMEOUT_MS / 1000}s; see the node's log`,
        );
      await sleep(1000);
    }
  }
  return outcomes;
}
