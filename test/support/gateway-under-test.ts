import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeyStore } from '@aal/application';
import { FAKE_MODELS } from '@aal/application/testing';
import { HOSPITAL_A, type NetworkLayout } from '@aal/network';
import { eventually } from './eventually';
import { startExtraApp, waitUntilReady, type ExtraApp } from './extra-app';

/** A HospitalA app with its AI gateway, started by a test, and what it needs to be restarted the same way. */
export interface GatewayUnderTest {
  app: ExtraApp;
  readonly gatewayUrl: string;
  /** Gateway keys by application id. */
  readonly keys: Readonly<Record<string, string>>;
  /** Starts the app again with the same settings and files (outbox included). */
  restart(): Promise<ExtraApp>;
  /** The gateway's `/readyz` answer. */
  readiness(): Promise<{ outbox: { depth: number; oldestAgeMs: number }; consentEvents: Record<string, boolean> }>;
}

/**
 * Writes a gateway configuration routing test models to `upstreamBaseUrl` (prices for `gpt-test`),
 * issues one gateway key per application id, and starts a HospitalA app (the org's wallet, its own
 * files in `dir`) serving the gateway on `gatewayPort`. `profilePath` replaces the org's gateway
 * profile (e.g. one whose peer endpoint is a proxy the test can cut).
 */
export async function startGatewayUnderTest(options: {
  readonly layout: NetworkLayout;
  readonly dir: string;
  readonly appPort: number;
  readonly gatewayPort: number;
  readonly upstreamBaseUrl: string;
  readonly applications: readonly string[];
  readonly priceTableVersion: string;
  readonly profilePath?: string;
  readonly upstreamSecret?: string;
  readonly config?: Record<string, unknown>;
  /** The app's log level (default debug: the tests read its lines; a benchmark wants fewer). */
  readonly logLevel?: string;
  /** More environment for the app process (a benchmark's profiler). */
  readonly env?: Readonly<Record<string, string>>;
}): Promise<GatewayUnderTest> {
  const { dir, layout } = options;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'upstream-key'), options.upstreamSecret ?? 'sk-test', { mode: 0o600 });
  chmodSync(join(dir, 'upstream-key'), 0o600);
  writeFileSync(
    join(dir, 'gateway.json'),
    JSON.stringify({
      version: 1,
      providers: { fake: { baseUrl: options.upstreamBaseUrl, credentialFile: 'upstream-key' } },
      models: {
        'gpt-test': 'fake',
        'gpt-unpriced': 'fake',
        [FAKE_MODELS.cutStream]: 'fake',
        [FAKE_MODELS.rateLimited]: 'fake',
        [FAKE_MODELS.slow]: 'fake',
      },
      defaults: { consentMode: 'record', channel: 'hospital-a' },
      priceTable: {
        version: options.priceTableVersion,
        currency: 'USD',
        prices: [
          {
            provider: 'fake',
            model: 'gpt-test',
            inputPerMillionMinor: 1_000_000,
            outputPerMillionMinor: 2_000_000,
            cachedInputPerMillionMinor: 500_000,
          },
        ],
      },
      ...options.config,
    }),
  );
  const store = new ApiKeyStore(join(dir, 'gateway-keys.json'));
  const keys = Object.fromEntries(options.applications.map((id) => [id, store.create(id, 'recorder').key]));
  const env = {
    AAL_GATEWAY_PROFILE: options.profilePath ?? layout.gatewayProfile(HOSPITAL_A),
    // The org app's wallet: its enrollment secrets were single-use, so a second wallet cannot be enrolled.
    AAL_WALLET_DIR: layout.appWallet(HOSPITAL_A),
    AAL_API_KEY_STORE: join(dir, 'api-keys.json'),
    AAL_AUDITOR_READ_LOG: join(dir, 'reads.jsonl'),
    AAL_AUDIT_INDEX_PATH: join(dir, 'audit-index.sqlite'),
    AAL_AI_GATEWAY_CONFIG: join(dir, 'gateway.json'),
    AAL_AI_GATEWAY_PORT: String(options.gatewayPort),
    AAL_AI_GATEWAY_KEY_STORE: store.path,
    AAL_AI_GATEWAY_OUTBOX: join(dir, 'outbox.sqlite'),
    AAL_LOG_LEVEL: options.logLevel ?? 'debug',
    ...options.env,
  };
  const gatewayUrl = `http://127.0.0.1:${options.gatewayPort}`;
  const start = async (): Promise<ExtraApp> => {
    const app = await startExtraApp(options.appPort, env);
    try {
      await waitUntilReady(app);
      await eventually(
        'the gateway listening',
        () => fetch(`${gatewayUrl}/healthz`),
        (response) => response.ok,
      );
    } catch (error) {
      // Not left running on the ports: a later start there would take it for the app it started.
      await app.stop();
      throw error;
    }
    return app;
  };
  const under: GatewayUnderTest = {
    app: await start(),
    gatewayUrl,
    keys,
    restart: async () => {
      under.app = await start();
      return under.app;
    },
    readiness: async () =>
      (await (await fetch(`${gatewayUrl}/readyz`)).json()) as Awaited<ReturnType<GatewayUnderTest['readiness']>>,
  };
  return under;
}
