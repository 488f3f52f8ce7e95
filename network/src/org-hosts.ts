/**
 * Where each org's processes run: `AAL_ORG_HOSTS=hospital-a=10.77.0.2,regulator=regulator.example,…`.
 * Each org's nodes listen on its host's address, the others dial it there, and its TLS certificates
 * name it, so nothing depends on every org sharing 127.0.0.1.
 */
import { isIP, isIPv4 } from 'node:net';
import { NetworkError } from './errors';
import { ORDERER_ORG, PEER_ORGS } from './topology';

/** The environment variable naming the orgs' hosts. */
export const ORG_HOSTS_ENV = 'AAL_ORG_HOSTS';

/** A DNS host name (RFC 1123 labels). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Checks one org's host address: an IPv4 address other than the wildcard, or a host name. */
export function parseOrgHost(value: string, where: string): string {
  if (value === '0.0.0.0')
    throw new NetworkError(
      'INVALID_CONFIG',
      `${where}: 0.0.0.0 would listen on every interface; name the host's address`,
    );
  if (isIPv4(value) || (isIP(value) === 0 && HOST_NAME.test(value) && !/^[\d.]+$/.test(value))) return value;
  throw new NetworkError('INVALID_CONFIG', `${where}: '${value}' is not an IPv4 address or a host name`);
}

/**
 * Parses `slug=address,…` into hosts by org slug; an empty or missing value is undefined (every org
 * on 127.0.0.1). Refuses unknown orgs (the founding ones, and `joiningOrgs` — an org that joins later,
 * on its own host), an org named twice, and malformed addresses.
 */
export function parseOrgHosts(
  value: string | undefined,
  joiningOrgs: readonly string[] = [],
): Readonly<Record<string, string>> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const known = [...[ORDERER_ORG, ...PEER_ORGS].map((org) => org.slug), ...joiningOrgs];
  const hosts: Record<string, string> = {};
  for (const entry of value.split(',')) {
    const [slug, address, ...rest] = entry.trim().split('=');
    if (slug === undefined || address === undefined || rest.length > 0 || slug === '')
      throw new NetworkError('INVALID_CONFIG', `${ORG_HOSTS_ENV}: '${entry.trim()}' is not <org slug>=<address>`);
    if (!known.includes(slug))
      throw new NetworkError(
        'INVALID_CONFIG',
        `${ORG_HOSTS_ENV}: unknown organisation '${slug}'; one of ${known.join(', ')}`,
      );
    if (slug in hosts) throw new NetworkError('INVALID_CONFIG', `${ORG_HOSTS_ENV}: '${slug}' is named twice`);
    hosts[slug] = parseOrgHost(address.trim(), `${ORG_HOSTS_ENV} (${slug})`);
  }
  return hosts;
}
