/**
 * An organisation outside the founding consortium ({@link PEER_ORGS}): a new member that the
 * channels' admins add by a majority-signed configuration update (`npm run org -- propose-add`), and
 * that then joins those channels from its own host (`npm run org -- join`). It is known by the name
 * and MSP id its operator gives at `npm run org -- init --org <slug> --name <Name> --msp-id <MSP id>`,
 * recorded in its member directory; the founding members know it only from its exported definition,
 * carried in the channels' configuration.
 */
import { NetworkError } from './errors';
import { ORG_MSP_ID_PATTERN, ORG_NAME_PATTERN } from './org-definition';
import { ORDERER_ORG, PEER_ORGS, type OrgSpec } from './topology';

/** What names a joining org: its display (configtx) name and MSP id; its slug names its directory. */
export interface JoiningOrgName {
  readonly name: string;
  readonly mspId: string;
}

/** An org slug: lower-case letters, digits and single hyphens (it names directories, processes and hosts). */
export const ORG_SLUG_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * The {@link OrgSpec.index} of every joining org: one past the founders'. Its ports derive from it as
 * a founder's do (CA ports from the index, the peer-org blocks from position index − 1); they overlap
 * other ports of the block, so a joining org runs on a host of its own (checked by NetworkLayout).
 */
export const JOINING_ORG_INDEX = PEER_ORGS.length + 1;

/**
 * A joining org's position in each block of per-org ports and numbers (its peer's, and with `bft`
 * its orderer node's, orderer {@link PEER_ORGS}.length): one past the founders' 0..3, as a
 * founder's position is its index − 1.
 */
export const JOINING_ORG_POSITION = JOINING_ORG_INDEX - 1;

/** Whether `slug` names one of the founding orgs (or the Raft orderer org). */
export function isFoundingOrg(slug: string): boolean {
  return [ORDERER_ORG, ...PEER_ORGS].some((org) => org.slug === slug);
}

/**
 * The spec of the joining org named `name`/`mspId` whose directory is `slug`; refuses a malformed
 * slug, name or MSP id, and any that a founding org already uses (a joining org cannot take over a
 * founder's name, MSP id or directory).
 *
 * @example
 * joiningOrg('hospital-c', { name: 'HospitalC', mspId: 'HospitalCMSP' }); // { …, index: JOINING_ORG_INDEX }
 */
export function joiningOrg(slug: string, { name, mspId }: JoiningOrgName): OrgSpec {
  if (!ORG_SLUG_PATTERN.test(slug) || slug.length > 63)
    throw new NetworkError('INVALID_CONFIG', `'${slug}' is not an org slug (lower-case letters, digits, hyphens)`);
  if (!ORG_NAME_PATTERN.test(name))
    throw new NetworkError('INVALID_CONFIG', `'${name}' is not an org name (a letter, then letters and digits)`);
  if (!ORG_MSP_ID_PATTERN.test(mspId))
    throw new NetworkError('INVALID_CONFIG', `'${mspId}' is not an MSP id (letters and digits ending in MSP)`);
  const founder = [ORDERER_ORG, ...PEER_ORGS].find(
    (org) => org.slug === slug || org.name.toLowerCase() === name.toLowerCase() || org.mspId === mspId,
  );
  if (founder !== undefined)
    throw new NetworkError(
      'INVALID_CONFIG',
      `${name} (${mspId}, ${slug}) clashes with the founding org ${founder.name} (${founder.mspId}, ${founder.slug}): ` +
        `a new member needs a slug, name and MSP id of its own`,
    );
  return { name, mspId, slug, index: JOINING_ORG_INDEX };
}
