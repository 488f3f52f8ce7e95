/**
 * What a proposal's sidecar claims, as a change to a channel config: admins sign the envelope, so
 * before signing or sending, the envelope is checked to make exactly the change its sidecar describes
 * (recomputed from the current config), never more. A deviating proposer cannot slip a policy or
 * membership change under a sidecar that says "revocation list".
 */
import { applicationOrgs, withRevocationList, type ChannelConfigJson } from './channel-config-json';
import { crlSha256, revokedSerials } from './certificate-revocation-list';
import type { RevocationListChange } from './config-update-proposal';
import { NetworkError } from './errors';

/** A `common.ConfigUpdate` as configtxlator's JSON: only the path to an org's MSP in the write set is typed. */
export interface ConfigUpdateJson {
  channel_id?: string;
  write_set?: {
    groups?: {
      Application?: {
        groups?: Record<string, { values?: { MSP?: { value?: { config?: { revocation_list?: string[] } } } } }>;
      };
    };
  };
  [field: string]: unknown;
}

/**
 * The config a revocation-list `change` turns `current` into, taking the data it carries (a CRL) from
 * the envelope's write set `update` and checking that data against the sidecar (its hash and serial
 * numbers). Membership changes carry their data in the sidecar itself (see `ChannelConfigUpdates`).
 */
export function configWithClaimedChange(
  current: ChannelConfigJson,
  channel: string,
  change: RevocationListChange,
  update: ConfigUpdateJson,
  where: string,
): ChannelConfigJson {
  const mismatch = (what: string): never => {
    throw new NetworkError('INVALID_CONFIG', `${where} does not make the change its sidecar describes: ${what}`);
  };
  const group = applicationOrgs(current).find((org) => org.msp.name === change.org)?.group;
  if (group === undefined) return mismatch(`${change.org} is not a member of channel ${channel}`);
  const encoded = update.write_set?.groups?.Application?.groups?.[group]?.values?.MSP?.value?.config?.revocation_list;
  if (encoded === undefined) return mismatch(`it writes no revocation list for ${change.org}`);
  const crls = encoded.map((value) => Buffer.from(value, 'base64').toString('utf8'));
  if (crls.length !== 1 || crls[0] === undefined) return mismatch(`it writes ${crls.length} CRLs, not one`);
  if (crlSha256(crls[0]) !== change.crlSha256) mismatch('the CRL it writes has another SHA-256');
  let serials: string[] = [];
  try {
    serials = revokedSerials(crls[0]);
  } catch (error) {
    mismatch(`the CRL it writes is not one (${error instanceof Error ? error.message : String(error)})`);
  }
  if (serials.join(',') !== change.revokedSerials.join(','))
    mismatch(
      `the CRL revokes ${serials.join(', ') || 'nothing'}, the sidecar says ${change.revokedSerials.join(', ')}`,
    );
  return withRevocationList(current, channel, change.org, crls);
}
