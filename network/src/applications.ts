import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// The app defines what it reads (GatewayProfile); the network writes exactly that.
import { ApiKeyStore, type GatewayProfile } from '@aal/application';
import { AUDITOR_ORGS_ENV } from '@aal/ledger-contract';
import { auditorOrgsValue } from './chaincode-server-env';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import type { PostgresServer } from './postgres-server';
import { waitForListening, type ProcessSupervisor } from './processes';
import { APP_ROLES, CHAINCODE_NAME, channelsOf, type AppRole, type OrgSpec } from './topology';

/** The REST service's start file: the application package's built `dist/main.js` (its `npm start`). */
export const APPLICATION_ENTRY = join(dirname(require.resolve('@aal/application/package.json')), 'dist', 'main.js');

export function writeGatewayProfile(layout: NetworkLayout, org: OrgSpec): GatewayProfile {
  const profile: GatewayProfile = {
    org: org.name,
    mspId: org.mspId,
    peerEndpoint: address(layout.peerEndpoint(org)),
    peerTlsRootCert: layout.caCert(org),
    channels: channelsOf(org).map((channel) => channel.name),
    chaincode: CHAINCODE_NAME,
    identities: Object.fromEntries(
      APP_ROLES.map((role) => {
        const identity = layout.appUserIdentity(org, role);
        return [role, { certificate: `${identity.msp}/signcerts/cert.pem`, keyDir: `${identity.msp}/keystore` }];
      }),
    ),
    // The app enrolls its own identities with these on first start (identities above serve tooling).
    enrollment: {
      caUrl: `https://${address(layout.caEndpoint(org))}`,
      caName: `ca-${org.slug}`,
      caTlsCert: layout.caCert(org),
      secretsFile: layout.appEnrollmentSecrets(org),
    },
  };
  writeFileSync(layout.gatewayProfile(org), JSON.stringify(profile, null, 2));
  return profile;
}

/** The org's API key store (hashes only, mode 0600), beside its gateway profile. */
export function apiKeyStorePath(layout: NetworkLayout, org: OrgSpec): string {
  return join(layout.orgDir(org), 'api-keys.json');
}

/** The org's append-only, hash-chained log of reads by auditor keys. */
export function auditorReadLogPath(layout: NetworkLayout, org: OrgSpec): string {
  return join(layout.orgDir(org), 'auditor-reads.jsonl');
}

/**
 * Issues one API key per role for an org, named `<prefix>-<role>`, revoking any earlier active key
 * of that name first (so each `npm start` hands out fresh keys and old ones stop working). The
 * running app sees the new keys at once: it re-reads the store when the file changes.
 */
export function issueApiKeys(layout: NetworkLayout, org: OrgSpec, prefix: string): Record<AppRole, string> {
  const store = new ApiKeyStore(apiKeyStorePath(layout, org));
  const keys = {} as Record<AppRole, string>;
  for (const role of APP_ROLES) {
    const name = `${prefix}-${role}`;
    for (const existing of store.list())
      if (existing.name === name && existing.revokedAt === null) store.revoke(existing.id);
    keys[role] = store.create(name, role).key;
  }
  return keys;
}

/**
 * Starts one REST application instance for an org, bound to loopback, with its audit index in the
 * org's PostgreSQL server (`auditIndex`, started first; the password goes by file, not environment).
 */
export async function startApplication(
  layout: NetworkLayout,
  supervisor: ProcessSupervisor,
  org: OrgSpec,
  auditIndex: PostgresServer,
): Promise<string> {
  const name = layout.applicationProcess(org);
  const endpoint = layout.application(org);
  supervisor.start({
    name,
    command: process.execPath,
    args: [APPLICATION_ENTRY],
    env: {
      ...process.env,
      AAL_HOST: endpoint.host,
      AAL_PORT: String(endpoint.port),
      AAL_GATEWAY_PROFILE: layout.gatewayProfile(org),
      AAL_WALLET_DIR: layout.appWallet(org),
      AAL_API_KEY_STORE: apiKeyStorePath(layout, org),
      AAL_AUDITOR_READ_LOG: auditorReadLogPath(layout, org),
      AAL_AUDIT_INDEX_URL: auditIndex.url,
      AAL_AUDIT_INDEX_PASSWORD_FILE: auditIndex.options.passwordFile,
      // The app answers audit reads from its index with the chaincode's rule: the same auditor orgs.
      [AUDITOR_ORGS_ENV]: auditorOrgsValue(),
    },
    logFile: layout.logFile(name),
  });
  await waitForListening(supervisor, name, endpoint);
  return `http://${address(endpoint)}`;
}
