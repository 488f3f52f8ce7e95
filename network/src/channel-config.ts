import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FabricBinaries } from './binaries';
import { run } from './command';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { CHANNELS, ORDERER_ORG, type ChannelSpec, type OrgSpec } from './topology';

/**
 * Settings of the ordering service. Short batch timeout and Raft ticks keep a single
 * transaction's latency low for development and tests (Fabric's sample uses 2 s batches).
 */
export const ORDERING = {
  batchTimeout: '200ms',
  maxMessageCount: 500,
  absoluteMaxBytes: '10 MB',
  preferredMaxBytes: '2 MB',
  tickInterval: '100ms',
  electionTick: 10,
  heartbeatTick: 1,
} as const;

const signature = (rule: string): { Type: string; Rule: string } => ({ Type: 'Signature', Rule: rule });
const implicitMeta = (rule: string): { Type: string; Rule: string } => ({ Type: 'ImplicitMeta', Rule: rule });

function ordererOrganisation(layout: NetworkLayout): Record<string, unknown> {
  const id = ORDERER_ORG.mspId;
  return {
    Name: ORDERER_ORG.name,
    ID: id,
    MSPDir: layout.orgMsp(ORDERER_ORG),
    Policies: {
      Readers: signature(`OR('${id}.member')`),
      Writers: signature(`OR('${id}.member')`),
      Admins: signature(`OR('${id}.admin')`),
    },
    OrdererEndpoints: layout.ordererIndexes().map((i) => address(layout.ordererEndpoint(i))),
  };
}

function peerOrganisation(layout: NetworkLayout, org: OrgSpec): Record<string, unknown> {
  const id = org.mspId;
  const peer = layout.peerEndpoint(org);
  return {
    Name: org.name,
    ID: id,
    MSPDir: layout.orgMsp(org),
    Policies: {
      Readers: signature(`OR('${id}.admin', '${id}.peer', '${id}.client')`),
      Writers: signature(`OR('${id}.admin', '${id}.client')`),
      Admins: signature(`OR('${id}.admin')`),
      // The org's own peers endorse writes to its implicit private collection.
      Endorsement: signature(`OR('${id}.peer')`),
    },
    AnchorPeers: [{ Host: peer.host, Port: peer.port }],
  };
}

function channelProfile(layout: NetworkLayout, channel: ChannelSpec): Record<string, unknown> {
  return {
    Policies: {
      Readers: implicitMeta('ANY Readers'),
      Writers: implicitMeta('ANY Writers'),
      Admins: implicitMeta('MAJORITY Admins'),
    },
    Capabilities: { V3_0: true },
    Orderer: {
      OrdererType: 'etcdraft',
      BatchTimeout: ORDERING.batchTimeout,
      BatchSize: {
        MaxMessageCount: ORDERING.maxMessageCount,
        AbsoluteMaxBytes: ORDERING.absoluteMaxBytes,
        PreferredMaxBytes: ORDERING.preferredMaxBytes,
      },
      EtcdRaft: {
        Consenters: layout.ordererIndexes().map((i) => ({
          Host: layout.ordererEndpoint(i).host,
          Port: layout.ordererEndpoint(i).port,
          ClientTLSCert: layout.ordererIdentity(i).tls.cert,
          ServerTLSCert: layout.ordererIdentity(i).tls.cert,
        })),
        Options: {
          TickInterval: ORDERING.tickInterval,
          ElectionTick: ORDERING.electionTick,
          HeartbeatTick: ORDERING.heartbeatTick,
          MaxInflightBlocks: 5,
          SnapshotIntervalSize: '16 MB',
        },
      },
      Organizations: [ordererOrganisation(layout)],
      Policies: {
        Readers: implicitMeta('ANY Readers'),
        Writers: implicitMeta('ANY Writers'),
        Admins: implicitMeta('MAJORITY Admins'),
        BlockValidation: implicitMeta('ANY Writers'),
      },
      Capabilities: { V2_0: true },
    },
    Application: {
      Organizations: channel.orgs.map((org) => peerOrganisation(layout, org)),
      Policies: {
        Readers: implicitMeta('ANY Readers'),
        Writers: implicitMeta('ANY Writers'),
        Admins: implicitMeta('MAJORITY Admins'),
        // No single org can define or change the chaincode, or endorse a shared write alone.
        LifecycleEndorsement: implicitMeta('MAJORITY Endorsement'),
        Endorsement: implicitMeta('MAJORITY Endorsement'),
      },
      // V2_5 enables PurgePrivateData, which subject erasure relies on.
      Capabilities: { V2_5: true },
    },
  };
}

/** Writes configtx.yaml and creates each channel's genesis block with configtxgen. */
export async function createChannelBlocks(layout: NetworkLayout, binaries: FabricBinaries): Promise<void> {
  const configDir = join(layout.configDir, 'configtx');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(layout.channelsDir, { recursive: true });
  const profiles = Object.fromEntries(CHANNELS.map((channel) => [channel.name, channelProfile(layout, channel)]));
  writeFileSync(join(configDir, 'configtx.yaml'), stringify({ Profiles: profiles }, { aliasDuplicateObjects: false }));
  for (const channel of CHANNELS) {
    await run(binaries.configtxgen, [
      '-configPath',
      configDir,
      '-profile',
      channel.name,
      '-channelID',
      channel.name,
      '-outputBlock',
      layout.channelBlock(channel.name),
    ]);
  }
}
