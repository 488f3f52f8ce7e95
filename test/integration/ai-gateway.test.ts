import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { APIError } from 'openai';
import {
  FAKE_CHAT_USAGE,
  FAKE_MODELS,
  FAKE_STREAM_TEXT,
  startFakeOpenAiUpstream,
  type FakeOpenAiUpstream,
} from '@aal/application/testing';
import { NetworkLayout } from '@aal/network';
import { HOSPITAL_A_CHANNEL, runSuffix } from '../support/deviating-member';
import { eventually } from '../support/eventually';
import type { ExtraApp } from '../support/extra-app';
import { startGatewayUnderTest } from '../support/gateway-under-test';
import { ensurePythonVenv } from '../support/python-venv';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';
import { filesContaining } from '../support/chaincode-calls';

/**
 * The AI gateway on the real network, driven by the official `openai` client: an app of HospitalA's
 * (the org's profile and wallet, its own files under the network directory) with its gateway routed
 * to a fake OpenAI-compatible upstream. Every call's record is read back from the ledger through
 * HospitalA's own app and compared with what the client saw; consent is enforced from the ledger.
 */
const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const hospitalA = environment.apps.HospitalA ?? '';
const A = `/api/v1/channels/${HOSPITAL_A_CHANNEL}`;
const run = runSuffix();
const CANARY = `CANARY-${run}-gateway-content`;
const UPSTREAM_SECRET = `sk-upstream-${run}`;

/** A record as HospitalA's app reads it from the ledger. */
type LedgerRecord = Record<string, unknown> & { usage: Record<string, unknown>; cost: Record<string, unknown> };

/** The Python example docs/gateway.md shows, and its pinned openai package. */
const PYTHON_DIR = resolve(__dirname, '..', 'python');

async function onLedger(id: string): Promise<LedgerRecord> {
  const response = await eventually(
    `interaction ${id} on the ledger`,
    () =>
      fetch(`${hospitalA}${A}/interactions/${encodeURIComponent(id)}`, {
        headers: bearer(environment, 'HospitalA', 'recorder'),
      }),
    (answer) => answer.status === 200,
    30_000,
  );
  return ((await response.json()) as { interaction: LedgerRecord }).interaction;
}

describe('AI gateway on the real network (openai client)', () => {
  const dir = join(options.dir, 'ai-gateway-test');
  let upstream: FakeOpenAiUpstream;
  let app: ExtraApp;
  let client: OpenAI;
  let enforced: OpenAI;
  const gatewayPort = extraPort(options.basePort, 'aiGateway');

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    upstream = await startFakeOpenAiUpstream();
    const gateway = await startGatewayUnderTest({
      layout,
      dir,
      appPort: extraPort(options.basePort, 'aiGatewayApp'),
      gatewayPort,
      upstreamBaseUrl: upstream.baseUrl,
      applications: [`recording-${run}`, `enforced-${run}`],
      priceTableVersion: `prices-${run}`,
      upstreamSecret: UPSTREAM_SECRET,
      config: { applications: { [`enforced-${run}`]: { consentMode: 'enforce', channel: HOSPITAL_A_CHANNEL } } },
    });
    app = gateway.app;
    const baseURL = `${gateway.gatewayUrl}/v1`;
    // No retries: every call the test makes is exactly one call through the gateway.
    client = new OpenAI({ apiKey: gateway.keys[`recording-${run}`], baseURL, maxRetries: 0 });
    enforced = new OpenAI({ apiKey: gateway.keys[`enforced-${run}`], baseURL, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await upstream?.close();
  });

  it('records a chat completion with the fields the client saw, priced from the table, in a Merkle batch', async () => {
    const { data, response } = await client.chat.completions
      .create(
        { model: 'gpt-test', messages: [{ role: 'user', content: CANARY }] },
        { headers: { 'x-aal-conversation-id': `conv-${run}`, 'x-aal-actor-ref': `clinician-${run}` } },
      )
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(`echo: ${CANARY}`);
    expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
    const record = await onLedger(response.headers.get('x-aal-interaction-id') ?? '');
    expect(record).toMatchObject({
      org: 'HospitalAMSP',
      provider: 'fake',
      operation: 'chat',
      requestModel: 'gpt-test',
      responseModel: data.model,
      responseId: data.id,
      applicationId: `recording-${run}`,
      status: 'ok',
      finishReasons: [data.choices[0]?.finish_reason],
      usage: {
        inputTokens: data.usage?.prompt_tokens,
        outputTokens: data.usage?.completion_tokens,
        cacheReadTokens: data.usage?.prompt_tokens_details?.cached_tokens,
        reasoningTokens: data.usage?.completion_tokens_details?.reasoning_tokens,
        source: 'provider',
      },
      // (11 - 3) × 1 + 3 × 0.5 + 7 × 2 = 23.5 → 24 minor units
      cost: { status: 'priced', amountMinor: 24, currency: 'USD', priceTableVersion: `prices-${run}` },
    });
    expect(record.batchId).toEqual(expect.any(String));
    // The references reach the ledger only as keyed commitments, which the org's app finds again from the clear value.
    expect(record.actorRef).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(record.conversationId).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(record.conversationId).not.toBe(record.actorRef);
    const byActor = await eventually(
      `interaction ${String(record.id)} found by its clear actorRef`,
      async () => {
        const answer = await fetch(
          `${hospitalA}${A}/interactions?by=actorRef&value=${encodeURIComponent(`clinician-${run}`)}`,
          { headers: bearer(environment, 'HospitalA', 'recorder') },
        );
        return (await answer.json()) as { records: { id: string }[] };
      },
      (page) => page.records.length > 0,
      30_000,
    );
    expect(byActor.records.map((found) => found.id)).toEqual([record.id]);
    expect(record.promptCommitment).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(record.outputCommitment).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it('streams without showing the usage chunk the client did not ask for, and records the provider usage', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: CANARY }] })
      .withResponse();
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.choices.length).toBeGreaterThan(0);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(FAKE_STREAM_TEXT);
    expect(upstream.requests.at(-1)?.body.stream_options).toEqual({ include_usage: true });
    const record = await onLedger(response.headers.get('x-aal-interaction-id') ?? '');
    expect(record).toMatchObject({
      status: 'ok',
      finishReasons: ['stop'],
      usage: {
        inputTokens: FAKE_CHAT_USAGE.prompt_tokens,
        outputTokens: FAKE_CHAT_USAGE.completion_tokens,
        source: 'provider',
      },
    });
    expect(record.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(Number(record.timeToFirstTokenMs)).toBeLessThanOrEqual(Number(record.latencyMs));
  });

  it('streams a response (Responses API) event by event and records the usage of response.completed', async () => {
    const { data: stream, response } = await client.responses
      .create({ model: 'gpt-test', input: CANARY, stream: true })
      .withResponse();
    const types: string[] = [];
    let text = '';
    let completed: { id: string; usage?: { input_tokens: number; output_tokens: number } } | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toBe(FAKE_STREAM_TEXT);
    const record = await onLedger(response.headers.get('x-aal-interaction-id') ?? '');
    expect(record).toMatchObject({
      operation: 'responses',
      responseId: completed?.id,
      status: 'ok',
      finishReasons: ['completed'],
      usage: {
        inputTokens: completed?.usage?.input_tokens,
        outputTokens: completed?.usage?.output_tokens,
        source: 'provider',
      },
    });
    expect(record.timeToFirstTokenMs).toEqual(expect.any(Number));
  });

  it('serves the Python example (official openai package) unchanged but for base URL and headers, and records its call', async () => {
    const bin = await ensurePythonVenv('openai-python', join(PYTHON_DIR, 'requirements.txt'));
    const { stdout, stderr } = await promisify(execFile)(
      join(bin, 'python'),
      [join(PYTHON_DIR, 'gateway_example.py')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AAL_GATEWAY_URL: client.baseURL,
          AAL_GATEWAY_KEY: String(client.apiKey),
          AAL_MODEL: 'gpt-test',
        },
      },
    );
    expect(stdout.trim()).toBe(FAKE_STREAM_TEXT);
    const id = /^interaction (\S+)$/m.exec(stderr)?.[1] ?? '';
    const record = await onLedger(id);
    expect(record).toMatchObject({
      operation: 'chat',
      requestModel: 'gpt-test',
      purpose: 'ai-inference',
      status: 'ok',
      usage: { inputTokens: FAKE_CHAT_USAGE.prompt_tokens, source: 'provider' },
    });
  }, 240_000);

  it('records an unpriced model as unpriced, never 0', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'gpt-unpriced', messages: [{ role: 'user', content: CANARY }] })
      .withResponse();
    const record = await onLedger(response.headers.get('x-aal-interaction-id') ?? '');
    expect(record.cost).toEqual({ status: 'unpriced', priceTableVersion: `prices-${run}` });
  });

  it('records a stream cut mid-way as an error with estimated, non-zero usage', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: FAKE_MODELS.cutStream, stream: true, messages: [{ role: 'user', content: CANARY }] })
      .withResponse();
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // reading until the cut
        }
      })(),
    ).rejects.toThrow();
    const record = await onLedger(response.headers.get('x-aal-interaction-id') ?? '');
    expect(record).toMatchObject({ status: 'error', errorType: 'stream_cut_upstream', usage: { source: 'estimated' } });
    expect(Number(record.usage.inputTokens)).toBeGreaterThan(0);
    expect(Number(record.usage.outputTokens)).toBeGreaterThan(0);
  });

  it('passes an upstream error through with its status and records it', async () => {
    const failure = await client.chat.completions
      .create({ model: FAKE_MODELS.rateLimited, messages: [{ role: 'user', content: CANARY }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    const error = failure as APIError;
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    const id = error.headers?.get('x-aal-interaction-id') ?? '';
    expect(await onLedger(id)).toMatchObject({ status: 'error', errorType: 'http_429' });
  });

  it('refuses an invalid reference header with 400 before anything goes upstream', async () => {
    const before = upstream.requests.length;
    const failure = (await client.chat.completions
      .create(
        { model: 'gpt-test', messages: [{ role: 'user', content: CANARY }] },
        { headers: { 'x-aal-purpose': 'no;way!', 'x-aal-subject-ref': 's-1' } },
      )
      .catch((error: unknown) => error)) as APIError;
    expect(failure).toBeInstanceOf(APIError);
    expect(failure.status).toBe(400);
    expect((failure.error as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([
      'x-aal-purpose',
    ]);
    expect(upstream.requests.length).toBe(before);
  });

  it('enforce: refuses without consent, allows after a grant, refuses again within 1 s of a revocation', async () => {
    const manager = { ...bearer(environment, 'HospitalA', 'consent-manager'), 'content-type': 'application/json' };
    const registered = await fetch(`${hospitalA}${A}/subjects`, {
      method: 'POST',
      headers: manager,
      body: JSON.stringify({ identifier: `MRN-gateway-${run}` }),
    });
    expect(registered.status).toBe(201);
    const { subjectRef } = (await registered.json()) as { subjectRef: string };
    const headers = { 'x-aal-subject-ref': subjectRef, 'x-aal-purpose': 'ai-inference' };
    const call = () =>
      enforced.chat.completions
        .create({ model: 'gpt-test', messages: [{ role: 'user', content: CANARY }] }, { headers })
        .then(() => 'allowed' as const)
        .catch((error: unknown) => {
          if (error instanceof APIError && error.status === 403) return error;
          throw error;
        });

    const before = upstream.requests.length;
    const refused = await call();
    expect(refused).toBeInstanceOf(APIError);
    const problem = (refused as APIError).error as { title: string; reason: string; interactionId: string };
    expect(problem.title).toBe('Consent refused');
    expect(problem.reason).toEqual(expect.any(String));
    expect(upstream.requests.length).toBe(before);
    expect(await onLedger(problem.interactionId)).toMatchObject({
      status: 'error',
      errorType: 'consent_refused',
      subjectRef,
      purpose: 'ai-inference',
      consentCheck: { allowed: false },
    });

    const consentId = `gateway-consent-${run}`;
    const granted = await fetch(`${hospitalA}${A}/consents`, {
      method: 'POST',
      headers: manager,
      body: JSON.stringify({
        id: consentId,
        subjectRef,
        grantees: [`HospitalAMSP:enforced-${run}`],
        decision: 'permit',
        purposes: ['ai-inference'],
        period: { start: '2025-01-01T00:00:00Z' },
        policyCommitment: `hmac-sha256:${'1'.repeat(64)}`,
        jurisdiction: 'DE',
      }),
    });
    expect(granted.status).toBe(201);
    const afterGrant = await eventually('the grant taking effect', call, (outcome) => outcome === 'allowed', 5_000);
    expect(afterGrant).toBe('allowed');
    expect(upstream.requests.length).toBe(before + 1);

    const revoked = await fetch(`${hospitalA}${A}/consents/HospitalAMSP:${consentId}/revoke`, {
      method: 'POST',
      headers: manager,
      body: JSON.stringify({ reason: 'subject-request' }),
    });
    expect(revoked.status).toBe(200);
    const revokedAt = Date.now();
    let outcome = await call();
    while (outcome === 'allowed' && Date.now() - revokedAt < 1_000) {
      await sleep(20);
      outcome = await call();
    }
    expect(outcome).toBeInstanceOf(APIError);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  it('shows outbox depth and age on /readyz and /metrics', async () => {
    const ready = (await (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).json()) as {
      outbox: { depth: number; oldestAgeMs: number };
      consentEvents: Record<string, boolean>;
    };
    expect(typeof ready.outbox.depth).toBe('number');
    expect(typeof ready.outbox.oldestAgeMs).toBe('number');
    expect(ready.consentEvents[HOSPITAL_A_CHANNEL]).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${gatewayPort}/metrics`)).text();
    expect(metrics).toMatch(/^aal_gateway_outbox_depth \d+$/m);
    expect(metrics).toMatch(/^aal_gateway_outbox_oldest_age_seconds [\d.]+$/m);
  });

  it('keeps the content canary out of every file of the network and the gateway, and the upstream key out of the logs', async () => {
    // Everything recorded so far is on the ledger, in blocks and the indexes.
    await eventually(
      'the outbox drained',
      async () =>
        ((await (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).json()) as { outbox: { depth: number } }).outbox
          .depth,
      (depth) => depth === 0,
      30_000,
    );
    expect(filesContaining(options.dir, CANARY)).toEqual([]);
    expect(app.output()).not.toContain(CANARY);
    expect(app.output()).not.toContain(UPSTREAM_SECRET);
    expect(filesContaining(layout.logsDir, UPSTREAM_SECRET)).toEqual([]);
  });
});
