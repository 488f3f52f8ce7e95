import { ROLES, type Role } from '@aal/ledger-contract';
import { installFakeInteractionsChaincode, type FakeInteractionState } from '../../testing/fake-interactions-chaincode';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';

const AUDIT = '/api/v1/channels/hospital-a/audit';

function stored(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `ix-${String(index).padStart(5, '0')}`,
    org: 'HospitalAMSP',
    recordedBy: 'app-recorder',
    txId: 'e'.repeat(64),
    txTime: `2026-01-0${1 + (index % 2)}T00:00:00.000Z`,
    startTime: '2026-01-01T00:00:00Z',
    endTime: '2026-01-01T00:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: index % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
    usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 1, source: 'provider' },
    cost: { status: 'priced', amountMinor: 5, currency: 'EUR' },
    latencyMs: 10,
    status: 'ok',
    applicationId: 'app-1',
    promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
    ...extra,
  };
}

describe('audit routes (fake ledger)', () => {
  let app: AppHarness;
  let chaincode: FakeInteractionState;
  beforeEach(async () => {
    app = await startAppHarness();
    chaincode = installFakeInteractionsChaincode(app.ledger);
  });
  afterEach(() => app.close());

  const seed = (count: number, extra: (index: number) => Record<string, unknown> = () => ({})): void => {
    for (let index = 0; index < count; index++) {
      const record = stored(index, extra(index));
      chaincode.interactions.set(String(record['id']), record);
    }
  };
  const get = (path: string, role: Role = 'auditor') => app.request('GET', path, { key: app.keys[role] });

  it('sums tokens, calls and costs per currency, counting unpriced calls apart and never as 0', async () => {
    seed(6, (index) =>
      index === 0
        ? { cost: { status: 'unpriced' } }
        : index === 1
          ? { cost: { status: 'provider', amountMinor: 7, currency: 'USD' }, status: 'error', errorType: 'timeout' }
          : {},
    );
    const response = await get(`${AUDIT}/usage?groupBy=model`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      records: number;
      totals: unknown;
      groups: { key: string; calls: number }[];
    };
    expect(body.records).toBe(6);
    expect(body.totals).toEqual({
      calls: 6,
      errorCalls: 1,
      tokens: { input: 60, output: 12, cacheRead: 6, reasoning: 0 },
      cost: {
        byCurrency: [
          { currency: 'EUR', amountMinor: 20, calls: 4 },
          { currency: 'USD', amountMinor: 7, calls: 1 },
        ],
        unpricedCalls: 1,
      },
    });
    expect(body.groups.map((group) => [group.key, group.calls])).toEqual([
      ['gpt-4o', 2],
      ['gpt-4o-mini', 4],
    ]);
    const byDay = (await (await get(`${AUDIT}/usage?groupBy=day`)).json()) as { groups: { key: string }[] };
    expect(byDay.groups.map((group) => group.key)).toEqual(['2026-01-01', '2026-01-02']);
    const byActor = (await (await get(`${AUDIT}/usage?groupBy=actor`)).json()) as { groups: { key: string | null }[] };
    expect(byActor.groups.map((group) => group.key)).toEqual([null]);
    expect((await get(`${AUDIT}/usage?groupBy=colour&by=org`)).status).toBe(400);
  });

  it('lists consent violations and continues the scan with a cursor', async () => {
    seed(7000, (index) =>
      index % 1000 === 7
        ? { consentCheck: { allowed: false, reason: 'no consent' } }
        : { consentCheck: { allowed: true, reason: 'ok' } },
    );
    const first = (await (await get(`${AUDIT}/violations`)).json()) as {
      records: { id: string }[];
      scannedRecords: number;
      nextCursor: string | null;
    };
    expect(first.scannedRecords).toBe(5000);
    expect(first.records.map((record) => record.id)).toEqual([
      'ix-00007',
      'ix-01007',
      'ix-02007',
      'ix-03007',
      'ix-04007',
    ]);
    const rest = (await (await get(`${AUDIT}/violations?cursor=${first.nextCursor ?? ''}`)).json()) as {
      records: unknown[];
      nextCursor: string | null;
    };
    expect(rest).toMatchObject({
      records: [expect.objectContaining({ id: 'ix-05007' }), expect.objectContaining({ id: 'ix-06007' })],
      nextCursor: null,
    });
  });

  it('exports NDJSON and CSV of every record across many pages', async () => {
    seed(2500);
    const ndjson = await get(`${AUDIT}/export?format=ndjson&pageSize=100`);
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(ndjson.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await ndjson.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(2500);
    expect((JSON.parse(lines[2499] ?? '{}') as { id: string }).id).toBe('ix-02499');
    expect(chaincode.pagesServed).toBe(25);
    const csv = (await (await get(`${AUDIT}/export?format=csv`, 'admin')).text()).split('\r\n');
    expect(csv[0]).toMatch(/^id,org,recordedBy,txId,txTime,/);
    expect(csv[1]).toMatch(/^ix-00000,HospitalAMSP,app-recorder,/);
    expect(csv).toHaveLength(2502);
  });

  it('reads the next page only as the client takes the answer: at most a few pages in flight for a client that stops reading', async () => {
    seed(20_000);
    const response = await get(`${AUDIT}/export?format=ndjson&pageSize=100`);
    const reader = response.body?.getReader();
    await reader?.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalledAt = chaincode.pagesServed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 200 pages exist; without backpressure the app would read them all. With it, reading stops
    // once the socket and the client's buffers are full, and stays stopped while the client waits.
    expect(stalledAt).toBeLessThan(150);
    expect(chaincode.pagesServed).toBe(stalledAt);
    await reader?.cancel();
  });

  it('refuses an export the ledger refuses with a problem, before streaming', async () => {
    const response = await get(`${AUDIT}/export?format=ndjson&by=org&value=AIProviderMSP`, 'admin');
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await get(`${AUDIT}/export?format=xml`)).status).toBe(400);
    expect((await get(`${AUDIT}/export?format=csv&by=org`)).status).toBe(400);
  });

  for (const path of ['usage?groupBy=model', 'violations', 'export?format=ndjson']) {
    for (const role of ROLES) {
      const allowed = role === 'auditor' || role === 'admin';
      it(`${path.split('?')[0] ?? ''}: ${role} is ${allowed ? 'allowed' : 'refused with 403'}`, async () => {
        seed(3);
        const response = await get(`${AUDIT}/${path}`, role);
        expect(response.status).toBe(allowed ? 200 : 403);
        await response.text();
        if (!allowed) expect(app.ledger.calls).toEqual([]);
      });
    }
  }
});
