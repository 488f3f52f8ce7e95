import type { FabricBinaries } from './binaries';
import { run } from './command';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { peerCliEnv } from './nodes';
import { log } from './progress';
import { CHANNELS, type ChannelSpec, type OrgSpec } from './topology';

/**
 * Joins every orderer to every channel with the channel participation API (mutual TLS), each by its
 * own org's admin: with BFT ordering, each member joins its own node and no other.
 */
export async function joinOrderers(layout: NetworkLayout, binaries: FabricBinaries): Promise<void> {
  for (const i of layout.ordererIndexes()) await joinOrderer(layout, binaries, i, CHANNELS);
}

/** Joins orderer `i` to each of `channels` it has not joined, from the channels' genesis blocks, as its org's admin. */
export async function joinOrderer(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  i: number,
  channels: readonly ChannelSpec[],
): Promise<void> {
  const tlsArgs = ordererAdminArgs(layout, i);
  const { stdout } = await run(binaries.osnadmin, ['channel', 'list', ...tlsArgs]);
  const joined = new Set(parseChannelList(stdout));
  for (const channel of channels) {
    if (joined.has(channel.name)) continue;
    log(`${layout.ordererProcess(i)} joins ${channel.name}`);
    await run(binaries.osnadmin, [
      'channel',
      'join',
      '--channelID',
      channel.name,
      '--config-block',
      layout.channelBlock(channel.name),
      ...tlsArgs,
    ]);
  }
}

/**
 * Joins orderer `i` to `channel` from `configBlock` (a channel's latest config block, which names the
 * node a consenter), as its org's admin, unless it has joined already: the node then pulls the
 * channel's blocks from the other consenters (status `onboarding`) and takes part once it has them.
 * Returns whether it joined now.
 */
export async function joinOrdererFromConfigBlock(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  i: number,
  channel: string,
  configBlock: string,
): Promise<boolean> {
  const tlsArgs = ordererAdminArgs(layout, i);
  const { stdout } = await run(binaries.osnadmin, ['channel', 'list', ...tlsArgs]);
  if (parseChannelList(stdout).includes(channel)) return false;
  log(`${layout.ordererProcess(i)} joins ${channel} from its config block`);
  await run(binaries.osnadmin, ['channel', 'join', '--channelID', channel, '--config-block', configBlock, ...tlsArgs]);
  return true;
}

/** Orderer `i`'s view of `channel` (channel participation API): its status (`onboarding`, `active`, …) and height. */
export async function ordererChannelInfo(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  i: number,
  channel: string,
): Promise<{ status: string; consensusRelation: string; height: number }> {
  const { stdout } = await run(binaries.osnadmin, [
    'channel',
    'list',
    '--channelID',
    channel,
    ...ordererAdminArgs(layout, i),
  ]);
  const info = jsonBody(stdout) as { status?: string; consensusRelation?: string; height?: number };
  if (typeof info.height !== 'number' || typeof info.status !== 'string')
    throw new Error(`orderer ${i} reported no status for ${channel}: ${stdout}`);
  return { status: info.status, consensusRelation: info.consensusRelation ?? '', height: info.height };
}

/** osnadmin's address and mutual-TLS arguments for orderer `i`, as its own org's admin. */
function ordererAdminArgs(layout: NetworkLayout, i: number): string[] {
  const org = layout.ordererOrg(i);
  const admin = layout.adminIdentity(org);
  return [
    '-o',
    address(layout.ordererAdmin(i)),
    '--ca-file',
    layout.caCert(org),
    '--client-cert',
    admin.tls.cert,
    '--client-key',
    admin.tls.key,
  ];
}

/** osnadmin prints a status line, then the JSON body. */
function jsonBody(output: string): unknown {
  const start = output.indexOf('{');
  return start < 0 ? {} : JSON.parse(output.slice(start));
}

function parseChannelList(output: string): string[] {
  const body = jsonBody(output) as { channels?: { name: string }[] | null };
  return (body.channels ?? []).map((channel) => channel.name);
}

/** How many blocks of `channel` orderer `i` holds (its ledger height), from its channel participation API. */
export async function ordererChannelHeight(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  i: number,
  channel: string,
): Promise<number> {
  return (await ordererChannelInfo(layout, binaries, i, channel)).height;
}

/** Joins each org's peer to the channels its org is a member of. */
export async function joinPeers(layout: NetworkLayout, binaries: FabricBinaries, peerConfigDir: string): Promise<void> {
  for (const channel of CHANNELS)
    for (const org of channel.orgs) await joinPeer(layout, binaries, peerConfigDir, org, [channel]);
}

/** Joins `org`'s peer to each of `channels` it has not joined, from the channels' genesis blocks, as the org's admin. */
export async function joinPeer(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  peerConfigDir: string,
  org: OrgSpec,
  channels: readonly ChannelSpec[],
): Promise<void> {
  const env = peerCliEnv(layout, peerConfigDir, org);
  const { stdout } = await run(binaries.peer, ['channel', 'list'], { env });
  const joined = new Set(stdout.split('\n').map((line) => line.trim()));
  for (const channel of channels) {
    if (joined.has(channel.name)) continue;
    log(`${org.name}'s peer joins ${channel.name}`);
    await run(binaries.peer, ['channel', 'join', '--blockpath', layout.channelBlock(channel.name)], { env });
  }
}
