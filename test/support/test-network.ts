import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseOrdering, type AppRole, type NetworkOptions } from '@aal/network';

/**
 * The network the integration tests run: its own directory and its own block of ports, so it can
 * run beside the one `npm start` runs. Override with AAL_TEST_NETWORK_DIR / AAL_TEST_BASE_PORT; the
 * ordering service with AAL_TEST_ORDERING (`raft`, the default, or `bft`).
 */
export function testNetworkOptions(env: NodeJS.ProcessEnv = process.env): NetworkOptions {
  return {
    dir: resolve(env.AAL_TEST_NETWORK_DIR ?? join(__dirname, '..', '..', '.network-test')),
    basePort: Number(env.AAL_TEST_BASE_PORT ?? 18000),
    orderers: 3,
    ordering: parseOrdering(env.AAL_TEST_ORDERING, 'AAL_TEST_ORDERING'),
    purgeIntervalBlocks: 1,
  };
}

/** What global setup hands to the test files. */
export interface TestEnvironment {
  readonly options: NetworkOptions;
  readonly chaincodeVersion: string;
  /** Base URL of each org's REST application, by org name. */
  readonly apps: Readonly<Record<string, string>>;
  /** One API key per role for each org's app, by org name then role, issued by global setup. */
  readonly apiKeys: Readonly<Record<string, Readonly<Record<AppRole, string>>>>;
}

export function testEnvironmentFile(options: NetworkOptions): string {
  return join(options.dir, 'test-environment.json');
}

/** `Authorization` header with the org's test key for a role. */
export function bearer(environment: TestEnvironment, org: string, role: AppRole): Record<string, string> {
  const key = environment.apiKeys[org]?.[role];
  if (key === undefined) throw new Error(`no test API key for ${org}/${role}`);
  return { authorization: `Bearer ${key}` };
}

/** The environment global setup wrote for the network with `options` (by default the integration network). */
export function loadTestEnvironment(options: NetworkOptions = testNetworkOptions()): TestEnvironment {
  const file = testEnvironmentFile(options);
  if (!existsSync(file)) throw new Error(`no test environment at ${file}: global setup did not run`);
  return JSON.parse(readFileSync(file, 'utf8')) as TestEnvironment;
}
