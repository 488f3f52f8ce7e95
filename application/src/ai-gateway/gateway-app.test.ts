import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { TRANSACTIONS, interactionInputSchema } from '@aal/ledger-contract';
import { ApiKeyStore } from '../auth/api-key-store';
import { LedgerError } from '../ledger/ledger-error';
import { OwnRecordIds } from '../records/own-record-ids';
import { OrgKeys } from '../subjects/org-keys';
import { SubjectKeys } from '../subjects/subject-keys';
import { FakeLedger } from '../testing/fake-ledger-client';
import { installFakeInteractionsChaincode } from '../testing/fake-interactions-chaincode';
import {
  FAKE_CHAT_USAGE,
  FAKE_MODELS,
  FAKE_RESPONSES_USAGE,
  FAKE_STREAM_TEXT,
  startFakeOpenAiUpstream,
  type FakeOpenAiUpstream,
} from '../testing/fake-openai-upstream';
import { ConsentGate } from './consent-gate';
import { createGatewayApp } from './gateway-app';
import { gatewayConfigSchema } from './gateway-config';
import { createGatewayMetrics } from './gateway-metrics';
import { OutboxShipper } from './outbox-shipper';
import { RecordOutbox } from './record-outbox';

const CANARY = 'CANARY-7f3a-unit-content';
const logger = pino({ level: 'silent' });

interface Harness {
  url: string;
  key: string;
  enforceKey: string;
  upstream: FakeOpenAiUpstream;
  ledger: FakeLedger;
  outbox: RecordOutbox;
  shipper: OutboxShipper;
  dir: string;
  batches: Record<string, unknown>[][];
  consentAllowed: { value: boolean };
  close(): Promise<void>;
}

async function harness(maxEntries = 100): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-gateway-'));
  const upstream = await startFakeOpenAiUpstream();
  const ledger = new FakeLedger();
  installFakeInteractionsChaincode(ledger);
  const batches: Record<string, unknown>[][] = [];
  ledger.handlers.set(TRANSACTIONS.recordBatch, (call) => {
    const records = JSON.parse(call.args[0] ?? '[]') as Record<string, unknown>[];
    batches.push(records);
    return JSON.stringify({
      batchId: 'b',
      org: 'HospitalAMSP',
      txTime: '',
      root: '',
      size: records.length,
      alreadyRecorded: [],
    });
  });
  const consentAllowed = { value: false };
  ledger.handlers.set(TRANSACTIONS.checkConsent, () =>
    JSON.stringify(
      consentAllowed.value
        ? { allowed: true, consentId: 'HospitalAMSP:c-1', reason: 'consent HospitalAMSP:c-1 allows this use' }
        : { allowed: false, reason: 'no active consent of the subject covers this purpose and grantee' },
    ),
  );
  const config = gatewayConfigSchema.parse({
    version: 1,
    providers: { fake: { baseUrl: upstream.baseUrl } },
    models: {
      'gpt-test': 'fake',
      'gpt-unpriced': 'fake',
      [FAKE_MODELS.cutStream]: 'fake',
      [FAKE_MODELS.rateLimited]: 'fake',
      [FAKE_MODELS.slow]: 'fake',
    },
    applications: { 'strict-app': { consentMode: 'enforce', channel: 'hospital-a' } },
    defaults: { consentMode: 'record', channel: 'hospital-a' },
    priceTable: {
      version: '2026-01',
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
    outbox: { maxEntries },
  });
  const keys = new ApiKeyStore(join(dir, 'keys.json'));
  const key = keys.create('triage-app', 'recorder').key;
  const enforceKey = keys.create('strict-app', 'recorder').key;
  const outbox = await RecordOutbox.open(join(dir, 'outbox.sqlite'), config.outbox.maxEntries);
  const recorder = ledger.clientFor('recorder');
  const shipper = new OutboxShipper(outbox, recorder, logger, { batchRecords: 100 });
  const consent = new ConsentGate(recorder, 'HospitalAMSP', 0, logger);
  const app = createGatewayApp({
    config,
    ids: new OwnRecordIds('HospitalAMSP'),
    ledger: recorder,
    subjectKeys: new SubjectKeys(new OrgKeys(ledger.clientFor('admin'))),
    outbox,
    shipper,
    consent,
    metrics: createGatewayMetrics(outbox, consent, ['hospital-a']),
    logger,
    keys,
    channels: ['hospital-a'],
    bodyLimitBytes: 1024 * 1024,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    enforceKey,
    upstream,
    ledger,
    outbox,
    shipper,
    dir,
    batches,
    consentAllowed,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await upstream.close();
      await outbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function post(h: Harness, path: string, body: object, headers: Record<string, string> = {}, key = h.key) {
  return fetch(`${h.url}/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Ships the outbox and returns every record the ledger received, checked against the contract's schema. */
async function shipped(h: Harness): Promise<Record<string, unknown>[]> {
  expect(await h.shipper.drain()).toBe(true);
  const records = h.batches.flat();
  for (const record of records) expect(interactionInputSchema.safeParse(record).success).toBe(true);
  return records;
}

function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6));
}

describe('AI gateway', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('passes a chat completion through unchanged and records what the client saw, priced, without content', async () => {
    const response = await post(h, '/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'user', content: CANARY }],
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { id: string; model: string; usage: typeof FAKE_CHAT_USAGE };
    expect(answer.usage).toEqual(FAKE_CHAT_USAGE);
    // Durable before the answer completed.
    expect(h.outbox.depth()).toBe(1);
    expect(readdirSync(h.dir).some((file) => readFileSync(join(h.dir, file)).includes(CANARY))).toBe(false);
    const [record] = await shipped(h);
    expect(record).toMatchObject({
      id: response.headers.get('x-aal-interaction-id'),
      provider: 'fake',
      operation: 'chat',
      requestModel: 'gpt-test',
      responseModel: answer.model,
      responseId: answer.id,
      applicationId: 'triage-app',
      status: 'ok',
      finishReasons: ['stop'],
      usage: { inputTokens: 11, outputTokens: 7, cacheReadTokens: 3, reasoningTokens: 2, source: 'provider' },
      // (11-3)*1 + 3*0.5 + 7*2 = 23.5 → 24 minor units
      cost: { status: 'priced', amountMinor: 24, currency: 'USD', priceTableVersion: '2026-01' },
    });
    expect(String(record?.promptCommitment)).toMatch(/^hmac-sha256:/);
    expect(String(record?.outputCommitment)).toMatch(/^hmac-sha256:/);
    expect(JSON.stringify(h.batches)).not.toContain(CANARY);
    expect(h.outbox.depth()).toBe(0);
    expect(h.upstream.requests[0]?.body).toEqual({ model: 'gpt-test', messages: [{ role: 'user', content: CANARY }] });
  });

  it('asks a stream for usage, hides the usage chunk the client did not ask for, and records the usage', async () => {
    const response = await post(h, '/chat/completions', {
      model: 'gpt-test',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(200);
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line) as { choices: { delta: { content?: string } }[] });
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(FAKE_STREAM_TEXT);
    expect(h.upstream.requests[0]?.body.stream_options).toEqual({ include_usage: true });
    const [record] = await shipped(h);
    expect(record).toMatchObject({ status: 'ok', usage: { inputTokens: 11, outputTokens: 7, source: 'provider' } });
    expect(record?.timeToFirstTokenMs).toEqual(expect.any(Number));
  });

  it('shows the usage chunk to a client that asked for it', async () => {
    const response = await post(h, '/chat/completions', {
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    const data = sseData(await response.text());
    expect(JSON.parse(data.at(-2) ?? '{}')).toMatchObject({ choices: [], usage: FAKE_CHAT_USAGE });
  });

  it('records a stream the upstream cut as an error with estimated, non-zero usage', async () => {
    const response = await post(h, '/chat/completions', {
      model: FAKE_MODELS.cutStream,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(response.text()).rejects.toThrow();
    const [record] = await shipped(h);
    expect(record).toMatchObject({ status: 'error', errorType: 'stream_cut_upstream', cost: { status: 'unpriced' } });
    const usage = record?.usage as { inputTokens: number; outputTokens: number; source: string };
    expect(usage.source).toBe('estimated');
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
  });

  it('relays a streamed response event by event, unchanged, and records the usage of response.completed', async () => {
    const response = await post(h, '/responses', { model: 'gpt-test', input: CANARY, stream: true });
    expect(response.status).toBe(200);
    const events = (await response.text())
      .split('\n\n')
      .filter((block) => block !== '')
      .map((block) => {
        const [name, data] = block.split('\n');
        return {
          name: name?.replace(/^event: /, ''),
          data: JSON.parse(data?.replace(/^data: /, '') ?? '{}') as Record<string, unknown>,
        };
      });
    expect(events.map((event) => event.name)).toEqual([
      'response.created',
      ...Array.from({ length: 4 }, () => 'response.output_text.delta'),
      'response.completed',
    ]);
    expect(events.every((event) => event.data.type === event.name)).toBe(true);
    const completed = events.at(-1)?.data.response as { id: string; usage: typeof FAKE_RESPONSES_USAGE };
    expect(completed.usage).toEqual(FAKE_RESPONSES_USAGE);
    // No stream_options added: the Responses API reports usage in response.completed unasked.
    expect(h.upstream.requests[0]?.body).toEqual({ model: 'gpt-test', input: CANARY, stream: true });
    const [record] = await shipped(h);
    expect(record).toMatchObject({
      operation: 'responses',
      responseId: completed.id,
      status: 'ok',
      finishReasons: ['completed'],
      usage: { inputTokens: 9, outputTokens: 4, cacheReadTokens: 0, reasoningTokens: 1, source: 'provider' },
    });
    expect(record?.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(String(record?.outputCommitment)).toMatch(/^hmac-sha256:/);
    expect(JSON.stringify(h.batches)).not.toContain(CANARY);
  });

  it('records a streamed response the upstream cut as an error with estimated usage', async () => {
    const response = await post(h, '/responses', { model: FAKE_MODELS.cutStream, input: 'question', stream: true });
    await expect(response.text()).rejects.toThrow();
    const [record] = await shipped(h);
    expect(record).toMatchObject({ operation: 'responses', status: 'error', errorType: 'stream_cut_upstream' });
    const usage = record?.usage as { inputTokens: number; outputTokens: number; source: string };
    expect(usage).toMatchObject({ source: 'estimated' });
    expect(usage.outputTokens).toBeGreaterThan(0);
  });

  it('passes an upstream error through with its status and body, and records it', async () => {
    const response = await post(h, '/chat/completions', {
      model: FAKE_MODELS.rateLimited,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    });
    const [record] = await shipped(h);
    expect(record).toMatchObject({ status: 'error', errorType: 'http_429' });
  });

  it('records an unpriced model as unpriced, never 0', async () => {
    await post(h, '/chat/completions', { model: 'gpt-unpriced', messages: [{ role: 'user', content: 'hi' }] });
    const [record] = await shipped(h);
    expect(record?.cost).toEqual({ status: 'unpriced', priceTableVersion: '2026-01' });
  });

  it('records embeddings and responses calls with their usage', async () => {
    expect((await post(h, '/embeddings', { model: 'gpt-test', input: 'text' })).status).toBe(200);
    const responses = await post(h, '/responses', { model: 'gpt-test', input: 'question' });
    const answer = (await responses.json()) as { id: string };
    const [embedding, response] = await shipped(h);
    expect(embedding).toMatchObject({
      operation: 'embeddings',
      usage: { inputTokens: 5, outputTokens: 0, source: 'provider' },
    });
    expect(embedding?.outputCommitment).toBeUndefined();
    expect(response).toMatchObject({
      operation: 'responses',
      responseId: answer.id,
      finishReasons: ['completed'],
      usage: { inputTokens: 9, outputTokens: 4, cacheReadTokens: 0, reasoningTokens: 1, source: 'provider' },
    });
  });

  it('refuses an invalid header with 400 problem+json before anything goes upstream', async () => {
    const response = await post(
      h,
      '/chat/completions',
      { model: 'gpt-test', messages: [] },
      { 'x-aal-subject-ref': 'not valid!' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await response.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([
      'x-aal-subject-ref',
    ]);
    const noPurpose = await post(
      h,
      '/chat/completions',
      { model: 'gpt-test', messages: [] },
      { 'x-aal-subject-ref': 's-1' },
    );
    expect(noPurpose.status).toBe(400);
    expect(h.upstream.requests).toHaveLength(0);
    expect(h.outbox.depth()).toBe(0);
  });

  it('refuses without a gateway key (401) and an unrouted model (404)', async () => {
    expect((await post(h, '/chat/completions', { model: 'gpt-test' }, {}, 'aal_wrong')).status).toBe(401);
    expect((await post(h, '/chat/completions', { model: 'unknown-model', messages: [] })).status).toBe(404);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('lists the routed models', async () => {
    const response = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${h.key}` } });
    const list = (await response.json()) as { data: { id: string }[] };
    expect(list.data.map((model) => model.id)).toContain('gpt-test');
  });

  it('enforce: refuses without consent (403, nothing upstream, refusal recorded), allows with it', async () => {
    h.ledger.handlers.set(TRANSACTIONS.getSubjectKey, () => JSON.stringify({ subjectKey: '22'.repeat(32) }));
    const headers = { 'x-aal-subject-ref': 'p-1', 'x-aal-purpose': 'ai-inference' };
    const refused = await post(
      h,
      '/chat/completions',
      { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] },
      headers,
      h.enforceKey,
    );
    expect(refused.status).toBe(403);
    const problem = (await refused.json()) as { reason: string; title: string };
    expect(problem.title).toBe('Consent refused');
    expect(problem.reason).toMatch(/no active consent/);
    expect(h.upstream.requests).toHaveLength(0);
    h.consentAllowed.value = true;
    const allowed = await post(
      h,
      '/chat/completions',
      { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] },
      headers,
      h.enforceKey,
    );
    expect(allowed.status).toBe(200);
    expect(h.upstream.requests).toHaveLength(1);
    const records = await shipped(h);
    expect(records.map((record) => [record.status, record.errorType])).toEqual([
      ['error', 'consent_refused'],
      ['ok', undefined],
    ]);
    expect(records[0]).toMatchObject({
      subjectRef: 'p-1',
      purpose: 'ai-inference',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    const grantee = h.ledger.calls.find((call) => call.transaction === TRANSACTIONS.checkConsent)?.args[2];
    expect(grantee).toBe('HospitalAMSP:strict-app');
  });

  it('keeps records while the ledger is down and ships them once it answers', async () => {
    await post(h, '/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    h.ledger.failures.push(new LedgerError('unavailable', 'peer down', { transient: true }));
    expect(await h.shipper.drain()).toBe(false);
    expect(h.outbox.depth()).toBe(1);
    expect(h.shipper.lastFailure).toMatch(/peer down/);
    expect(await shipped(h)).toHaveLength(1);
    expect(h.outbox.depth()).toBe(0);
  });
});

describe('AI gateway outbox bound', () => {
  it('refuses with 503 problem+json when the outbox is full, before anything goes upstream', async () => {
    const h = await harness(1);
    try {
      expect((await post(h, '/chat/completions', { model: 'gpt-test', messages: [] })).status).toBe(200);
      const full = await post(h, '/chat/completions', { model: 'gpt-test', messages: [] });
      expect(full.status).toBe(503);
      expect(((await full.json()) as { title: string }).title).toBe('Outbox full');
      expect(h.upstream.requests).toHaveLength(1);
      const ready = await fetch(`${h.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { outbox: { depth: number } }).outbox.depth).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('records every call it let through when calls in flight fill the outbox meanwhile, and refuses the rest before upstream', async () => {
    const h = await harness(3);
    try {
      // Six slow calls at once (the upstream answers after 300 ms): three are admitted, each holding its place.
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post(h, '/chat/completions', { model: FAKE_MODELS.slow, messages: [] })),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, 200, 200, 503, 503, 503]);
      expect(h.upstream.requests).toHaveLength(3);
      expect(h.outbox.depth()).toBe(3);
      const admitted = answers
        .filter((answer) => answer.status === 200)
        .map((answer) => answer.headers.get('x-aal-interaction-id'));
      expect((await shipped(h)).map((record) => record.id).sort()).toEqual(admitted.sort());
    } finally {
      await h.close();
    }
  });

  it('gives the place of a call that failed before it had anything to record back', async () => {
    const h = await harness(1);
    try {
      // Admitted, then the subject's record key cannot be read from the ledger: no call, no record.
      for (let attempt = 0; attempt < 3; attempt++) {
        h.ledger.failures.push(new LedgerError('unavailable', 'peer down', { transient: true }));
        const failed = await post(
          h,
          '/chat/completions',
          { model: 'gpt-test', messages: [] },
          { 'x-aal-subject-ref': 's-1', 'x-aal-purpose': 'ai-inference' },
        );
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect(failed.status).not.toBe(200);
      }
      expect(h.upstream.requests).toHaveLength(0);
      expect(h.outbox.depth()).toBe(0);
      // The one place is free again each time.
      expect((await post(h, '/chat/completions', { model: 'gpt-test', messages: [] })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('AI gateway outbox worker crash', () => {
  it('fails closed: refuses new calls with 503 before anything goes upstream, and says so in /readyz and /metrics', async () => {
    const h = await harness();
    try {
      expect((await post(h, '/chat/completions', { model: 'gpt-test', messages: [] })).status).toBe(200);
      await h.outbox.terminateWorker();
      const refused = await post(h, '/chat/completions', { model: 'gpt-test', messages: [] });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await refused.json()) as { title: string }).title).toBe('Outbox unavailable');
      expect(h.upstream.requests).toHaveLength(1);
      const ready = await fetch(`${h.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { status: string; outbox: { up: boolean; unavailable: string | null } };
      expect(body.status).toBe('not ready');
      expect(body.outbox.up).toBe(false);
      expect(body.outbox.unavailable).toMatch(/worker exited/);
      expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^aal_gateway_outbox_up 0$/m);
    } finally {
      await h.close();
    }
  });

  it('never completes a call whose record the dying worker did not answer', async () => {
    const h = await harness();
    try {
      // The slow upstream answers after 300 ms; the worker dies meanwhile, so the record cannot be made durable.
      const answer = post(h, '/chat/completions', { model: FAKE_MODELS.slow, messages: [] });
      while (h.upstream.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await h.outbox.terminateWorker();
      const response = await answer;
      expect(response.status).toBe(503);
      expect(((await response.json()) as { title: string }).title).toBe('Gateway unavailable');
      expect(h.outbox.depth()).toBe(0);
    } finally {
      await h.close();
    }
  });
});
