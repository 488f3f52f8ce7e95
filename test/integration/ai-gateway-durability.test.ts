import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { LIMITS } from '@aal/ledger-contract';
import { startFakeOpenAiUpstream, type FakeOpenAiUpstream } from '@aal/application/testing';
import { HOSPITAL_A, NetworkLayout } from '@aal/network';
import { HOSPITAL_A_CHANNEL, runSuffix } from '../support/deviating-member';
import { eventually } from '../support/eventually';
import { startGatewayUnderTest, type GatewayUnderTest } from '../support/gateway-under-test';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';
import { rateLimitedRead } from '../support/rate-limited-read';

/**
 * Nothing lost: the AI gateway under load is killed with SIGKILL, or loses its ledger for 30 s, and
 * afterwards every call its client saw complete is on the ledger exactly once — counted through the
 * org's audit query (HospitalA's own app, index-backed) by application id.
 */
const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const hospitalA = environment.apps.HospitalA ?? '';
const run = runSuffix();

/** Every interaction id of an application on the ledger, via the audit index of HospitalA's app. */
async function ledgerIds(applicationId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `by=applicationId&value=${applicationId}&pageSize=${LIMITS.pageSize}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await rateLimitedRead(() =>
      fetch(`${hospitalA}/api/v1/channels/${HOSPITAL_A_CHANNEL}/interactions?${query}`, {
        headers: bearer(environment, 'HospitalA', 'recorder'),
      }),
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as { records: { id: string }[]; nextCursor: string | null };
    ids.push(...page.records.map((record) => record.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/**
 * Calls the gateway from `workers` loops until `until` resolves, pushing the id of each call the
 * client saw complete onto `completed`; returns how many calls failed.
 */
async function load(client: OpenAI, workers: number, until: Promise<void>, completed: string[]): Promise<number> {
  let stopped = false;
  void until.then(() => (stopped = true));
  let failed = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stopped) {
        try {
          const { response } = await client.chat.completions
            .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'load' }] })
            .withResponse();
          completed.push(response.headers.get('x-aal-interaction-id') ?? '');
        } catch {
          failed += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }),
  );
  return failed;
}

/** Each completed id is on the ledger exactly once (and nothing on it that no call produced twice). */
async function expectExactlyOnce(applicationId: string, completed: readonly string[]): Promise<void> {
  const ids = await eventually(
    `the records of ${applicationId} in the audit index`,
    () => ledgerIds(applicationId),
    (found) => completed.every((id) => found.includes(id)),
    60_000,
  );
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of completed) expect(ids.filter((candidate) => candidate === id)).toHaveLength(1);
}

/** Waits for `waiting`; if it fails, the failure carries what the gateway said meanwhile. */
async function withDiagnostics<T>(gateway: GatewayUnderTest, waiting: Promise<T>): Promise<T> {
  try {
    return await waiting;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await gateway.diagnostics()}`, {
      cause: error,
    });
  }
}

describe('AI gateway: nothing lost', () => {
  let upstream: FakeOpenAiUpstream;
  const started: GatewayUnderTest[] = [];
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    upstream = await startFakeOpenAiUpstream();
  });
  afterAll(async () => {
    for (const gateway of started) await gateway.app.stop();
    await proxy?.cut();
    await upstream?.close();
  });

  it('after kill -9 under load and a restart, every call the client saw complete is on the ledger exactly once', async () => {
    const applicationId = `killed-${run}`;
    const dir = join(options.dir, 'ai-gateway-kill');
    rmSync(dir, { recursive: true, force: true });
    const gateway = await startGatewayUnderTest({
      layout,
      dir,
      appPort: extraPort(options.basePort, 'durabilityKillApp'),
      gatewayPort: extraPort(options.basePort, 'durabilityKillGateway'),
      upstreamBaseUrl: upstream.baseUrl,
      applications: [applicationId],
      priceTableVersion: `kill-${run}`,
    });
    started.push(gateway);
    const client = new OpenAI({
      apiKey: gateway.keys[applicationId],
      baseURL: `${gateway.gatewayUrl}/v1`,
      maxRetries: 0,
    });
    const completed: string[] = [];
    // Killed while 8 clients are calling, once 30 calls have completed.
    const killed = (async () => {
      await eventually(
        '30 calls completed',
        () => Promise.resolve(completed.length),
        (count) => count >= 30,
        60_000,
      );
      const pid = gateway.app.child.pid;
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      await gateway.app.exited;
    })();
    await load(client, 8, killed, completed);
    expect(completed.length).toBeGreaterThanOrEqual(30);
    await gateway.restart();
    await withDiagnostics(
      gateway,
      eventually(
        'the outbox drained after the restart',
        () => gateway.readiness(),
        (ready) => ready.outbox.depth === 0,
        60_000,
      ),
    );
    await expectExactlyOnce(applicationId, completed);
    await gateway.app.stop();
  }, 240_000);

  it('keeps serving while its ledger is unreachable for 30 s under load, then delivers every call exactly once', async () => {
    const applicationId = `cut-off-${run}`;
    const dir = join(options.dir, 'ai-gateway-ledger-down');
    rmSync(dir, { recursive: true, force: true });
    // The app reaches its peer through a proxy the test cuts: the ledger goes away for this app only.
    const profile = JSON.parse(readFileSync(layout.gatewayProfile(HOSPITAL_A), 'utf8')) as { peerEndpoint: string };
    const [host = '127.0.0.1', peerPort = '0'] = profile.peerEndpoint.split(':');
    proxy = await startTcpProxy(extraPort(options.basePort, 'durabilityPeerProxy'), { host, port: Number(peerPort) });
    const gateway = await startGatewayUnderTest({
      layout,
      dir,
      appPort: extraPort(options.basePort, 'durabilityLedgerDownApp'),
      gatewayPort: extraPort(options.basePort, 'durabilityLedgerDownGateway'),
      upstreamBaseUrl: upstream.baseUrl,
      applications: [applicationId],
      priceTableVersion: `down-${run}`,
      profilePath: (() => {
        const path = join(options.dir, `ai-gateway-ledger-down-profile.json`);
        writeFileSync(
          path,
          JSON.stringify({
            ...profile,
            peerEndpoint: `127.0.0.1:${extraPort(options.basePort, 'durabilityPeerProxy')}`,
          }),
        );
        return path;
      })(),
    });
    started.push(gateway);
    const client = new OpenAI({
      apiKey: gateway.keys[applicationId],
      baseURL: `${gateway.gatewayUrl}/v1`,
      maxRetries: 0,
    });
    // One call first: the org content key is read once, then calls without a subject need no ledger read.
    const { response } = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'warm up' }] })
      .withResponse();
    const warmUp = response.headers.get('x-aal-interaction-id') ?? '';
    await proxy.cut();
    const outage = new Promise<void>((resolve) => setTimeout(resolve, 30_000));
    const completed: string[] = [];
    const failed = await load(client, 4, outage, completed);
    expect(failed).toBe(0);
    expect(completed.length).toBeGreaterThan(100);
    const during = await gateway.readiness();
    expect(during.outbox.depth).toBeGreaterThan(0);
    expect(during.outbox.oldestAgeMs).toBeGreaterThan(10_000);
    await proxy.restore();
    await withDiagnostics(
      gateway,
      eventually(
        'the outbox drained after the ledger came back',
        () => gateway.readiness(),
        (ready) => ready.outbox.depth === 0,
        // Ample: a batch transaction lost in ordering (a Raft election on a loaded CI machine) waits
        // out its 60 s commit-status deadline before it is sent again.
        180_000,
      ),
    );
    await expectExactlyOnce(applicationId, [warmUp, ...completed]);
  }, 360_000);
});
