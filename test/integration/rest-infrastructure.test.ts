import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore, defaultReadLogKeyPath, readReadLogKey, verifyAuditorReadLog } from '@aal/application';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  apiKeyStorePath,
  APP_ROLES,
  type AppRole,
  auditorReadLogPath,
  HOSPITAL_A,
  NetworkLayout,
  REGULATOR,
  REPO_ROOT,
} from '@aal/network';
import { startExtraApp, type ExtraApp } from '../support/extra-app';
import { interactionRequest, interactionsPath } from '../support/interactions';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';
import { eventually } from '../support/eventually';

const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const hospitalA = environment.apps.HospitalA ?? '';
const regulator = environment.apps.Regulator ?? '';
/** The route these tests write and read through: interactions, the smallest real record. */
const INTERACTIONS = interactionsPath('hospital-a');

interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

async function problemOf(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Problem;
}

function post(url: string, path: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

describe('REST infrastructure against the real network', () => {
  it('refuses requests without a valid key with 401 and a Bearer challenge', async () => {
    const missing = await fetch(`${hospitalA}${INTERACTIONS}/anything`);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="ai-audit-ledger"');
    await problemOf(missing, 401);
    const invalid = await fetch(`${hospitalA}${INTERACTIONS}/anything`, {
      headers: { authorization: `Bearer aal_${'A'.repeat(43)}` },
    });
    expect(invalid.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await problemOf(invalid, 401);
    // Another org's key is not this org's key.
    await problemOf(
      await fetch(`${hospitalA}${INTERACTIONS}/anything`, { headers: bearer(environment, 'Regulator', 'admin') }),
      401,
    );
  });

  it('enforces the role per route, and submits with the Fabric user of the same role', async () => {
    for (const role of APP_ROLES) {
      const id = unique(`role-${role}`);
      const response = await post(
        hospitalA,
        INTERACTIONS,
        bearer(environment, 'HospitalA', role),
        interactionRequest(id, { applicationId: role }),
      );
      if (role === 'recorder' || role === 'admin') {
        expect(response.status).toBe(201);
        const { transactionId } = (await response.json()) as { transactionId: string };
        const proof = await fetch(`${hospitalA}/api/v1/channels/hospital-a/transactions/${transactionId}`, {
          headers: bearer(environment, 'HospitalA', 'consent-manager'),
        });
        expect(proof.status).toBe(200);
        const body = (await proof.json()) as { creatorMspId: string; creatorSubject: string; validationCode: string };
        expect(body).toMatchObject({ creatorMspId: 'HospitalAMSP', validationCode: 'VALID' });
        expect(body.creatorSubject).toContain(`CN=app-${role}`);
      } else {
        const problem = await problemOf(response, 403);
        expect(problem.detail).toContain(`role '${role}'`);
        const lookup = await fetch(`${hospitalA}${INTERACTIONS}/${id}`, {
          headers: bearer(environment, 'HospitalA', 'recorder'),
        });
        expect(lookup.status).toBe(404);
      }
    }
  });

  it('refuses invalid input (400 with fields), oversized bodies (413) and unknown records (404) with problem+json', async () => {
    const invalid = await problemOf(
      await post(
        hospitalA,
        INTERACTIONS,
        bearer(environment, 'HospitalA', 'recorder'),
        interactionRequest('', { surprise: true }),
      ),
      400,
    );
    expect(invalid.errors?.map((error) => error.field).sort()).toEqual(['id', 'surprise']);
    const big = await post(
      hospitalA,
      INTERACTIONS,
      bearer(environment, 'HospitalA', 'recorder'),
      interactionRequest(unique('big'), { prompt: 'x'.repeat(2 * 1024 * 1024), promptCommitment: undefined }),
    );
    await problemOf(big, 413);
    await problemOf(
      await fetch(`${hospitalA}${INTERACTIONS}/${unique('absent')}`, {
        headers: bearer(environment, 'HospitalA', 'recorder'),
      }),
      404,
    );
    await problemOf(
      await fetch(`${hospitalA}/api/v1/channels/hospital-a/transactions/${'0'.repeat(64)}`, {
        headers: bearer(environment, 'HospitalA', 'auditor'),
      }),
      404,
    );
  });

  it('manages keys: admin endpoint and CLI write the same 0600 store of hashes, and revocation is immediate', async () => {
    const admin = bearer(environment, 'HospitalA', 'admin');
    const created = await post(hospitalA, '/api/v1/api-keys', admin, { name: unique('http-key'), role: 'recorder' });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; key: string };
    expect(
      (
        await post(
          hospitalA,
          INTERACTIONS,
          { authorization: `Bearer ${key.key}` },
          interactionRequest(unique('http-key-write')),
        )
      ).status,
    ).toBe(201);

    const storeFile = apiKeyStorePath(layout, HOSPITAL_A);
    expect(statSync(storeFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(storeFile, 'utf8')).not.toContain(key.key);

    expect((await fetch(`${hospitalA}/api/v1/api-keys/${key.id}`, { method: 'DELETE', headers: admin })).status).toBe(
      200,
    );
    await problemOf(
      await fetch(`${hospitalA}${INTERACTIONS}/x`, { headers: { authorization: `Bearer ${key.key}` } }),
      401,
    );

    const printed = execFileSync(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(REPO_ROOT, 'application', 'src', 'api-key-cli.ts'),
        'create',
        '--org',
        'hospital-a',
        '--role',
        'auditor',
        '--name',
        unique('cli-key'),
        '--json',
      ],
      {
        env: { ...process.env, AAL_NETWORK_DIR: options.dir },
        encoding: 'utf8',
      },
    );
    const cliKey = (JSON.parse(printed) as { key: string }).key;
    const read = await fetch(`${hospitalA}${INTERACTIONS}/${unique('cli-read')}`, {
      headers: { authorization: `Bearer ${cliKey}` },
    });
    expect(read.status).toBe(404);
  });

  it('records reads by auditor keys in the org’s MAC-chained log, with the data owner, and nothing for other roles', async () => {
    const id = unique('audited');
    expect(
      (
        await post(
          hospitalA,
          INTERACTIONS,
          bearer(environment, 'HospitalA', 'recorder'),
          interactionRequest(id, { applicationId: 'content-that-must-not-be-logged' }),
        )
      ).status,
    ).toBe(201);
    const logFile = auditorReadLogPath(layout, REGULATOR);
    const key = readReadLogKey(defaultReadLogKeyPath(logFile));
    const before = verifyAuditorReadLog(logFile, key);
    expect(before.valid).toBe(true);
    const read = await fetch(`${regulator}${INTERACTIONS}/HospitalAMSP:${id}`, {
      headers: bearer(environment, 'Regulator', 'auditor'),
    });
    expect(read.status).toBe(200);
    await fetch(`${regulator}${INTERACTIONS}/HospitalAMSP:${id}`, {
      headers: bearer(environment, 'Regulator', 'recorder'),
    });

    const after = verifyAuditorReadLog(logFile, key);
    expect(after.valid && before.valid && after.entries - before.entries).toBe(1);
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines[lines.length - 1] ?? '') as Record<string, unknown>;
    expect(last).toMatchObject({
      event: 'read',
      readsByOwner: { HospitalAMSP: 1 },
      keyName: 'integration-auditor',
      role: 'auditor',
      route: 'GET /api/v1/channels/:channel/interactions/:id',
      resourceIds: { channel: 'hospital-a', id: `HospitalAMSP:${id}` },
      requestId: read.headers.get('x-request-id'),
    });
    expect(readFileSync(logFile, 'utf8')).not.toContain('content-that-must-not-be-logged');
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    expect(statSync(defaultReadLogKeyPath(logFile)).mode & 0o777).toBe(0o600);
  });

  it('serves /healthz, /readyz, /metrics with ledger latency, /openapi.json and /docs without a key', async () => {
    expect(await (await fetch(`${hospitalA}/healthz`)).json()).toEqual({ status: 'ok', org: 'HospitalA' });
    expect(await (await fetch(`${hospitalA}/readyz`)).json()).toMatchObject({
      status: 'ready',
      org: 'HospitalA',
      readLog: { name: 'auditor-reads', reconciled: true, gaps: [] },
    });
    const metrics = await (await fetch(`${hospitalA}/metrics`)).text();
    // The single-record writes above were gathered: each submitted as a Merkle batch (of one, when alone).
    expect(metrics).toMatch(
      new RegExp(
        `aal_ledger_call_duration_seconds_count\\{operation="submit",transaction="${TRANSACTIONS.recordBatch}",outcome="ok"\\} [1-9]`,
      ),
    );
    expect(metrics).toMatch(
      /aal_http_requests_total\{method="POST",route="\/api\/v1\/channels\/:channel\/interactions",status="201"\} [1-9]/,
    );
    expect(metrics).toContain('process_cpu_user_seconds_total');
    const document = (await (await fetch(`${hospitalA}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/channels/{channel}/interactions',
        '/api/v1/channels/{channel}/interactions/{id}',
        '/api/v1/api-keys',
      ]),
    );
    const docs = await fetch(`${hospitalA}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${hospitalA}/docs/assets/swagger-ui.css`)).status).toBe(200);
  });

  it('writes no key, record id or content into the app logs', async () => {
    const id = unique('log-check');
    const note = unique('prompt-text');
    // The app commits to the prompt and drops it; it must not reach a log line either.
    expect(
      (
        await post(
          hospitalA,
          INTERACTIONS,
          bearer(environment, 'HospitalA', 'recorder'),
          interactionRequest(id, { prompt: note, promptCommitment: undefined }),
        )
      ).status,
    ).toBe(201);
    await fetch(`${hospitalA}${INTERACTIONS}/${id}`, { headers: bearer(environment, 'HospitalA', 'auditor') });
    const log = readFileSync(layout.logFile(layout.applicationProcess(HOSPITAL_A)), 'utf8');
    expect(log).toContain('request completed');
    for (const secret of [id, note, ...Object.values(environment.apiKeys.HospitalA ?? {})])
      expect(log).not.toContain(secret);
  });

  describe('an app started by the test', () => {
    let dir: string;
    let profile: Record<string, unknown>;
    const started: ExtraApp[] = [];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aal-extra-app-'));
      profile = JSON.parse(readFileSync(layout.gatewayProfile(HOSPITAL_A), 'utf8')) as Record<string, unknown>;
    });
    afterAll(async () => {
      for (const app of started) await app.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function extraApp(
      name: string,
      port: number,
      profileChanges: Record<string, unknown>,
      env: Record<string, string> = {},
    ): Promise<{ app: ExtraApp; keys: Record<AppRole, string> }> {
      const profilePath = join(dir, `${name}-profile.json`);
      writeFileSync(profilePath, JSON.stringify({ ...profile, ...profileChanges }));
      const store = new ApiKeyStore(join(dir, `${name}-keys.json`));
      const keys = Object.fromEntries(
        APP_ROLES.map((role) => [role, store.create(`${name}-${role}`, role).key]),
      ) as Record<AppRole, string>;
      const app = await startExtraApp(port, {
        AAL_GATEWAY_PROFILE: profilePath,
        // The org app's wallet: its enrollment secrets were single-use, so a second wallet cannot be enrolled.
        AAL_WALLET_DIR: layout.appWallet(HOSPITAL_A),
        AAL_API_KEY_STORE: store.path,
        AAL_AUDITOR_READ_LOG: join(dir, `${name}-reads.jsonl`),
        AAL_AUDIT_INDEX_PATH: join(dir, `${name}-audit-index.sqlite`),
        ...env,
      });
      started.push(app);
      return { app, keys };
    }

    it('limits each key’s rate (429 with Retry-After) as configured by environment', async () => {
      const { app, keys } = await extraApp(
        'limited',
        extraPort(options.basePort, 'rateLimitedApp'),
        {},
        { AAL_RATE_LIMIT_BURST: '2', AAL_RATE_LIMIT_PER_SECOND: '1' },
      );
      const read = (role: AppRole) =>
        fetch(`${app.url}${INTERACTIONS}/${unique('limited')}`, { headers: { authorization: `Bearer ${keys[role]}` } });
      // Three at once: the limiter counts them on arrival, before their ledger reads, so however long
      // a read takes on a loaded machine no token refills between them — the burst of 2 passes, one is refused.
      const answers = await Promise.all([read('auditor'), read('auditor'), read('auditor')]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([404, 404, 429]);
      const refused = answers.find((answer) => answer.status === 429);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      if (refused !== undefined) await problemOf(refused, 429);
      // Per key: another key of the app still has its own burst.
      expect((await read('recorder')).status).toBe(404);
    });

    it('answers 503 with Retry-After, never 500, when its peer is unreachable', async () => {
      const { app, keys } = await extraApp('unreachable', extraPort(options.basePort, 'unreachablePeerApp'), {
        peerEndpoint: `127.0.0.1:${extraPort(options.basePort, 'unreachablePeer')}`,
      });
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.headers.get('retry-after')).toBe('5');
      await problemOf(ready, 503);
      const read = await fetch(`${app.url}${INTERACTIONS}/x`, { headers: { authorization: `Bearer ${keys.auditor}` } });
      expect(read.headers.get('retry-after')).toBe('5');
      await problemOf(read, 503);
      const write = await post(
        app.url,
        INTERACTIONS,
        { authorization: `Bearer ${keys.recorder}` },
        interactionRequest(unique('unreachable')),
      );
      await problemOf(write, 503);
    });

    it('finishes an in-flight submit when told to stop, then exits cleanly', async () => {
      const { app, keys } = await extraApp('graceful', extraPort(options.basePort, 'gracefulStopApp'), {});
      const id = unique('graceful');
      const inFlight = post(
        app.url,
        INTERACTIONS,
        { authorization: `Bearer ${keys.recorder}` },
        interactionRequest(id),
      );
      // Stopped once the app holds the request (its in-flight gauge counts it beside the scrape),
      // not after a fixed delay a loaded machine may not meet.
      await eventually(
        'the write in flight at the app',
        async () =>
          Number(/^aal_http_requests_in_flight (\d+)$/m.exec(await (await fetch(`${app.url}/metrics`)).text())?.[1]),
        (inFlightNow) => inFlightNow >= 2,
      );
      const exitCode = app.stop();
      expect((await inFlight).status).toBe(201);
      expect(await exitCode).toBe(0);
      const lookup = await fetch(`${hospitalA}${INTERACTIONS}/${id}`, {
        headers: bearer(environment, 'HospitalA', 'recorder'),
      });
      expect(lookup.status).toBe(200);
    });

    it('refuses to start with invalid configuration, naming each wrong variable', async () => {
      const app = await startExtraApp(
        extraPort(options.basePort, 'invalidConfigApp'),
        {
          AAL_GATEWAY_PROFILE: layout.gatewayProfile(HOSPITAL_A),
          AAL_PORT: 'eighty',
          AAL_RATE_LIMIT_BURST: '-1',
          AAL_HOST: '0.0.0.0',
        },
        false,
      );
      started.push(app);
      expect(await app.exited).toBe(2);
      expect(app.output()).toContain('AAL_PORT: must be a whole number');
      expect(app.output()).toContain('AAL_RATE_LIMIT_BURST: must be at least 1');
      expect(app.output()).toContain('AAL_HOST: must be a loopback address');
    });

    it('refuses to start on a key store others can read, or on a tampered auditor-read log', async () => {
      const base = { AAL_GATEWAY_PROFILE: layout.gatewayProfile(HOSPITAL_A) };
      const openStore = join(dir, 'open-keys.json');
      writeFileSync(openStore, '{"version":1,"keys":[]}', { mode: 0o644 });
      chmodSync(openStore, 0o644);
      const insecure = await startExtraApp(
        extraPort(options.basePort, 'unreadableKeysApp'),
        { ...base, AAL_API_KEY_STORE: openStore, AAL_AUDITOR_READ_LOG: join(dir, 'unused.jsonl') },
        false,
      );
      started.push(insecure);
      expect(await insecure.exited).toBe(2);
      expect(insecure.output()).toContain('chmod 600');

      const tampered = join(dir, 'tampered-reads.jsonl');
      writeFileSync(tampered, '{"seq":1,"note":"not an entry"}\n');
      const broken = await startExtraApp(
        extraPort(options.basePort, 'tamperedLogApp'),
        { ...base, AAL_API_KEY_STORE: join(dir, 'fine-keys.json'), AAL_AUDITOR_READ_LOG: tampered },
        false,
      );
      started.push(broken);
      expect(await broken.exited).toBe(2);
      expect(broken.output()).toContain('fails verification at line 1');
    });
  });
});
