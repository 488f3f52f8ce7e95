import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// The app defines what it reads (GatewayProfile); the network writes exactly that.
import { ApiKeyStore, ORG_FILES, type GatewayProfile } from '@aal/application';
import { AUDITOR_ORGS_ENV } from '@aal/ledger-contract';
import { AUDITOR_ORGS } from './chaincode-server-env';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { channelsToKeep } from './gateway-profile-channels';
import type { PostgresServer } from './postgres-server';
import { waitForListening, type ProcessSupervisor } from './processes';
import { APP_ROLES, CHAINCODE_NAME, channelsOf, type AppRole, type OrgSpec } from './topology';

const APPLICATION_DIST = join(dirname(require.resolve('@aal/application/package.json')), 'dist');

/** The REST service's start file: the application package's built `dist/main.js` (its `npm start`). */
export const APPLICATION_ENTRY = join(APPLICATION_DIST, 'main.js');

/** The AI gateway's start file (`dist/ai-gateway-main.js`): a process of its own beside the REST service. */
export const AI_GATEWAY_ENTRY = join(APPLICATION_DIST, 'ai-gateway-main.js');

export function writeGatewayProfile(layout: NetworkLayout, org: OrgSpec): GatewayProfile {
  const profile: GatewayProfile = {
    org: org.name,
    mspId: org.mspId,
    peerEndpoint: address(layout.peerEndpoint(org)),
    peerTlsRootCert: layout.caCert(org),
    // Channels joined later stay listed across restarts (see channelsToKeep).
    channels: channelsToKeep(
      layout.gatewayProfile(org),
      channelsOf(org).map((channel) => channel.name),
    ),
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
    // The auditor orgs the chaincode servers are given, for the app and `npm run audit-index` alike.
    auditorOrgs: AUDITOR_ORGS.map((auditorOrg) => auditorOrg.mspId),
  };
  writeFileSync(layout.gatewayProfile(org), JSON.stringify(profile, null, 2));
  return profile;
}

/** The org's API key store (hashes only, mode 0600), beside its gateway profile. */
export function apiKeyStorePath(layout: NetworkLayout, org: OrgSpec): string {
  return join(layout.orgDir(org), ORG_FILES.apiKeys);
}

/** The org's append-only, hash-chained log of reads by auditor keys. */
export function auditorReadLogPath(layout: NetworkLayout, org: OrgSpec): string {
  return join(layout.orgDir(org), 'auditor-reads.jsonl');
}

/** The org's AI gateway configuration (docs/gateway.md), beside its gateway profile; written once, then the operator's. */
export function aiGatewayConfigPath(layout: NetworkLayout, org: OrgSpec): string {
  return join(layout.orgDir(org), ORG_FILES.aiGatewayConfig);
}

/** The org's AI gateway keys (hashes only, mode 0600), one per application. */
export function aiGatewayKeyStorePath(layout: NetworkLayout, org: OrgSpec): string {
  return join(layout.orgDir(org), ORG_FILES.aiGatewayKeys);
}

/**
 * Writes a starting AI gateway configuration for an org unless one exists: every model routed to
 * OpenAI with the key the operator puts in `openai-api-key` (mode 0600) beside it, consent mode
 * `record` on the org's first channel, and an empty price table (every call `unpriced` until the
 * operator enters prices).
 */
export function writeDefaultAiGatewayConfig(layout: NetworkLayout, org: OrgSpec): string {
  const path = aiGatewayConfigPath(layout, org);
  if (existsSync(path)) return path;
  const config = {
    version: 1,
    providers: { openai: { baseUrl: 'https://api.openai.com/v1', credentialFile: 'openai-api-key' } },
    models: {},
    defaultProvider: 'openai',
    applications: {},
    defaults: {
      consentMode: 'record',
      // An org that joined its channels later has them in its gateway profile only.
      channel: channelsToKeep(
        layout.gatewayProfile(org),
        channelsOf(org).map((channel) => channel.name),
      )[0],
    },
    priceTable: { version: 'none', currency: 'USD', prices: [] },
    outbox: { maxEntries: 100_000, batchRecords: 500 },
    consent: { cacheMs: 5_000 },
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/**
 * Issues a gateway key for `applicationId` at an org (revoking an earlier active one of that
 * application), shown once: the key names the application its calls are recorded for.
 */
export function issueAiGatewayKey(layout: NetworkLayout, org: OrgSpec, applicationId: string): string {
  const store = new ApiKeyStore(aiGatewayKeyStorePath(layout, org));
  for (const existing of store.list())
    if (existing.name === applicationId && existing.revokedAt === null) store.revoke(existing.id);
  return store.create(applicationId, 'recorder').key;
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
 * org's PostgreSQL server (`auditIndex`, started first; the password goes by file, not environment),
 * then the org's AI gateway process unless it is running already (it signs with the identities the
 * app enrolls on its first start, so it starts once the app listens).
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
      ...withoutAiGatewaySettings(applicationEnvironment(layout, org, process.env)),
      AAL_API_KEY_STORE: apiKeyStorePath(layout, org),
      AAL_AUDITOR_READ_LOG: auditorReadLogPath(layout, org),
      AAL_AUDIT_INDEX_URL: auditIndex.url,
      AAL_AUDIT_INDEX_PASSWORD_FILE: auditIndex.options.passwordFile,
    },
    logFile: layout.logFile(name),
  });
  await waitForListening(supervisor, name, endpoint);
  if (!supervisor.isRunning(layout.aiGatewayProcess(org))) await startAiGatewayProcess(layout, supervisor, org);
  return `http://${address(endpoint)}`;
}

/**
 * Starts the org's AI gateway process (docs/gateway.md) on its port; the org's app must have enrolled
 * the wallet (it has once it listened). Resolves once the gateway listens.
 */
export async function startAiGatewayProcess(
  layout: NetworkLayout,
  supervisor: ProcessSupervisor,
  org: OrgSpec,
): Promise<void> {
  const name = layout.aiGatewayProcess(org);
  supervisor.start({
    name,
    command: process.execPath,
    args: [AI_GATEWAY_ENTRY],
    env: aiGatewayEnvironment(layout, org, process.env),
    logFile: layout.logFile(name),
  });
  await waitForListening(supervisor, name, layout.aiGateway(org));
}

/**
 * The AI gateway process's environment: the shell's (`shell`) without the REST app's own settings
 * (an audit index URL may hold a password), then the app's address, profile and wallet, and the
 * gateway's configuration, port and key store. Writes the default configuration if none exists.
 */
export function aiGatewayEnvironment(layout: NetworkLayout, org: OrgSpec, shell: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...withoutAppOnlySettings(applicationEnvironment(layout, org, shell)),
    AAL_AI_GATEWAY_CONFIG: writeDefaultAiGatewayConfig(layout, org),
    AAL_AI_GATEWAY_PORT: String(layout.aiGateway(org).port),
    AAL_AI_GATEWAY_KEY_STORE: aiGatewayKeyStorePath(layout, org),
  };
}

/** The gateway's settings (AAL_AI_GATEWAY_*), which the REST app does not read. */
function withoutAiGatewaySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AAL_AI_GATEWAY_')));
}

/** Settings only the REST app reads (its audit index, API keys, auditor-read log): a shell's values stay out of the gateway. */
const APP_ONLY_SETTINGS = /^AAL_(AUDIT_INDEX_|API_KEY_STORE$|AUDITOR_READ_LOG|READ_LOG_NAME$|READ_ANCHOR_)/;

function withoutAppOnlySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !APP_ONLY_SETTINGS.test(name)));
}

/** What the org's REST app and its AI gateway process are both told: the app's address, the profile, the wallet. */
function applicationEnvironment(layout: NetworkLayout, org: OrgSpec, shell: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // The app reads the auditor orgs from its gateway profile, as the chaincode servers are told them:
  // a value left in the operator's shell must not override that.
  const { [AUDITOR_ORGS_ENV]: _shellAuditorOrgs, ...inherited } = shell;
  const endpoint = layout.application(org);
  return {
    ...inherited,
    AAL_HOST: endpoint.host,
    AAL_PORT: String(endpoint.port),
    AAL_GATEWAY_PROFILE: layout.gatewayProfile(org),
    AAL_WALLET_DIR: layout.appWallet(org),
  };
}
