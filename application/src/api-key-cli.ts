/**
 * Admin command for an org's API keys, working on the same store file the org's app reads:
 *
 *   npm run apikey -- create --org hospital-a --role recorder --name demo [--json]
 *   npm run apikey -- list   --org hospital-a
 *   npm run apikey -- revoke --org hospital-a --id key_0123456789abcdef
 *   npm run apikey -- create --org hospital-a --gateway --name triage-app      (an AI gateway key)
 *
 * `--org <slug>` means `<network dir>/orgs/<slug>/api-keys.json` (network dir: AAL_NETWORK_DIR, or
 * `.network` in the repository), or with `--gateway` the org's AI gateway keys; `--store <file>`
 * names a store directly. A new key is printed once and never stored.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKeyStore, ApiKeyStoreError } from './auth/api-key-store';
import { ID_PATTERN, ROLES, isRole, type Role } from '@aal/ledger-contract';
import { ORG_FILES } from './org-files';

const USAGE = `usage: npm run apikey -- <command> (--org <org slug> [--gateway] | --store <file>) [options]
  create --role <${ROLES.join('|')}> --name <name> [--json]   issue a key (printed once)
  create --gateway --name <applicationId> [--json]            issue an AI gateway key for an application
  list                                                        show keys (no secrets)
  revoke --id <key id>                                        revoke a key
  --gateway: the org's AI gateway keys (${ORG_FILES.aiGatewayKeys}) instead of its REST API keys`;

/**
 * The role an AI gateway key is stored with: the gateway reads only the key's name (the
 * applicationId) and records as the org's recorder, so the key can do nothing else.
 */
const GATEWAY_KEY_ROLE: Role = 'recorder';

class UsageError extends Error {}

function storePath(values: { org?: string; store?: string; gateway?: boolean }): string {
  if (values.store !== undefined) {
    if (values.gateway === true)
      throw new UsageError('--gateway picks the org’s gateway key store: give --org, not --store');
    return resolve(values.store);
  }
  if (values.org === undefined)
    throw new UsageError('name the org (--org hospital-a) or the store file (--store <file>)');
  if (!/^[a-z0-9-]+$/.test(values.org))
    throw new UsageError(`--org must be an org slug such as hospital-a, got '${values.org}'`);
  // Compiled or run from source, this file is two levels below the repository root.
  const networkDir = resolve(process.env.AAL_NETWORK_DIR ?? join(__dirname, '..', '..', '.network'));
  const orgDir = join(networkDir, 'orgs', values.org);
  if (!existsSync(orgDir))
    throw new UsageError(`no org '${values.org}' in ${networkDir}: start the network first, or check the slug`);
  return join(orgDir, values.gateway === true ? ORG_FILES.aiGatewayKeys : ORG_FILES.apiKeys);
}

/** Runs one command; returns the process exit code. */
export function runApiKeyCli(argv: readonly string[], out: (line: string) => void = console.log): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      store: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      json: { type: 'boolean', default: false },
      gateway: { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  const store = new ApiKeyStore(storePath(values));
  switch (command) {
    case 'create': {
      if (values.gateway) {
        if (values.role !== undefined)
          throw new UsageError('a gateway key has no role to choose: the gateway records as the org’s recorder');
      } else if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (values.name === undefined)
        throw new UsageError(
          values.gateway
            ? '--name is required: the applicationId the gateway records the calls under'
            : '--name is required: who or what will use the key',
        );
      if (values.gateway && !ID_PATTERN.test(values.name))
        throw new UsageError(`--name must be an applicationId (${ID_PATTERN.source}), got '${values.name}'`);
      const { key, info } = store.create(values.name, values.gateway ? GATEWAY_KEY_ROLE : (values.role as Role));
      if (values.json) out(JSON.stringify({ ...info, key }));
      else if (values.gateway) {
        out(`AI gateway key for application '${info.name}' (id ${info.id}) in ${store.path}:`);
        out(`  ${key}`);
        out('Shown once: only its hash is stored. Give it to the application as its OpenAI API key.');
      } else {
        out(`API key '${info.name}' (role ${info.role}, id ${info.id}) in ${store.path}:`);
        out(`  ${key}`);
        out('Shown once: only its hash is stored. Send it as "Authorization: Bearer <key>".');
      }
      return 0;
    }
    case 'list':
      for (const info of store.list())
        out(
          values.json
            ? JSON.stringify(info)
            : `${info.id}  ${info.role.padEnd(15)} ${info.name.padEnd(24)} created ${info.createdAt}${info.revokedAt ? `  REVOKED ${info.revokedAt}` : ''}`,
        );
      return 0;
    case 'revoke': {
      if (values.id === undefined) throw new UsageError('--id is required (see `list`)');
      const info = store.revoke(values.id);
      out(values.json ? JSON.stringify(info) : `revoked ${info.id} (${info.name}) at ${info.revokedAt ?? ''}`);
      return 0;
    }
    default:
      throw new UsageError(command === undefined ? 'a command is required' : `unknown command '${command}'`);
  }
}

if (require.main === module) {
  try {
    process.exitCode = runApiKeyCli(process.argv.slice(2));
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ApiKeyStoreError ||
      (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else throw error;
  }
}
