import { APP_ROLES, type AppRole } from '@aal/network';
import { conformanceProblems } from '../support/openapi-conformance';
import { bearer, loadTestEnvironment } from '../support/test-network';

const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const hospitalB = environment.apps.HospitalB ?? '';
const regulator = environment.apps.Regulator ?? '';
const CHANNEL = '/api/v1/channels/hospital-a';
const TEMPLATE = '/api/v1/channels/{channel}';
const PROMPT = 'Patient 4711: summarise the discharge letter';
const OUTPUT = [{ role: 'assistant', content: 'Discharged in good health.' }];

const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

let openApi: unknown;

/** Sends a request and checks the answer against the app's own OpenAPI document. */
async function call(
  url: string,
  org: string,
  role: AppRole | undefined,
  method: string,
  path: string,
  template: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(role === undefined ? {} : bearer(environment, org, role)),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const parsed: unknown = contentType.includes('json') && !contentType.includes('ndjson') ? JSON.parse(text) : text;
  if (contentType.includes('json') && !contentType.includes('ndjson')) {
    expect(conformanceProblems(openApi, method, template, response.status, contentType, parsed)).toEqual([]);
  }
  return { status: response.status, body: parsed };
}

function interaction(id: string, applicationId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 100, outputTokens: 20, source: 'provider' },
    cost: { status: 'priced', amountMinor: 12, currency: 'EUR' },
    latencyMs: 800,
    status: 'ok',
    applicationId,
    ...extra,
  };
}

const commitmentOf = (digit: string): string => `hmac-sha256:${digit.repeat(64)}`;

describe('interaction and audit routes over HTTP against the real network', () => {
  const app = unique('app');
  /** Posted bare to HospitalA's app, which stores and answers it qualified; other orgs' apps name it qualified. */
  const recordId = unique('ix');
  const qualifiedId = `HospitalAMSP:${recordId}`;

  beforeAll(async () => {
    openApi = await (await fetch(`${hospitalA}/openapi.json`)).json();
  });

  it('records with content (201), answers an identical repeat with 200, and refuses conflicts (409), bad input (400), no key (401) and big bodies (413)', async () => {
    const record = interaction(recordId, app, { prompt: PROMPT, output: OUTPUT });
    const created = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions`,
      `${TEMPLATE}/interactions`,
      record,
    );
    expect(created.status).toBe(201);
    const stored = (created.body as { interaction: Record<string, unknown> }).interaction;
    expect(stored).toMatchObject({
      id: qualifiedId,
      org: 'HospitalAMSP',
      promptCommitment: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) as string,
    });
    expect(JSON.stringify(created.body)).not.toContain('discharge letter');

    const repeat = await call(
      hospitalA,
      'HospitalA',
      'admin',
      'POST',
      `${CHANNEL}/interactions`,
      `${TEMPLATE}/interactions`,
      record,
    );
    expect(repeat.status).toBe(200);
    expect((repeat.body as { interaction: { txId: string } }).interaction.txId).toBe(stored['txId']);
    expect(
      (
        await call(hospitalA, 'HospitalA', 'recorder', 'POST', `${CHANNEL}/interactions`, `${TEMPLATE}/interactions`, {
          ...record,
          prompt: 'other',
        })
      ).status,
    ).toBe(409);

    const invalid = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions`,
      `${TEMPLATE}/interactions`,
      { ...record, promptCommitment: commitmentOf('0'), latencyMs: -1 },
    );
    expect(invalid.status).toBe(400);
    expect((invalid.body as { errors: { field: string }[] }).errors.map((error) => error.field).sort()).toEqual([
      'latencyMs',
      'prompt',
    ]);
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          undefined,
          'POST',
          `${CHANNEL}/interactions`,
          `${TEMPLATE}/interactions`,
          record,
        )
      ).status,
    ).toBe(401);
    const big = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions`,
      `${TEMPLATE}/interactions`,
      { ...record, id: unique('big'), prompt: 'x'.repeat(2 * 1024 * 1024) },
    );
    expect(big.status).toBe(413);
    const unknownSubject = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions`,
      `${TEMPLATE}/interactions`,
      { ...record, id: unique('subj'), subjectRef: unique('nobody'), purpose: 'ai-inference' },
    );
    expect(unknownSubject.status).toBe(422);
  });

  it('gathers concurrent single-record requests into shared transactions; a conflicting one among them gets 409 and the others commit', async () => {
    const burst = unique('burst');
    const burstApp = unique('burst-app');
    const taken = `${burst}-taken`;
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'POST',
          `${CHANNEL}/interactions`,
          `${TEMPLATE}/interactions`,
          interaction(taken, burstApp, { promptCommitment: commitmentOf('a') }),
        )
      ).status,
    ).toBe(201);
    const requests = Array.from({ length: 20 }, (_, index) =>
      interaction(`${burst}-${index}`, burstApp, { prompt: `${PROMPT} (${index})` }),
    );
    requests.splice(10, 0, interaction(taken, burstApp, { promptCommitment: commitmentOf('b') }));
    const answers = await Promise.all(
      requests.map((body) =>
        call(hospitalA, 'HospitalA', 'recorder', 'POST', `${CHANNEL}/interactions`, `${TEMPLATE}/interactions`, body),
      ),
    );

    expect(answers.map((answer) => answer.status)).toEqual(requests.map((body) => (body['id'] === taken ? 409 : 201)));
    const created = answers
      .filter((answer) => answer.status === 201)
      .map((answer) => answer.body as { interaction: { id: string; txId: string }; transactionId: string });
    // Gathered into Merkle batches: the record's batch is the shared transaction.
    for (const answer of created)
      expect(answer.interaction).toMatchObject({ txId: answer.transactionId, batchId: answer.transactionId });
    // Sent within the app's linger time (10 ms by default), records share transactions.
    expect(new Set(created.map((answer) => answer.transactionId)).size).toBeLessThan(created.length);
    for (const answer of created) {
      const read = await call(
        regulator,
        'Regulator',
        'auditor',
        'GET',
        `${CHANNEL}/interactions/${answer.interaction.id}`,
        `${TEMPLATE}/interactions/{id}`,
      );
      expect(read.body).toMatchObject({
        interaction: { id: answer.interaction.id, txId: answer.transactionId, org: 'HospitalAMSP' },
      });
    }
    const conflicting = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${CHANNEL}/interactions/HospitalAMSP:${taken}`,
      `${TEMPLATE}/interactions/{id}`,
    );
    expect(conflicting.body).toMatchObject({ interaction: { promptCommitment: commitmentOf('a') } });
    const metrics = await (await fetch(`${hospitalA}/metrics`)).text();
    expect(metrics).toMatch(
      /aal_ledger_call_duration_seconds_count\{operation="submit",transaction="Batches:RecordBatch",outcome="ok"\} [1-9]/,
    );
    expect(metrics).toMatch(/aal_interaction_batch_records_count\{channel="hospital-a"\} [1-9]/);
    // Every request above was answered: none waits for a transaction.
    expect(metrics).toMatch(/aal_interaction_batch_waiting_records\{channel="hospital-a",role="recorder"\} 0\n/);
  });

  it('reads, queries with a cursor and annotates; HospitalB cannot see hospital-a; the regulator auditor can', async () => {
    const batch = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions/batch`,
      `${TEMPLATE}/interactions/batch`,
      {
        records: [1, 2, 3].map((index) =>
          interaction(`${recordId}-b${index}`, app, { promptCommitment: commitmentOf(String(index)) }),
        ),
      },
    );
    expect(batch.status).toBe(201);
    expect((batch.body as { created: string[] }).created).toHaveLength(3);

    const read = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'GET',
      `${CHANNEL}/interactions/${qualifiedId}`,
      `${TEMPLATE}/interactions/{id}`,
    );
    expect(read.status).toBe(200);
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'GET',
          `${CHANNEL}/interactions/${unique('absent')}`,
          `${TEMPLATE}/interactions/{id}`,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await call(
          hospitalB,
          'HospitalB',
          'auditor',
          'GET',
          `${CHANNEL}/interactions/${qualifiedId}`,
          `${TEMPLATE}/interactions/{id}`,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await call(
          regulator,
          'Regulator',
          'auditor',
          'GET',
          `${CHANNEL}/interactions/${qualifiedId}`,
          `${TEMPLATE}/interactions/{id}`,
        )
      ).status,
    ).toBe(200);

    // Queries answer from the Regulator app's audit index: minBlock (the batch's block) waits until it holds the batch.
    const batchBlock = Number((batch.body as { blockNumber: string }).blockNumber);
    const ids: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await call(
        regulator,
        'Regulator',
        'auditor',
        'GET',
        `${CHANNEL}/interactions?by=applicationId&value=${app}&pageSize=2&minBlock=${batchBlock}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        `${TEMPLATE}/interactions`,
      );
      expect(page.status).toBe(200);
      const body = page.body as { records: { id: string }[]; nextCursor: string | null; asOfBlock: string };
      expect(Number(body.asOfBlock)).toBeGreaterThanOrEqual(batchBlock);
      ids.push(...body.records.map((record) => record.id));
      cursor = body.nextCursor;
    }
    expect(ids.sort()).toEqual([qualifiedId, `${qualifiedId}-b1`, `${qualifiedId}-b2`, `${qualifiedId}-b3`].sort());
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'GET',
          `${CHANNEL}/interactions?by=org&value=AIProviderMSP`,
          `${TEMPLATE}/interactions`,
        )
      ).status,
    ).toBe(403);

    const annotation = { id: 'review-1', kind: 'flag', severity: 'high', labels: ['hallucination'] };
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'POST',
          `${CHANNEL}/interactions/${qualifiedId}/annotations`,
          `${TEMPLATE}/interactions/{id}/annotations`,
          annotation,
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'POST',
          `${CHANNEL}/interactions/${qualifiedId}/annotations`,
          `${TEMPLATE}/interactions/{id}/annotations`,
          annotation,
        )
      ).status,
    ).toBe(200);
    const annotations = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${CHANNEL}/interactions/${qualifiedId}/annotations`,
      `${TEMPLATE}/interactions/{id}/annotations`,
    );
    expect((annotations.body as { annotations: { id: string }[] }).annotations.map((entry) => entry.id)).toEqual([
      'HospitalAMSP:review-1',
    ]);
  });

  it('verifies content (match / mismatch / not-recorded) at the recording org, and at the regulator with a disclosed salt', async () => {
    const verifyPath = `${CHANNEL}/interactions/${qualifiedId}/verify`;
    const verifyTemplate = `${TEMPLATE}/interactions/{id}/verify`;
    const match = await call(hospitalA, 'HospitalA', 'auditor', 'POST', verifyPath, verifyTemplate, {
      prompt: PROMPT,
      output: OUTPUT,
    });
    expect(match.body).toEqual({ interactionId: qualifiedId, prompt: 'match', output: 'match' });
    const mismatch = await call(hospitalA, 'HospitalA', 'recorder', 'POST', verifyPath, verifyTemplate, {
      prompt: `${PROMPT} `,
      output: [{ role: 'assistant', content: 'Other.' }],
    });
    expect(mismatch.body).toEqual({ interactionId: qualifiedId, prompt: 'mismatch', output: 'mismatch' });
    const notRecorded = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions/${qualifiedId}-b1/verify`,
      verifyTemplate,
      { output: 'x' },
    );
    expect(notRecorded.body).toEqual({ interactionId: `${qualifiedId}-b1`, output: 'not-recorded' });

    expect(
      (await call(regulator, 'Regulator', 'auditor', 'POST', verifyPath, verifyTemplate, { prompt: PROMPT })).status,
    ).toBe(422);
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'auditor',
          'POST',
          `${CHANNEL}/interactions/${qualifiedId}/disclosures`,
          `${TEMPLATE}/interactions/{id}/disclosures`,
        )
      ).status,
    ).toBe(403);
    const disclosure = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${CHANNEL}/interactions/${qualifiedId}/disclosures`,
      `${TEMPLATE}/interactions/{id}/disclosures`,
    );
    expect(disclosure.status).toBe(200);
    const { salt } = disclosure.body as { salt: string };
    const withSalt = await call(regulator, 'Regulator', 'auditor', 'POST', verifyPath, verifyTemplate, {
      prompt: PROMPT,
      salt,
    });
    expect(withSalt.body).toEqual({ interactionId: qualifiedId, prompt: 'match' });
    // The salt verifies this record only.
    const other = await call(
      regulator,
      'Regulator',
      'auditor',
      'POST',
      `${CHANNEL}/interactions/${qualifiedId}-b1/verify`,
      verifyTemplate,
      { prompt: PROMPT, salt },
    );
    expect(other.body).toEqual({ interactionId: `${qualifiedId}-b1`, prompt: 'mismatch' });
  });

  it('summarises usage, lists consent violations and exports > 1000 records across many pages as NDJSON and CSV', async () => {
    const bulkApp = unique('bulk');
    let lastBlock = 0;
    for (let start = 0; start < 1200; start += 500) {
      const records = Array.from({ length: Math.min(500, 1200 - start) }, (_, offset) => {
        const index = start + offset;
        return interaction(`${bulkApp}-${index}`, bulkApp, {
          promptCommitment: commitmentOf('a'),
          ...(index % 10 === 0 ? { cost: { status: 'unpriced' } } : {}),
          ...(index === 7 ? { subjectRef: unique('sub'), purpose: 'ai-inference' } : {}),
        });
      });
      const written = await call(
        hospitalA,
        'HospitalA',
        'recorder',
        'POST',
        `${CHANNEL}/interactions/batch`,
        `${TEMPLATE}/interactions/batch`,
        { records },
      );
      expect(written.status).toBe(201);
      lastBlock = Math.max(lastBlock, Number((written.body as { blockNumber: string }).blockNumber));
    }
    // The audit routes answer from each app's index: minBlock waits until it reflects the writes.
    const range = `by=applicationId&value=${bulkApp}&minBlock=${lastBlock}`;
    const usage = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${CHANNEL}/audit/usage?${range}&groupBy=model`,
      `${TEMPLATE}/audit/usage`,
    );
    expect(usage.status).toBe(200);
    expect((usage.body as { totals: unknown }).totals).toEqual({
      calls: 1200,
      errorCalls: 0,
      tokens: { input: 120_000, output: 24_000, cacheRead: 0, reasoning: 0 },
      cost: { byCurrency: [{ currency: 'EUR', amountMinor: 1080 * 12, calls: 1080 }], unpricedCalls: 120 },
    });
    const violations = await call(
      hospitalA,
      'HospitalA',
      'admin',
      'GET',
      `${CHANNEL}/audit/violations?${range}`,
      `${TEMPLATE}/audit/violations`,
    );
    expect((violations.body as { records: { id: string }[] }).records.map((record) => record.id)).toEqual([
      `HospitalAMSP:${bulkApp}-7`,
    ]);

    const ndjson = await fetch(`${regulator}${CHANNEL}/audit/export?format=ndjson&pageSize=100&${range}`, {
      headers: bearer(environment, 'Regulator', 'auditor'),
    });
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await ndjson.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(1200);
    expect(new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size).toBe(1200);
    const csv = await fetch(`${hospitalA}${CHANNEL}/audit/export?format=csv&pageSize=250&${range}`, {
      headers: bearer(environment, 'HospitalA', 'admin'),
    });
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^id,org,/);
    expect(rows).toHaveLength(1201);
  });

  it('enforces the role matrix on every interaction and audit route', async () => {
    const routes: { path: string; template: string; method: string; body?: unknown; allowed: readonly AppRole[] }[] = [
      {
        method: 'POST',
        path: `${CHANNEL}/interactions`,
        template: `${TEMPLATE}/interactions`,
        body: interaction(recordId, app, { prompt: PROMPT, output: OUTPUT }),
        allowed: ['recorder', 'admin'],
      },
      {
        method: 'POST',
        path: `${CHANNEL}/interactions/batch`,
        template: `${TEMPLATE}/interactions/batch`,
        body: { records: [interaction(`${recordId}-b1`, app, { promptCommitment: commitmentOf('1') })] },
        allowed: ['recorder', 'admin'],
      },
      {
        method: 'GET',
        path: `${CHANNEL}/interactions/${qualifiedId}`,
        template: `${TEMPLATE}/interactions/{id}`,
        allowed: APP_ROLES,
      },
      {
        method: 'GET',
        path: `${CHANNEL}/interactions?by=applicationId&value=${app}`,
        template: `${TEMPLATE}/interactions`,
        allowed: APP_ROLES,
      },
      {
        method: 'POST',
        path: `${CHANNEL}/interactions/${qualifiedId}/annotations`,
        template: `${TEMPLATE}/interactions/{id}/annotations`,
        body: { id: 'review-1', kind: 'flag', severity: 'high', labels: ['hallucination'] },
        allowed: ['recorder', 'admin'],
      },
      {
        method: 'GET',
        path: `${CHANNEL}/interactions/${qualifiedId}/annotations`,
        template: `${TEMPLATE}/interactions/{id}/annotations`,
        allowed: APP_ROLES,
      },
      {
        method: 'POST',
        path: `${CHANNEL}/interactions/${qualifiedId}/verify`,
        template: `${TEMPLATE}/interactions/{id}/verify`,
        body: { prompt: PROMPT },
        allowed: APP_ROLES,
      },
      {
        method: 'POST',
        path: `${CHANNEL}/interactions/${qualifiedId}/disclosures`,
        template: `${TEMPLATE}/interactions/{id}/disclosures`,
        allowed: ['recorder', 'admin'],
      },
      {
        method: 'GET',
        path: `${CHANNEL}/audit/usage?groupBy=day&by=applicationId&value=${app}`,
        template: `${TEMPLATE}/audit/usage`,
        allowed: ['auditor', 'admin'],
      },
      {
        method: 'GET',
        path: `${CHANNEL}/audit/violations?by=applicationId&value=${app}`,
        template: `${TEMPLATE}/audit/violations`,
        allowed: ['auditor', 'admin'],
      },
      {
        method: 'GET',
        path: `${CHANNEL}/audit/export?format=ndjson&by=applicationId&value=${app}`,
        template: `${TEMPLATE}/audit/export`,
        allowed: ['auditor', 'admin'],
      },
    ];
    for (const route of routes) {
      for (const role of APP_ROLES) {
        const answer = await call(hospitalA, 'HospitalA', role, route.method, route.path, route.template, route.body);
        // Path and role in the compared value, so a failure names the cell of the matrix.
        if (route.allowed.includes(role))
          expect([route.path, role, answer.status < 300]).toEqual([route.path, role, true]);
        else expect([route.path, role, answer.status]).toEqual([route.path, role, 403]);
      }
    }
  });
});
