/**
 * Counting a configuration update's signatures against a channel's `Admins` policies, before anything
 * is sent: `MAJORITY Admins` of the channel's application orgs (channel-config.ts), i.e. more than
 * half of the member orgs, each through a signature of one of its admins — and, when the update
 * changes who orders the channel, `MAJORITY Admins` of the Orderer group's orgs as well.
 */

/** The policy every channel configuration update of this network is counted against. */
export const CHANNEL_ADMINS_POLICY = '/Channel/Application/Admins (MAJORITY Admins)';

/** The policy an update that adds or removes an orderer org or consenter is counted against too. */
export const ORDERER_ADMINS_POLICY = '/Channel/Orderer/Admins (MAJORITY Admins)';

/** Who signed an update, as read from one of its signatures. */
export interface UpdateSigner {
  readonly mspId: string;
  /** The signing certificate carries the NodeOU `admin` and was issued by the org's CA in the channel's config. */
  readonly isAdmin: boolean;
}

/** The outcome of counting, with what a refusal must say. */
export interface PolicyCount {
  readonly policy: string;
  readonly channel: string;
  /** The orgs (MSP ids) whose admins the policy counts: the channel's application orgs, or its orderer orgs. */
  readonly members: readonly string[];
  readonly needed: number;
  /** Member orgs with at least one admin signature, in member order. */
  readonly signed: readonly string[];
  /** Signatures that count for nothing: not a member org, or not an admin of it. */
  readonly ignored: readonly string[];
  readonly met: boolean;
}

/** How many of `members` orgs a MAJORITY policy needs: more than half. */
export function majorityOf(members: number): number {
  if (!Number.isInteger(members) || members < 1) throw new RangeError(`a channel has at least one org, got ${members}`);
  return Math.floor(members / 2) + 1;
}

/**
 * Counts distinct member orgs with an admin signature among `signers` (several signatures of one org
 * count once, as Fabric's policy evaluation de-duplicates them) against `policy` over `members`.
 */
export function countAdminSignatures(
  channel: string,
  members: readonly string[],
  signers: readonly UpdateSigner[],
  policy: string = CHANNEL_ADMINS_POLICY,
): PolicyCount {
  const admins = new Set(signers.filter((signer) => signer.isAdmin).map((signer) => signer.mspId));
  const signed = members.filter((member) => admins.has(member));
  const ignored = signers
    .filter((signer) => !signer.isAdmin || !members.includes(signer.mspId))
    .map((signer) => `${signer.mspId}${signer.isAdmin ? ' (not a member of the channel)' : ' (not an admin)'}`);
  const needed = majorityOf(members.length);
  return {
    policy,
    channel,
    members,
    needed,
    signed,
    ignored: [...new Set(ignored)],
    met: signed.length >= needed,
  };
}

/** The refusal for a count that falls short: the policy, how many are needed, and who signed so far. */
export function shortfallMessage(count: PolicyCount): string {
  const signedSoFar = count.signed.length === 0 ? 'nobody' : count.signed.join(', ');
  const missing = count.members.filter((member) => !count.signed.includes(member));
  const ignored = count.ignored.length === 0 ? '' : `; not counted: ${count.ignored.join(', ')}`;
  return (
    `channel ${count.channel}: policy ${count.policy} needs the admins of ${count.needed} of ` +
    `${count.members.length} orgs (${count.members.join(', ')}), signed so far by ${count.signed.length}: ` +
    `${signedSoFar}${ignored}; still to sign (any ${count.needed - count.signed.length} of): ${missing.join(', ')}. ` +
    `Nothing was sent.`
  );
}
