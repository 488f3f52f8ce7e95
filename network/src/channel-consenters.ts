/**
 * The consenters of a `bft` channel (SmartBFT) in its configuration: the Orderer group's orgs, the
 * `Orderers` value's consenter mapping and the `BlockValidation` policy derived from it (a quorum of
 * the consenters' signatures, which peers and orderers check on every block). A member added after
 * the founding brings its own orderer node into the channels it joins, and takes it out when it is
 * removed, in the same majority-signed update, so that the ordering service stays run by the members
 * themselves.
 */
import { ordererOrgGroups, type ChannelConfigJson } from './channel-config-json';
import { NetworkError } from './errors';
import type { Endpoint } from './layout';

/** One entry of the `Orderers` value's `consenter_mapping`, as configtxlator's JSON (certificates: base64 of PEM). */
export interface ConsenterJson {
  id: number;
  msp_id: string;
  host: string;
  port: number;
  identity: string;
  client_tls_cert: string;
  server_tls_cert: string;
}

/**
 * SmartBFT tolerates f faulty consenters out of 3f + 1: below four it tolerates none. A member's node
 * leaves a channel with the member only while at least this many consenters stay.
 */
export const BFT_MINIMUM_CONSENTERS = 4;

/** An orderer node being added as a consenter: what an org's exported definition says of it. */
export interface NewConsenter {
  /** The org's config group name (its configtx name) and MSP id. */
  readonly name: string;
  readonly mspId: string;
  /** The org's config group in the Orderer group (`memberOrdererOrgGroup`). */
  readonly group: Record<string, unknown>;
  readonly endpoint: Endpoint;
  /** PEM signing certificate (NodeOU `orderer`) and PEM TLS certificate of the node. */
  readonly identityCert: string;
  readonly tlsCert: string;
}

interface OrdererGroupJson {
  groups?: Record<string, { values?: { MSP?: { value?: { config?: { name?: string } } } } }>;
  values?: { Orderers?: { value?: { consenter_mapping?: ConsenterJson[] } } };
  policies?: { BlockValidation?: { policy?: unknown; [field: string]: unknown } };
}

/**
 * How many of `n` consenters sign a block: SmartBFT's quorum ⌈(n + f + 1) / 2⌉ with f = ⌊(n − 1) / 3⌋
 * faulty nodes tolerated (4 → 3, 5 → 4, 7 → 5), as Fabric computes it.
 */
export function bftQuorum(n: number): number {
  const f = Math.floor((n - 1) / 3);
  return Math.ceil((n + f + 1) / 2);
}

/**
 * Sets the Orderer group's `BlockValidation` policy to what Fabric derives from the consenter mapping
 * (`EncodeBFTBlockVerificationPolicy`): a quorum of the consenters' identities, in mapping order. The
 * ordering service refuses a consenter change that does not change the policy with it.
 */
function deriveBlockValidationPolicy(orderer: OrdererGroupJson, channel: string): void {
  const mapping = orderer.values?.Orderers?.value?.consenter_mapping ?? [];
  const policy = orderer.policies?.BlockValidation;
  if (policy === undefined)
    throw new NetworkError('INVALID_CONFIG', `channel ${channel} has no Orderer BlockValidation policy`);
  policy.policy = {
    type: 1, // SIGNATURE
    value: {
      identities: mapping.map((consenter) => ({
        principal: { id_bytes: consenter.identity, mspid: consenter.msp_id },
        principal_classification: 'IDENTITY',
      })),
      rule: { n_out_of: { n: bftQuorum(mapping.length), rules: mapping.map((_, i) => ({ signed_by: i })) } },
      version: 0,
    },
  };
}

function ordererGroup(config: ChannelConfigJson): OrdererGroupJson | undefined {
  return (config.channel_group.groups as { Orderer?: OrdererGroupJson }).Orderer;
}

/** The channel's consenter mapping; empty unless it is ordered by SmartBFT. */
export function consenters(config: ChannelConfigJson): ConsenterJson[] {
  return ordererGroup(config)?.values?.Orderers?.value?.consenter_mapping ?? [];
}

/** Whether the channel is ordered by SmartBFT (its Orderer group has a consenter mapping). */
export function isBftChannel(config: ChannelConfigJson): boolean {
  return consenters(config).length > 0;
}

/** The MSP ids of the orgs in the channel's Orderer group, sorted. */
export function ordererOrgMspIds(config: ChannelConfigJson): string[] {
  return ordererOrgGroups(config)
    .map((org) => org.mspId)
    .filter((mspId): mspId is string => mspId !== undefined)
    .sort();
}

const base64Of = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/**
 * A copy of `config` with `node`'s org in the Orderer group and its node in the consenter mapping,
 * under the next consenter id (one past the highest present). Refuses a channel not ordered by
 * SmartBFT, and an org, group name, endpoint or certificate that is there already: a definition
 * cannot take over another org's Orderer-group entry or pass off another node as its own.
 */
export function withConsenter(config: ChannelConfigJson, channel: string, node: NewConsenter): ChannelConfigJson {
  const current = consenters(config);
  const refuse = (why: string): never => {
    throw new NetworkError('INVALID_CONFIG', `${node.name} (${node.mspId}) cannot order channel ${channel}: ${why}`);
  };
  if (current.length === 0) refuse('the channel is not ordered by SmartBFT');
  if (ordererOrgMspIds(config).includes(node.mspId) || current.some((consenter) => consenter.msp_id === node.mspId))
    refuse(`${node.mspId} runs an orderer node of it already`);
  if (ordererGroup(config)?.groups?.[node.name] !== undefined)
    refuse(`its Orderer group has an org named ${node.name} already`);
  if (current.some((consenter) => consenter.host === node.endpoint.host && consenter.port === node.endpoint.port))
    refuse(`it has a consenter at ${node.endpoint.host}:${node.endpoint.port} already`);
  const identity = base64Of(node.identityCert);
  const tls = base64Of(node.tlsCert);
  const taken = current.find((consenter) =>
    [consenter.identity, consenter.client_tls_cert, consenter.server_tls_cert].some(
      (certificate) => certificate === identity || certificate === tls,
    ),
  );
  if (taken !== undefined) refuse(`consenter ${taken.id} (${taken.msp_id}) has the same certificate`);
  const updated = structuredClone(config);
  const orderer = ordererGroup(updated) as Required<OrdererGroupJson>;
  (orderer.groups as Record<string, unknown>)[node.name] = structuredClone(node.group);
  const mapping = orderer.values.Orderers?.value?.consenter_mapping ?? [];
  mapping.push({
    id: Math.max(...current.map((consenter) => Number(consenter.id))) + 1,
    msp_id: node.mspId,
    host: node.endpoint.host,
    port: node.endpoint.port,
    identity,
    client_tls_cert: tls,
    server_tls_cert: tls,
  });
  deriveBlockValidationPolicy(orderer, channel);
  return updated;
}

/**
 * A copy of `config` without `mspId`'s orderer node (its Orderer-group org and its consenters), or
 * `config` itself when it runs none there. Removing it must leave {@link BFT_MINIMUM_CONSENTERS}:
 * otherwise a `founder`'s node keeps ordering the channel (without its org in the Application group
 * it only orders; its clients and peers have no access), and for any other org the removal is
 * refused — a member that joined later never keeps a seat among the consenters.
 */
export function withoutConsenter(
  config: ChannelConfigJson,
  channel: string,
  mspId: string,
  founder: boolean,
): ChannelConfigJson {
  const current = consenters(config);
  const remaining = current.filter((consenter) => consenter.msp_id !== mspId);
  if (remaining.length === current.length) return config;
  if (remaining.length < BFT_MINIMUM_CONSENTERS) {
    if (founder) return config;
    throw new NetworkError(
      'INVALID_CONFIG',
      `removing ${mspId}'s orderer node would leave channel ${channel} ${remaining.length} consenters, and SmartBFT ` +
        `needs ${BFT_MINIMUM_CONSENTERS} to tolerate a fault: add another member's node first`,
    );
  }
  const updated = structuredClone(config);
  const orderer = ordererGroup(updated) as Required<OrdererGroupJson>;
  for (const [name, group] of Object.entries(orderer.groups))
    if (group.values?.MSP?.value?.config?.name === mspId) delete orderer.groups[name];
  const value = orderer.values.Orderers?.value;
  if (value !== undefined) value.consenter_mapping = remaining;
  deriveBlockValidationPolicy(orderer, channel);
  return updated;
}

/**
 * What an update does to the channel's consenters, for the admins who sign it: who joins or leaves,
 * and the count and quorum before and after; undefined when it leaves them as they are.
 */
export function describeConsenterChange(config: ChannelConfigJson, updated: ChannelConfigJson): string | undefined {
  const before = consenters(config);
  const after = consenters(updated);
  const key = (consenter: ConsenterJson): string =>
    `${consenter.id}/${consenter.msp_id}/${consenter.host}:${consenter.port}`;
  const added = after.filter((consenter) => !before.some((other) => key(other) === key(consenter)));
  const removed = before.filter((consenter) => !after.some((other) => key(other) === key(consenter)));
  if (added.length === 0 && removed.length === 0) return undefined;
  const named = (list: ConsenterJson[], verb: string): string[] =>
    list.map(
      (consenter) =>
        `${verb} ${consenter.msp_id}'s node ${consenter.host}:${consenter.port} (consenter ${consenter.id})`,
    );
  return (
    [...named(added, 'adds'), ...named(removed, 'removes')].join('; ') +
    `: ${before.length} → ${after.length} consenters, ${bftQuorum(before.length)} → ${bftQuorum(after.length)} sign each block`
  );
}
