import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FabricBinaries } from './binaries';
import { run } from './command';
import type { Endpoint, NetworkLayout } from './layout';
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

/**
 * SmartBFT settings (`bft` ordering). The leader cuts a batch after the same 200 ms as Raft; the
 * timeouts are shorter than Fabric's sample (20 s complain, 1 min heartbeat) so that a crashed or
 * silent leader is replaced within seconds rather than a minute: a follower forwards a request it
 * received to the leader, complains when it is not ordered within 10 s, and 2f + 1 complaints (or
 * missed heartbeats) start a view change to the next leader.
 */
export const SMART_BFT = {
  RequestBatchMaxCount: ORDERING.maxMessageCount,
  RequestBatchMaxBytes: 10_485_760,
  RequestBatchMaxInterval: ORDERING.batchTimeout,
  IncomingMessageBufferSize: 200,
  RequestPoolSize: 100_000,
  RequestForwardTimeout: '2s',
  RequestComplainTimeout: '10s',
  RequestAutoRemoveTimeout: '3m',
  ViewChangeResendInterval: '5s',
  ViewChangeTimeout: '10s',
  LeaderHeartbeatTimeout: '10s',
  LeaderHeartbeatCount: 10,
  CollectTimeout: '1s',
} as const;

/** The channel-level capabilities every channel of the network has (Fabric 3: BFT ordering needs V3_0). */
export const CHANNEL_CAPABILITIES = { V3_0: true } as const;

const signature = (rule: string): { Type: string; Rule: string } => ({ Type: 'Signature', Rule: rule });
const implicitMeta = (rule: string): { Type: string; Rule: string } => ({ Type: 'ImplicitMeta', Rule: rule });

/** The orderer org of `raft` ordering: it runs every orderer node. */
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
    OrdererEndpoints: layout.foundingOrdererIndexes().map((i) => address(layout.ordererEndpoint(i))),
  };
}

/** What configtx.yaml needs of a member org's entry in the Orderer group: its names, MSP folder and orderer node's endpoint. */
export interface OrdererOrganisationSource {
  readonly name: string;
  readonly mspId: string;
  readonly mspDir: string;
  readonly endpoint: Endpoint;
}

/**
 * A member org in the Orderer group (`bft` ordering), on every channel it orders, also those it is
 * not a member of: its orderer node must order and store them. Reading and writing in this group is
 * its orderer node's alone: a member's clients and peers gain no access to a channel they are not on.
 * Its admins change its orderer's part of the configuration (majority of all orderer orgs). Declared
 * once, for the founders' channels and for a member whose node is added later from its definition.
 */
export function ordererMemberOrganisation(source: OrdererOrganisationSource): Record<string, unknown> {
  const id = source.mspId;
  return {
    Name: source.name,
    ID: id,
    MSPDir: source.mspDir,
    Policies: {
      Readers: signature(`OR('${id}.orderer')`),
      Writers: signature(`OR('${id}.orderer')`),
      Admins: signature(`OR('${id}.admin')`),
    },
    // One delivery/broadcast endpoint per consenter, as Fabric recommends for BFT.
    OrdererEndpoints: [address(source.endpoint)],
  };
}

function memberOrdererOrganisation(layout: NetworkLayout, i: number): Record<string, unknown> {
  const org = layout.ordererOrg(i);
  return ordererMemberOrganisation({
    name: org.name,
    mspId: org.mspId,
    mspDir: layout.orgMsp(org),
    endpoint: layout.ordererEndpoint(i),
  });
}

/** The consensus part of the Orderer group: Raft's consenters, or SmartBFT's consenter mapping. */
function consensus(layout: NetworkLayout): Record<string, unknown> {
  if (layout.ordering === 'bft') {
    return {
      OrdererType: 'BFT',
      SmartBFT: SMART_BFT,
      ConsenterMapping: layout.foundingOrdererIndexes().map((i) => {
        return {
          ID: i + 1,
          Host: layout.ordererEndpoint(i).host,
          Port: layout.ordererEndpoint(i).port,
          MSPID: layout.ordererOrg(i).mspId,
          // The node's signing certificate: peers check that 2f + 1 of these signed each block.
          Identity: layout.ordererSignCert(i),
          ClientTLSCert: layout.ordererTlsCert(i),
          ServerTLSCert: layout.ordererTlsCert(i),
        };
      }),
      Organizations: layout.foundingOrdererIndexes().map((i) => memberOrdererOrganisation(layout, i)),
    };
  }
  return {
    OrdererType: 'etcdraft',
    EtcdRaft: {
      Consenters: layout.foundingOrdererIndexes().map((i) => ({
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
  };
}

/** What configtx.yaml needs of a member (peer) org: its names, a folder holding its channel MSP, its anchor peers. */
export interface MemberOrganisationSource {
  readonly name: string;
  readonly mspId: string;
  readonly mspDir: string;
  readonly anchorPeers: readonly Endpoint[];
}

/**
 * A member org's configtx.yaml entry: its policies are declared here once, for the channels the
 * network creates and for an org added to a channel later from its exported definition.
 */
export function memberOrganisation(source: MemberOrganisationSource): Record<string, unknown> {
  const id = source.mspId;
  return {
    Name: source.name,
    ID: id,
    MSPDir: source.mspDir,
    Policies: {
      Readers: signature(`OR('${id}.admin', '${id}.peer', '${id}.client')`),
      Writers: signature(`OR('${id}.admin', '${id}.client')`),
      Admins: signature(`OR('${id}.admin')`),
      // The org's own peers endorse writes to its implicit private collection.
      Endorsement: signature(`OR('${id}.peer')`),
    },
    AnchorPeers: source.anchorPeers.map((peer) => ({ Host: peer.host, Port: peer.port })),
  };
}

function peerOrganisation(layout: NetworkLayout, org: OrgSpec): Record<string, unknown> {
  return memberOrganisation({
    name: org.name,
    mspId: org.mspId,
    mspDir: layout.orgMsp(org),
    anchorPeers: [layout.peerEndpoint(org)],
  });
}

function channelProfile(layout: NetworkLayout, channel: ChannelSpec): Record<string, unknown> {
  return {
    Policies: {
      Readers: implicitMeta('ANY Readers'),
      Writers: implicitMeta('ANY Writers'),
      Admins: implicitMeta('MAJORITY Admins'),
    },
    Capabilities: CHANNEL_CAPABILITIES,
    Orderer: {
      ...consensus(layout),
      BatchTimeout: ORDERING.batchTimeout,
      BatchSize: {
        MaxMessageCount: ORDERING.maxMessageCount,
        AbsoluteMaxBytes: ORDERING.absoluteMaxBytes,
        PreferredMaxBytes: ORDERING.preferredMaxBytes,
      },
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

/**
 * Writes configtx.yaml and creates each channel's genesis block with configtxgen, into `blocksDir`
 * (the network's channels directory unless given; the config goes beside it when one is given).
 * Returns the block files by channel.
 */
export async function createChannelBlocks(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  blocksDir?: string,
): Promise<Map<string, string>> {
  const configDir = blocksDir === undefined ? join(layout.configDir, 'configtx') : join(blocksDir, 'configtx');
  const outDir = blocksDir ?? layout.channelsDir;
  mkdirSync(configDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const profiles = Object.fromEntries(CHANNELS.map((channel) => [channel.name, channelProfile(layout, channel)]));
  writeFileSync(join(configDir, 'configtx.yaml'), stringify({ Profiles: profiles }, { aliasDuplicateObjects: false }));
  const blocks = new Map<string, string>();
  for (const channel of CHANNELS) {
    const file = blocksDir === undefined ? layout.channelBlock(channel.name) : join(outDir, `${channel.name}.block`);
    await run(binaries.configtxgen, [
      '-configPath',
      configDir,
      '-profile',
      channel.name,
      '-channelID',
      channel.name,
      '-outputBlock',
      file,
    ]);
    blocks.set(channel.name, file);
  }
  return blocks;
}
