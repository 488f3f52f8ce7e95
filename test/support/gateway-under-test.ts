import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeyStore } from '@aal/application';
import { FAKE_MODELS } from '@aal/application/testing';
import { AI_GATEWAY_ENTRY, HOSPITAL_A, type NetworkLayout } from '@aal/network';
import { eventually } from './eventually';
import { startExtraApp, waitUntilReady, type ExtraApp } from './extra-app';

/** A HospitalA AI gateway process, started by a test, and what it needs to be restarted the same way. */
export interface GatewayUnderTest {
  /** The gateway's process (`AI_GATEWAY_ENTRY`). */
  app: ExtraApp;
  readonly gatewayUrl: string;
  /** Gateway keys by application id. */
  readonly keys: Readonly<Record<string, string>>;
  /** Starts the gateway again with the same settings and files (outbox included). */
  restart(): Promise<ExtraApp>;
  /** The gateway's `/readyz` answer. */
  readiness(): Promise<{ outbox: { depth: number; oldestAgeMs: number }; consentEvents: Record<string, boolean> }>;
  /**
   * For a failed test's message: the gateway's `/readyz` answer and its last warnings and errors
   * (its log is held in memory only, so a CI run keeps nothing else of it).
   */
  diagnostics(): Promise<string>;
}

/** Pino's numeric level of `warn`: lines at or above it are what an operator would look at. */
const WARN_LEVEL = 40;

/** The last `count` log lines of `output` at warn level or above (pino JSON lines; other text kept). */
function lastWarnings(output: string, count: number): string[] {
  const lines = output.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    try {
      return ((JSON.parse(line) as { level?: number }).level ?? WARN_LEVEL) >= WARN_LEVEL;
    } catch {
      return true;
    }
  });
  return lines.slice(-count);
}

/**
 * Writes a gateway configuration routing test models to `upstreamBaseUrl` (prices for `gpt-test`),
 * issues one gateway key per application id, and starts a HospitalA AI gateway process (the org
 * app's wallet, its own files in `dir`) on `gatewayPort`. `profilePath` replaces the org's gateway
 * profile (e.g. one whose peer endpoint is a proxy the test can cut).
 */
export async function startGatewayUnderTest(options: {
  readonly layout: NetworkLayout;
  readonly dir: string;
  /** The port of the REST app the gateway sits beside (its configuration names it; nothing listens there). */
  readonly appPort: number;
  readonly gatewayPort: number;
  readonly upstreamBaseUrl: string;
  readonly applications: readonly string[];
  readonly priceTableVersion: string;
  readonly profilePath?: string;
  readonly upstreamSecret?: string;
  readonly config?: Record<string, unknown>;
  /** The gateway's log level (default debug: the tests read its lines; a benchmark wants fewer). */
  readonly logLevel?: string;
  /** More environment for the gateway process (a benchmark's profiler). */
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
    AAL_AI_GATEWAY_CONFIG: join(dir, 'gateway.json'),
    AAL_AI_GATEWAY_PORT: String(options.gatewayPort),
    AAL_AI_GATEWAY_KEY_STORE: store.path,
    AAL_AI_GATEWAY_OUTBOX: join(dir, 'outbox.sqlite'),
    AAL_LOG_LEVEL: options.logLevel ?? 'debug',
    ...options.env,
  };
  const gatewayUrl = `http://127.0.0.1:${options.gatewayPort}`;
  const readiness = async () =>
    (await (await fetch(`${gatewayUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })).json()) as Awaited<
      ReturnType<GatewayUnderTest['readiness']>
    >;
  const start = async (): Promise<ExtraApp> => {
    const gateway = await startExtraApp(
      options.gatewayPort,
      { ...env, AAL_PORT: String(options.appPort) },
      true,
      AI_GATEWAY_ENTRY,
    );
    try {
      // Ready: the outbox takes records and every channel's consent event stream is connected.
      await waitUntilReady(gateway);
      await eventually("the gateway's consent event streams connected", readiness, (ready) =>
        Object.values(ready.consentEvents).every(Boolean),
      );
    } catch (error) {
      // Not left running on the port: a later start there would take it for the gateway it started.
      await gateway.stop();
      throw error;
    }
    return gateway;
  };
  const under: GatewayUnderTest = {
    app: await start(),
    gatewayUrl,
    keys,
    restart: async () => {
      under.app = await start();
      return under.app;
    },
    readiness,
    diagnostics: async () => {
      const ready = await readiness().then(
        (answer) => JSON.stringify(answer),
        (error: unknown) => `unanswered: ${String(error)}`,
      );
      const warnings = lastWarnings(under.app.output(), 40);
      return [`gateway /readyz: ${ready}`, `gateway's last ${warnings.length} warnings and errors:`, ...warnings].join(
        '\n',
      );
    },
  };
  return under;
}
