import type { FabricBinaries } from './binaries';
import { run } from './command';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { peerCliEnv } from './nodes';
import { log } from './progress';
import { CHANNELS, ORDERER_ORG } from './topology';

/** Joins every orderer to every channel with the channel participation API (mutual TLS). */
export async function joinOrderers(layout: NetworkLayout, binaries: FabricBinaries): Promise<void> {
  const admin = layout.adminIdentity(ORDERER_ORG);
  for (const i of layout.ordererIndexes()) {
    const tlsArgs = [
      '-o',
      address(layout.ordererAdmin(i)),
      '--ca-file',
      layout.caCert(ORDERER_ORG),
      '--client-cert',
      admin.tls.cert,
      '--client-key',
      admin.tls.key,
    ];
    const { stdout } = await run(binaries.osnadmin, ['channel', 'list', ...tlsArgs]);
    const joined = new Set(parseChannelList(stdout));
    for (const channel of CHANNELS) {
      if (joined.has(channel.name)) continue;
      log(`orderer${i} joins ${channel.name}`);
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
}

/** osnadmin prints a status line, then the JSON body. */
function parseChannelList(output: string): string[] {
  const start = output.indexOf('{');
  if (start < 0) return [];
  const body = JSON.parse(output.slice(start)) as { channels?: { name: string }[] | null };
  return (body.channels ?? []).map((channel) => channel.name);
}

/** Joins each org's peer to the channels its org is a member of. */
export async function joinPeers(layout: NetworkLayout, binaries: FabricBinaries, peerConfigDir: string): Promise<void> {
  for (const channel of CHANNELS) {
    for (const org of channel.orgs) {
      const env = peerCliEnv(layout, peerConfigDir, org);
      const { stdout } = await run(binaries.peer, ['channel', 'list'], { env });
      if (stdout.split('\n').some((line) => line.trim() === channel.name)) continue;
      log(`${org.name}'s peer joins ${channel.name}`);
      await run(binaries.peer, ['channel', 'join', '--blockpath', layout.channelBlock(channel.name)], { env });
    }
  }
}
