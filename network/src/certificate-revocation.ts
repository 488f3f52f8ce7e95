import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FabricBinaries } from './binaries';
import { OrgCertificateAuthority } from './certificate-authority';
import { crlSha256, revokedSerials } from './certificate-revocation-list';
import { mspDefinition, mspRevokedSerials, withRevocationList } from './channel-config-json';
import { ChannelConfigUpdates } from './channel-config-update';
import { NetworkError } from './errors';
import type { NetworkLayout } from './layout';
import type { ProcessSupervisor } from './processes';
import { log } from './progress';
import type { RevocationReason } from './revocation-reasons';
import { channelsToKeep } from './gateway-profile-channels';
import { revokeInOrderedChannels } from './orderer-group-revocation';
import { channelsOf, type OrgSpec } from './topology';

/** What to revoke, and how far to take the channel updates on this host. */
export interface RevocationRequest {
  readonly org: OrgSpec;
  /** The enrollment id whose certificates the org's CA revokes. */
  readonly user: string;
  readonly reason: RevocationReason;
  /** Where the proposals (and their sidecars) are written. */
  readonly proposalDir: string;
  /**
   * Other orgs whose admins sign here too, then the update is submitted (the dev network, where every
   * admin's MSP is local). Empty: the proposals are left, signed by `org`, to hand to the other admins.
   */
  readonly signAs: readonly OrgSpec[];
}

/** One channel's part of a revocation. */
export interface ChannelRevocation {
  readonly channel: string;
  /** The proposal file, or undefined when the channel already had this CRL. */
  readonly proposal?: string;
  /** The config block that carries the CRL, when it was submitted here. */
  readonly configBlock?: number;
}

export interface RevocationOutcome {
  /** Serial numbers (hex) the CRL revokes, the user's among them. */
  readonly revokedSerials: readonly string[];
  readonly channels: readonly ChannelRevocation[];
}

/**
 * Revokes a user's certificates at the org's CA, then puts the CA's CRL into the org's MSP definition
 * in every channel the org is a member of, by channel configuration updates: proposed and signed by
 * the org's admin, signed by `signAs` and submitted when given. Peers refuse the revoked certificate
 * on a channel once its config block with the CRL is committed there. With `bft` ordering the same
 * update also puts the CRL into the org's MSP in the channel's Orderer group (withRevocationList); on
 * the channels whose Orderer group alone holds the org (those it orders but is not a member of) the
 * org's admin alone puts it there (revokeInOrderedChannels), so a revoked admin's signature no longer
 * counts towards those channels' `/Channel/Orderer/Admins` either.
 */
export async function revokeCertificate(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  supervisor: ProcessSupervisor,
  request: RevocationRequest,
): Promise<RevocationOutcome> {
  const { org, user } = request;
  const ca = new OrgCertificateAuthority(layout, binaries, supervisor, org);
  if (!(await ca.isRegistered(user)))
    throw new NetworkError('INVALID_CONFIG', `${org.name}'s CA has no identity '${user}': nothing was revoked`);
  await ca.revoke(user, request.reason);
  const crl = await ca.generateCrl();
  // Kept in the org's channel MSP too: its exported definition carries it to channels it joins later.
  const crlsDir = join(layout.orgMsp(org), 'crls');
  mkdirSync(crlsDir, { recursive: true });
  writeFileSync(join(crlsDir, 'crl.pem'), crl);
  const serials = revokedSerials(crl);
  log(`${org.name}'s CA revoked '${user}'; its CRL now lists ${serials.length} certificate(s)`);

  mkdirSync(request.proposalDir, { recursive: true });
  const updates = new ChannelConfigUpdates(layout, binaries);
  const channels: ChannelRevocation[] = [];
  // The org's channels in the topology, and those it joined later (listed in its gateway profile).
  const orgChannels = channelsToKeep(
    layout.gatewayProfile(org),
    channelsOf(org).map((channel) => channel.name),
  );
  for (const channel of orgChannels) {
    const { config } = await updates.currentConfig(org, channel);
    // The CA signs a fresh CRL (new thisUpdate) on every call: same serials means nothing new to publish.
    const present = mspRevokedSerials(mspDefinition(config, channel, org.mspId));
    if (sameSerials(present, serials)) {
      log(`${channel}: ${org.name}'s MSP already carries a CRL revoking these certificates`);
      channels.push({ channel });
      continue;
    }
    const proposal = join(request.proposalDir, `${channel}-${org.slug}-revocation-${Date.now()}.pb`);
    await updates.propose(org, channel, proposal, (current) => withRevocationList(current, channel, org.mspId, [crl]), {
      kind: 'revocation-list',
      org: org.mspId,
      revokedUser: user,
      reason: request.reason,
      revokedSerials: serials,
      crlSha256: crlSha256(crl),
    });
    log(`${channel}: proposal ${proposal} (signed by ${org.name})`);
    if (request.signAs.length === 0) {
      channels.push({ channel, proposal });
      continue;
    }
    for (const other of request.signAs) await updates.sign(other, proposal);
    const { configBlock } = await updates.submit(org, proposal);
    channels.push({ channel, proposal, configBlock });
  }
  // Where its node orders a channel it is not a member of, the org's admin alone updates its Orderer-group MSP.
  channels.push(...(await revokeInOrderedChannels(layout, binaries, org, crl, request.proposalDir, orgChannels)));
  return { revokedSerials: serials, channels };
}

/** Whether two lists name the same serial numbers (order and repeats aside); two empty lists do not count. */
function sameSerials(a: readonly string[], b: readonly string[]): boolean {
  const [left, right] = [new Set(a), new Set(b)];
  return left.size > 0 && left.size === right.size && [...left].every((serial) => right.has(serial));
}
