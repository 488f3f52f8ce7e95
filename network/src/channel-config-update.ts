import { isDeepStrictEqual } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FabricBinaries } from './binaries';
import { run } from './command';
import {
  isChannelAdmin,
  memberMspIds,
  ordererOrgMsps,
  withMember,
  withoutMember,
  type ChannelConfigJson,
} from './channel-config-json';
import {
  BFT_MINIMUM_CONSENTERS,
  consenters,
  describeConsenterChange,
  isBftChannel,
  ordererOrgMspIds,
  withConsenter,
  withoutConsenter,
} from './channel-consenters';
import { memberOrdererOrgGroup, memberOrgGroup } from './member-org-group';
import type { OrgDefinition } from './org-definition';
import { configWithClaimedChange, type ConfigUpdateJson } from './config-change';
import {
  countAdminSignatures,
  ORDERER_ADMINS_POLICY,
  shortfallMessage,
  type PolicyCount,
  type UpdateSigner,
} from './config-update-policy';
import { readSidecar, writeSidecar, type ConfigChange, type ProposalSidecar } from './config-update-proposal';
import { Configtxlator } from './configtxlator';
import { NetworkError } from './errors';
import type { NetworkLayout } from './layout';
import { ordererCliArgs, peerCliEnv, writePeerConfig } from './nodes';
import { log } from './progress';
import { PEER_ORGS, type OrgSpec } from './topology';

/** `common.HeaderType.CONFIG_UPDATE`. */
const CONFIG_UPDATE = 2;

/** A channel's current configuration as an org's peer has it. */
export interface CurrentConfig {
  readonly config: ChannelConfigJson;
  /** Number of the block that holds it. */
  readonly blockNumber: number;
}

/** A proposal file read back: its sidecar, the channel its envelope names, and who signed it. */
export interface InspectedProposal {
  readonly sidecar: ProposalSidecar;
  readonly signers: readonly UpdateSigner[];
  /**
   * Whether the update changes who orders the channel (an Orderer-group org or a consenter), which
   * the Orderer group's `Admins` policy must allow too; known only for a proposal that is not stale.
   */
  readonly changesOrdering: boolean;
  /** What it does to the channel's consenters, in words ({@link describeConsenterChange}); undefined when nothing. */
  readonly consenterChange: string | undefined;
}

/** What `submit` did: the count it made and the config block the org's peer now has. */
export interface SubmittedUpdate {
  readonly count: PolicyCount;
  readonly configBlock: number;
}

/**
 * The counts an update's signers must meet, in the order Fabric checks them: the channel's
 * application orgs' `Admins`, and the Orderer group's when the update changes who orders it.
 */
export function policyCounts(
  current: ChannelConfigJson,
  proposal: InspectedProposal,
  signers: readonly UpdateSigner[] = proposal.signers,
): PolicyCount[] {
  const channel = proposal.sidecar.channel;
  const counts = [countAdminSignatures(channel, memberMspIds(current), signers)];
  if (proposal.changesOrdering)
    counts.push(countAdminSignatures(channel, ordererOrgMspIds(current), signers, ORDERER_ADMINS_POLICY));
  return counts;
}

/**
 * `config` without member `mspId`, and without its orderer node where it runs one (see
 * {@link withoutConsenter}: a founder's node stays while it is one of the last four).
 */
function withoutMemberAndNode(config: ChannelConfigJson, channel: string, mspId: string): ChannelConfigJson {
  const founder = PEER_ORGS.some((org) => org.mspId === mspId);
  return withoutConsenter(withoutMember(config, channel, mspId), channel, mspId, founder);
}

/** Whether `updated` has other orderer orgs or consenters than `config`. */
function changesOrdering(config: ChannelConfigJson, updated: ChannelConfigJson): boolean {
  // Compared as JSON: structuredClone's copies need not share the decoded config's prototypes (a test VM's realm).
  const ordering = (of: ChannelConfigJson): string => JSON.stringify([ordererOrgMspIds(of), consenters(of)]);
  return ordering(config) !== ordering(updated);
}

interface SignatureJson {
  signature_header?: { creator?: { mspid?: string; id_bytes?: string } };
}
interface EnvelopeJson {
  payload?: {
    header?: { channel_header?: { channel_id?: string; type?: number } };
    data?: { config_update?: ConfigUpdateJson; signatures?: SignatureJson[] };
  };
}

/**
 * Channel configuration updates, the way Fabric makes them: the proposing org's admin fetches the
 * current config block through its own peer, applies a change, lets configtxlator compute the
 * update and wraps it in a config update envelope (the proposal file); each org's admin signs it
 * (`peer channel signconfigtx`); once the channel's `Admins` policy is met, one admin sends it to the
 * ordering service (`peer channel update`) and waits until its own peer has the new config block.
 * Every step acts as one org's admin with that org's local MSP only.
 */
export class ChannelConfigUpdates {
  private readonly translator: Configtxlator;
  private readonly peerConfigDir: string;

  constructor(
    private readonly layout: NetworkLayout,
    private readonly binaries: FabricBinaries,
  ) {
    this.translator = new Configtxlator(binaries);
    this.peerConfigDir = writePeerConfig(layout, binaries);
  }

  private env(org: OrgSpec): NodeJS.ProcessEnv {
    return peerCliEnv(this.layout, this.peerConfigDir, org);
  }

  /**
   * The channel's latest config block, decoded: fetched by the org's admin from the org's own peer,
   * or — `fromOrderer` — from an orderer node (`ordererArgs`) with the identity `env` names (on a
   * channel the org only orders, its node's: the org's only Reader there).
   */
  async currentConfig(
    org: OrgSpec,
    channel: string,
    fromOrderer?: { readonly env: NodeJS.ProcessEnv; readonly ordererArgs: readonly string[] },
  ): Promise<CurrentConfig> {
    const dir = mkdtempSync(join(tmpdir(), 'aal-config-'));
    try {
      const file = join(dir, 'config.block');
      await run(
        this.binaries.peer,
        ['channel', 'fetch', 'config', file, '-c', channel, ...(fromOrderer?.ordererArgs ?? [])],
        {
          env: fromOrderer?.env ?? this.env(org),
        },
      );
      const block = (await this.translator.decode('common.Block', readFileSync(file))) as {
        header: { number: string | number };
        data: { data: { payload: { data: { config: ChannelConfigJson } } }[] };
      };
      const config = block.data.data[0]?.payload.data.config;
      if (config === undefined)
        throw new NetworkError('COMMAND_FAILED', `the config block of ${channel} holds no config`);
      return { config, blockNumber: Number(block.header.number) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Computes the update that `change` makes to the channel's current config, writes it as a config
   * update envelope to `proposalFile` with its sidecar, and signs it as `org`'s admin. Throws when
   * the change changes nothing.
   */
  async propose(
    org: OrgSpec,
    channel: string,
    proposalFile: string,
    apply: (config: ChannelConfigJson) => ChannelConfigJson | Promise<ChannelConfigJson>,
    change: ConfigChange,
  ): Promise<ProposalSidecar> {
    const current = await this.currentConfig(org, channel);
    const updated = await apply(current.config);
    if (JSON.stringify(updated) === JSON.stringify(current.config))
      throw new NetworkError('INVALID_CONFIG', `channel ${channel} already has this configuration: nothing to propose`);
    await this.writeUpdateEnvelope(channel, current.config, updated, proposalFile);
    const sidecar: ProposalSidecar = {
      format: 'aal-config-update/1',
      channel,
      proposedBy: org.mspId,
      baseConfigBlock: current.blockNumber,
      change,
    };
    writeSidecar(proposalFile, sidecar);
    await this.sign(org, proposalFile);
    return sidecar;
  }

  /** Writes the config update envelope (unsigned) that turns `config` into `updated`, as configtxlator computes it. */
  async writeUpdateEnvelope(
    channel: string,
    config: ChannelConfigJson,
    updated: ChannelConfigJson,
    file: string,
  ): Promise<void> {
    const update = await this.translator.computeUpdate(channel, config, updated);
    const envelope = {
      payload: {
        header: { channel_header: { channel_id: channel, type: CONFIG_UPDATE } },
        data: { config_update: await this.translator.decode('common.ConfigUpdate', update) },
      },
    };
    writeFileSync(file, await this.translator.encode('common.Envelope', envelope));
  }

  /**
   * Reads a proposal: its sidecar, and its envelope's signatures, each judged against the channel's
   * current config (an admin of a member org, by that org's root certificates). The envelope must be
   * a config update for the sidecar's channel making exactly the sidecar's change (recomputed from the
   * config it was based on; a stale proposal is left to `sign` and `submit` to refuse).
   */
  async inspect(org: OrgSpec, proposalFile: string): Promise<InspectedProposal & { current: CurrentConfig }> {
    const sidecar = readSidecar(proposalFile);
    let envelope: EnvelopeJson;
    try {
      envelope = (await this.translator.decode('common.Envelope', readFileSync(proposalFile))) as EnvelopeJson;
    } catch (error) {
      throw new NetworkError('INVALID_CONFIG', `${proposalFile} is not a config update envelope`, { cause: error });
    }
    const header = envelope.payload?.header?.channel_header;
    const channel = envelope.payload?.data?.config_update?.channel_id;
    if (header?.type !== CONFIG_UPDATE || channel === undefined)
      throw new NetworkError('INVALID_CONFIG', `${proposalFile} is not a config update envelope`);
    if (channel !== sidecar.channel || header.channel_id !== sidecar.channel)
      throw new NetworkError(
        'INVALID_CONFIG',
        `${proposalFile} updates channel ${channel}, but its sidecar says ${sidecar.channel}`,
      );
    const current = await this.currentConfig(org, channel);
    let ordering = false;
    let consenterChange: string | undefined;
    // Against the config it was computed from, the envelope must be exactly the sidecar's change.
    if (current.blockNumber === sidecar.baseConfigBlock) {
      const update = envelope.payload?.data?.config_update ?? {};
      const expected = await this.configWithChange(current.config, channel, sidecar.change, update, proposalFile);
      ordering = changesOrdering(current.config, expected);
      consenterChange = describeConsenterChange(current.config, expected);
      const recomputed = await this.translator.decode(
        'common.ConfigUpdate',
        await this.translator.computeUpdate(channel, current.config, expected),
      );
      if (!isDeepStrictEqual(recomputed, update))
        throw new NetworkError(
          'INVALID_CONFIG',
          `${proposalFile} does not make the change its sidecar describes: its update differs from the one ` +
            `recomputed from the channel's config block ${current.blockNumber} and the sidecar`,
        );
    }
    const signers = (envelope.payload?.data?.signatures ?? []).map((signature): UpdateSigner => {
      const creator = signature.signature_header?.creator;
      const mspId = creator?.mspid ?? '(no MSP id)';
      const certificate = Buffer.from(creator?.id_bytes ?? '', 'base64').toString('utf8');
      return { mspId, isAdmin: isChannelAdmin(current.config, mspId, certificate) };
    });
    return { sidecar, signers, changesOrdering: ordering, consenterChange, current };
  }

  /**
   * The config `change` turns `config` into: a CRL is taken from the envelope's write set and checked
   * against the sidecar; a new member's group is built from the definition the sidecar carries.
   */
  private async configWithChange(
    config: ChannelConfigJson,
    channel: string,
    change: ConfigChange,
    update: ConfigUpdateJson,
    where: string,
  ): Promise<ChannelConfigJson> {
    switch (change.kind) {
      case 'revocation-list':
        return configWithClaimedChange(config, channel, change, update, where);
      case 'add-member':
        return this.withNewMember(config, channel, change.definition);
      case 'remove-member':
        return withoutMemberAndNode(config, channel, change.org);
    }
  }

  /**
   * `config` with the org of `definition` as an application org, and — on a SmartBFT channel, when
   * the definition names an orderer node and the org orders none of it yet — with that node as a
   * consenter and the org in the Orderer group: a new member orders the channels it joins.
   */
  private async withNewMember(
    config: ChannelConfigJson,
    channel: string,
    definition: OrgDefinition,
  ): Promise<ChannelConfigJson> {
    const group = await memberOrgGroup(this.binaries, definition);
    const added = withMember(config, channel, definition.name, definition.mspId, group);
    const node = definition.ordererNode;
    if (node === undefined || !isBftChannel(config) || ordererOrgMsps(config, definition.mspId).length > 0)
      return added;
    return withConsenter(added, channel, {
      name: definition.name,
      mspId: definition.mspId,
      group: await memberOrdererOrgGroup(this.binaries, definition),
      endpoint: node.endpoint,
      identityCert: node.identityCert,
      tlsCert: node.tlsCert,
    });
  }

  /**
   * Proposes adding the org of `definition` (verified, from its export) to `channel` as a member;
   * signed by `org`'s admin, as {@link propose}.
   */
  async proposeAddMember(
    org: OrgSpec,
    channel: string,
    definition: OrgDefinition,
    proposalFile: string,
  ): Promise<ProposalSidecar> {
    return this.propose(org, channel, proposalFile, (config) => this.withNewMember(config, channel, definition), {
      kind: 'add-member',
      org: definition.mspId,
      definition,
    });
  }

  /** Proposes removing member `mspId` from `channel`; signed by `org`'s admin, as {@link propose}. */
  async proposeRemoveMember(
    org: OrgSpec,
    channel: string,
    mspId: string,
    proposalFile: string,
  ): Promise<ProposalSidecar> {
    return this.propose(
      org,
      channel,
      proposalFile,
      (config) => {
        const updated = withoutMemberAndNode(config, channel, mspId);
        const change = describeConsenterChange(config, updated);
        if (change !== undefined) log(`${channel}: ${change}`);
        else if (consenters(config).some((consenter) => consenter.msp_id === mspId))
          log(
            `${mspId}'s orderer node keeps ordering ${channel}: it is one of its last ${BFT_MINIMUM_CONSENTERS} consenters`,
          );
        return updated;
      },
      { kind: 'remove-member', org: mspId },
    );
  }

  /** Refuses a proposal computed against an older config than the channel has now: it would be refused anyway. */
  private refuseStale(proposalFile: string, sidecar: ProposalSidecar, current: CurrentConfig): void {
    if (current.blockNumber !== sidecar.baseConfigBlock)
      throw new NetworkError(
        'STALE_UPDATE',
        `${proposalFile} was computed against config block ${sidecar.baseConfigBlock} of ${sidecar.channel}, ` +
          `but the channel's config is now block ${current.blockNumber}: propose it again`,
      );
  }

  /**
   * Signs the proposal in place as `org`'s admin. Idempotent: when an admin of `org` has signed it
   * already, the file is left as it is and false is returned.
   */
  async sign(org: OrgSpec, proposalFile: string): Promise<boolean> {
    const { sidecar, signers, current } = await this.inspect(org, proposalFile);
    if (!memberMspIds(current.config).includes(org.mspId))
      throw new NetworkError('INVALID_CONFIG', `${org.name} is not a member of channel ${sidecar.channel}`);
    this.refuseStale(proposalFile, sidecar, current);
    if (signers.some((signer) => signer.mspId === org.mspId && signer.isAdmin)) {
      log(`${proposalFile} is already signed by ${org.name}'s admin: unchanged`);
      return false;
    }
    await run(this.binaries.peer, ['channel', 'signconfigtx', '-f', proposalFile], { env: this.env(org) });
    log(`${org.name}'s admin signed ${proposalFile}`);
    return true;
  }

  /**
   * Counts the proposal's admin signatures, with the one `org`'s admin adds as it sends, against the
   * channel's `Admins` policy; too few is a POLICY_NOT_MET refusal and nothing is sent. Enough: sends
   * it to the ordering service as `org`'s admin and waits until `org`'s peer has the new config block.
   */
  async submit(org: OrgSpec, proposalFile: string, timeoutMs = 60_000): Promise<SubmittedUpdate> {
    const inspected = await this.inspect(org, proposalFile);
    const { sidecar, signers, current } = inspected;
    const members = memberMspIds(current.config);
    if (!members.includes(org.mspId))
      throw new NetworkError('INVALID_CONFIG', `${org.name} is not a member of channel ${sidecar.channel}`);
    this.refuseStale(proposalFile, sidecar, current);
    // `peer channel update` adds the sender's signature before sending.
    const counts = policyCounts(current.config, inspected, [...signers, { mspId: org.mspId, isAdmin: true }]);
    const shortfall = counts.find((candidate) => !candidate.met);
    if (shortfall !== undefined) throw new NetworkError('POLICY_NOT_MET', shortfallMessage(shortfall));
    const count = counts[0] as PolicyCount;
    await run(
      this.binaries.peer,
      ['channel', 'update', '-f', proposalFile, '-c', sidecar.channel, ...ordererCliArgs(this.layout, org)],
      { env: this.env(org) },
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await this.currentConfig(org, sidecar.channel);
      if (now.blockNumber > current.blockNumber) {
        log(
          `${sidecar.channel}: config block ${now.blockNumber} (signed by ${count.signed.join(', ')}) is on ${org.name}'s peer`,
        );
        return { count, configBlock: now.blockNumber };
      }
      if (Date.now() > deadline)
        throw new NetworkError(
          'NODE_UNHEALTHY',
          `the update was sent, but ${org.name}'s peer has no newer config block of ${sidecar.channel} after ${timeoutMs / 1000}s`,
        );
      await sleep(500);
    }
  }
}
