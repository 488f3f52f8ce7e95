import { NetworkLayout, type NetworkOptions } from '@aal/network';

/**
 * The ports of processes test files start beside the shared network (extra apps, AI gateways, a
 * proxy), as offsets from its base port: each file its own, and none that the network itself
 * may listen on — with either ordering, with profiling, with the benchmark baseline chaincode, and
 * with a chaincode upgrade's next generation running (B+56..59), which test files trigger.
 */
export const EXTRA_PORT_OFFSETS = {
  aiGatewayApp: 89,
  aiGateway: 79,
  durabilityKillApp: 68,
  durabilityKillGateway: 69,
  durabilityLedgerDownApp: 54,
  durabilityLedgerDownGateway: 55,
  durabilityPeerProxy: 74,
  indexIntegrityApp: 99,
  rateLimitedApp: 90,
  unreachablePeerApp: 91,
  unreachablePeer: 92,
  gracefulStopApp: 93,
  invalidConfigApp: 94,
  unreadableKeysApp: 95,
  tamperedLogApp: 96,
  eventsApp: 97,
  readLogApp: 98,
  tamperedBlockApp: 84,
  joinedChannelApp: 44,
  benchGatewayPeerProxy: 49,
} as const;

export type ExtraPort = keyof typeof EXTRA_PORT_OFFSETS;

/** The port of `name` on the network whose base port is `basePort`. */
export function extraPort(basePort: number, name: ExtraPort): number {
  return basePort + EXTRA_PORT_OFFSETS[name];
}

/**
 * The extra ports that some layout of a network at `options.basePort` would also listen on, or
 * that two names share: empty when the table above is sound (the global set-up checks it).
 */
export function extraPortClashes(options: NetworkOptions): string[] {
  const variants: NetworkOptions[] = [
    { ...options, orderers: 3, ordering: 'raft', profiling: true, benchBaseline: true },
    { ...options, ordering: 'bft', profiling: true, benchBaseline: true },
  ];
  const taken = new Map<number, string>();
  for (const variant of variants)
    for (const { owner, endpoint } of new NetworkLayout(variant).allPorts()) taken.set(endpoint.port, owner);
  const clashes: string[] = [];
  const seen = new Map<number, string>();
  for (const [name, offset] of Object.entries(EXTRA_PORT_OFFSETS)) {
    const port = options.basePort + offset;
    const owner = taken.get(port);
    if (owner !== undefined) clashes.push(`${name} (B+${offset}) is also ${owner}'s`);
    const other = seen.get(port);
    if (other !== undefined) clashes.push(`${name} (B+${offset}) is also ${other}'s`);
    seen.set(port, name);
    if (offset >= 100) clashes.push(`${name} (B+${offset}) is outside the network's 100-port block`);
  }
  return clashes;
}
