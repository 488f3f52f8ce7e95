/**
 * Founding the consortium's channels from the members' exported definitions: one founding member
 * writes each channel's genesis block (configtxgen) from the definitions it imported and hands the
 * blocks over. Every member, before its nodes join, computes the same configuration itself — from its
 * own MSP and the definitions it imported — and takes a block only if its configuration is exactly
 * that one: every member, root, NodeOU rule, CRL, consenter and policy. A founding member can
 * therefore neither misrepresent a member nor add a member, a consenter or a policy of its own.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FabricBinaries } from './binaries';
import { createChannelBlocks } from './channel-config';
import type { ConsenterJson } from './channel-consenters';
import { applicationOrgs, type ChannelConfigJson } from './channel-config-json';
import { Configtxlator } from './configtxlator';
import { NetworkError } from './errors';
import type { NetworkLayout } from './layout';
import { memberOf, requireAllMembersImported } from './member-definitions';
import { CHANNELS, type ChannelSpec, type OrgSpec } from './topology';

/** A genesis block as the founding member hands it over. */
export interface FoundedChannel {
  readonly channel: string;
  readonly file: string;
  /** `sha256:<hex>` of the block's bytes: what members confirm with the founder out of band. */
  readonly digest: string;
}

/** The digest members compare for a genesis block file. */
export function blockDigest(file: string): string {
  return bytesDigest(readFileSync(file));
}

function bytesDigest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Refuses unless the directory's network runs the members' own ordering service (`bft`). */
function requireMembersOrdering(layout: NetworkLayout, what: string): OrgSpec {
  const org = memberOf(layout, what);
  if (layout.ordering !== 'bft')
    throw new NetworkError(
      'INVALID_CONFIG',
      `${what} needs bft ordering, where every member runs its own orderer node (this directory was created with ` +
        `${layout.ordering}): create the member directories with AAL_ORDERING=bft`,
    );
  return org;
}

/**
 * `npm run org -- found`: writes every channel's genesis block from this member's own MSP and the
 * imported definitions of all the others, and copies the blocks to `outDir` (the hand-over folder).
 */
export async function foundChannels(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  outDir: string,
): Promise<FoundedChannel[]> {
  requireMembersOrdering(layout, 'founding the channels');
  requireAllMembersImported(layout, 'founding the channels');
  if (CHANNELS.some((channel) => existsSync(layout.channelBlock(channel.name))))
    throw new NetworkError(
      'INVALID_CONFIG',
      `the channels were founded before (${layout.channelsDir}): a second genesis block would be another channel`,
    );
  // Written aside first: a failure part-way leaves nothing that would make a retry refuse.
  const blocks = await inScratch(layout, async (dir) => {
    const files = await createChannelBlocks(layout, binaries, dir);
    return CHANNELS.map((channel) => ({ channel, bytes: readFileSync(files.get(channel.name) ?? '') }));
  });
  mkdirSync(outDir, { recursive: true });
  mkdirSync(layout.channelsDir, { recursive: true });
  return blocks.map(({ channel, bytes }) => {
    const file = join(outDir, `${channel.name}.block`);
    writeFileSync(layout.channelBlock(channel.name), bytes);
    writeFileSync(file, bytes);
    return { channel: channel.name, file, digest: bytesDigest(bytes) };
  });
}

/** Runs `work` in a scratch directory under the network directory, removed afterwards. */
async function inScratch<T>(layout: NetworkLayout, work: (dir: string) => Promise<T>): Promise<T> {
  mkdirSync(layout.dir, { recursive: true });
  const dir = mkdtempSync(join(layout.dir, '.founding-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The configuration every channel's genesis block must hold, as this member computes it from its own
 * MSP and the definitions it imported (configtxgen, decoded): by channel name.
 */
export async function expectedGenesisConfigs(
  layout: NetworkLayout,
  binaries: FabricBinaries,
): Promise<Map<string, unknown>> {
  requireAllMembersImported(layout, 'checking a genesis block');
  return inScratch(layout, async (dir) => {
    const files = await createChannelBlocks(layout, binaries, dir);
    const configs = new Map<string, unknown>();
    const translator = new Configtxlator(binaries);
    for (const [channel, file] of files) {
      const block = (await translator.decode('common.Block', readFileSync(file))) as DecodedBlock;
      configs.set(channel, block.data.data[0]?.payload.data.config);
    }
    return configs;
  });
}

/** The first path at which two JSON values differ, or undefined when they are equal. */
export function firstDifference(actual: unknown, expected: unknown, path = 'config'): string | undefined {
  if (actual === expected) return undefined;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return path;
  if (Array.isArray(actual) !== Array.isArray(expected)) return path;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(e)])].sort();
  for (const key of keys) {
    if (!(key in a) || !(key in e)) return `${path}.${key}`;
    const inner = firstDifference(a[key], e[key], `${path}.${key}`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** The parts of a genesis block's config a member checks. */
type GenesisConfigJson = ChannelConfigJson & {
  channel_group: {
    groups: { Orderer: { values: { Orderers?: { value: { consenter_mapping?: ConsenterJson[] } } } } };
  };
};

const pemOf = (base64: string): string => Buffer.from(base64, 'base64').toString('utf8');
const sameCertificate = (a: string, b: string): boolean =>
  new X509Certificate(a).raw.equals(new X509Certificate(b).raw);

type DecodedBlock = {
  header: { number: string | number };
  data: {
    data: { payload: { header: { channel_header: { channel_id: string } }; data: { config: GenesisConfigJson } } }[];
  };
};

/**
 * Checks a genesis block of `channel` (its bytes): it is the channel's genesis block; this org is a
 * member with exactly its own root when the topology puts it on the channel (and absent otherwise);
 * its orderer node is one consenter with its own certificates at its own address — each named when
 * wrong — and then the whole configuration is exactly `expected`, what this member computes itself
 * ({@link expectedGenesisConfigs}). Throws INVALID_CONFIG naming the first difference.
 */
export async function verifyGenesisBlock(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  channel: ChannelSpec,
  file: string,
  bytes: Buffer,
  expected: unknown,
): Promise<void> {
  const org = requireMembersOrdering(layout, 'checking a genesis block');
  const refuse = (problem: string): never => {
    throw new NetworkError('INVALID_CONFIG', `genesis block ${file} of ${channel.name}: ${problem}`);
  };
  let block: DecodedBlock;
  try {
    block = (await new Configtxlator(binaries).decode('common.Block', bytes)) as DecodedBlock;
  } catch (error) {
    return refuse(`is not a Fabric block (${(error as Error).message})`);
  }
  try {
    checkOwnEntries(layout, org, channel, block, refuse);
  } catch (error) {
    if (error instanceof NetworkError) throw error;
    refuse(`is not a channel configuration this tool writes (${(error as Error).message})`);
  }
  const difference = firstDifference(block.data.data[0]?.payload.data.config, expected);
  if (difference !== undefined)
    refuse(
      `its configuration differs, at ${difference}, from the one this member computes from its own MSP and the ` +
        `members' definitions it imported: the founder used other definitions, members or policies`,
    );
}

/** The checks of this org's own entries in a genesis block, each with its own message. */
function checkOwnEntries(
  layout: NetworkLayout,
  org: OrgSpec,
  channel: ChannelSpec,
  block: DecodedBlock,
  refuse: (problem: string) => never,
): void {
  const envelope = block.data.data[0];
  if (Number(block.header.number) !== 0 || envelope === undefined) return refuse('is not a genesis block');
  // A genesis block holds its config transaction alone: anything beside it would be kept unchecked.
  if (block.data.data.length !== 1)
    refuse(`holds ${block.data.data.length} transactions; a genesis block holds its config transaction alone`);
  if (envelope.payload.header.channel_header.channel_id !== channel.name)
    refuse(`is the block of channel '${envelope.payload.header.channel_header.channel_id}'`);
  const config = envelope.payload.data.config;
  const ownRoots = readFileSync(layout.caCert(org), 'utf8');
  const member = applicationOrgs(config).find((candidate) => candidate.msp.name === org.mspId);
  const shouldBeMember = channel.orgs.some((candidate) => candidate.mspId === org.mspId);
  if (shouldBeMember) {
    if (member === undefined) refuse(`${org.mspId} is not a member of it`);
    const roots = (member?.msp.root_certs ?? []).map(pemOf);
    if (roots.length !== 1 || !sameCertificate(roots[0] as string, ownRoots))
      refuse(`${org.mspId} is a member under root certificates that are not this org's CA`);
  } else if (member !== undefined) refuse(`${org.mspId} is a member of it, but the consortium's topology says not`);
  const i = layout.memberOrdererIndex(org);
  const consenters = config.channel_group.groups.Orderer.values.Orderers?.value.consenter_mapping ?? [];
  const own = consenters.filter((consenter) => consenter.msp_id === org.mspId);
  if (i === undefined || own.length !== 1) return refuse(`${org.mspId} does not run exactly one of its consenters`);
  const consenter = own[0] as ConsenterJson;
  const endpoint = layout.ordererEndpoint(i);
  if (consenter.host !== endpoint.host || Number(consenter.port) !== endpoint.port)
    refuse(`${org.mspId}'s consenter is at ${consenter.host}:${consenter.port}, not at its node's address`);
  if (!sameCertificate(pemOf(consenter.identity), readFileSync(layout.ordererSignCert(i), 'utf8')))
    refuse(`${org.mspId}'s consenter identity is not its orderer node's certificate`);
  for (const tls of [consenter.client_tls_cert, consenter.server_tls_cert])
    if (!sameCertificate(pemOf(tls), readFileSync(layout.ordererTlsCert(i), 'utf8')))
      refuse(`${org.mspId}'s consenter TLS certificate is not its orderer node's`);
}

/**
 * Takes the founder's genesis blocks from the hand-over folder into this member's directory, after
 * checking all of them ({@link verifyGenesisBlock}) — one refused block takes none; a block taken
 * before must be the same bytes. Each file is read once: what is checked is what is kept.
 */
export async function takeGenesisBlocks(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  handOverDir: string,
): Promise<FoundedChannel[]> {
  const offered: { channel: ChannelSpec; bytes: Buffer }[] = [];
  let expected: Map<string, unknown> | undefined;
  for (const channel of CHANNELS) {
    const target = layout.channelBlock(channel.name);
    const file = join(handOverDir, `${channel.name}.block`);
    if (!existsSync(file)) {
      if (existsSync(target)) continue;
      throw new NetworkError(
        'NOT_INITIALISED',
        `no genesis block of ${channel.name} in ${handOverDir}: the founding member writes it ('npm run org -- found')`,
      );
    }
    const bytes = readFileSync(file);
    expected ??= await expectedGenesisConfigs(layout, binaries);
    await verifyGenesisBlock(layout, binaries, channel, file, bytes, expected.get(channel.name));
    if (existsSync(target) && blockDigest(target) !== bytesDigest(bytes))
      throw new NetworkError(
        'INVALID_CONFIG',
        `${file} is not the genesis block this member took before (${target}): a channel has one genesis block`,
      );
    offered.push({ channel, bytes });
  }
  mkdirSync(layout.channelsDir, { recursive: true });
  for (const { channel, bytes } of offered)
    if (!existsSync(layout.channelBlock(channel.name))) writeFileSync(layout.channelBlock(channel.name), bytes);
  return CHANNELS.map((channel) => {
    const file = layout.channelBlock(channel.name);
    return { channel: channel.name, file, digest: blockDigest(file) };
  });
}
