import { ROLES, type Role } from '@aal/ledger-contract';
import { peer } from '@hyperledger/fabric-protos';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { batchWrites, interactionWrites, nextTestBlock, testBlock } from '../../testing/block-builder';

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

describe('audit routes (answered from the audit index)', () => {
  let app: AppHarness;
  let pagesServed: number;
  beforeEach(async () => {
    app = await startAppHarness();
    const rows = app.auditIndex.store.rows.bind(app.auditIndex.store);
    pagesServed = 0;
    jest.spyOn(app.auditIndex.store, 'rows').mockImplementation(async (...args) => {
      pagesServed += 1;
      return rows(...args);
    });
  });
  afterEach(() => app.close());

  /** Commits the records in the next block, gathered in one transaction, as the peer would deliver it. */
  const seed = async (count: number, extra: (index: number) => Record<string, unknown> = () => ({})): Promise<void> => {
    const records = Array.from({ length: count }, (_, index) => stored(index, extra(index)));
    await app.auditIndex.ingest(
      'hospital-a',
      nextTestBlock(app.auditIndex, 'hospital-a', [{ txId: 'e'.repeat(64), writes: interactionWrites(records) }]),
    );
  };
  const get = (path: string, role: Role = 'auditor') => app.request('GET', path, { key: app.keys[role] });

  it('sums tokens, calls and costs per currency, counting unpriced calls apart and never as 0', async () => {
    await seed(6, (index) =>
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
    const byOrg = (await (await get(`${AUDIT}/usage?groupBy=org`)).json()) as {
      groups: { key: string; calls: number }[];
    };
    expect(byOrg.groups.map((group) => [group.key, group.calls])).toEqual([['HospitalAMSP', 6]]);
    expect((await get(`${AUDIT}/usage?groupBy=colour&by=org`)).status).toBe(400);
  });

  it('lists consent violations, examining violations only, and continues the scan with a cursor', async () => {
    // 12 000 records, every other one a violation; a few of those of the watched application.
    await seed(12_000, (index) => ({
      consentCheck: index % 2 === 0 ? { allowed: false, reason: 'no consent' } : { allowed: true, reason: 'ok' },
      ...(index % 1000 === 8 ? { applicationId: 'watched' } : {}),
    }));
    const violations = `${AUDIT}/violations?by=applicationId&value=watched`;
    const first = (await (await get(violations)).json()) as {
      records: { id: string }[];
      scannedRecords: number;
      nextCursor: string | null;
    };
    // The first 5 000 violations (records 0, 2, … 9 998), not the first 5 000 records.
    expect(first.scannedRecords).toBe(5000);
    expect(first.records.map((record) => record.id)).toEqual(
      [8, 1008, 2008, 3008, 4008, 5008, 6008, 7008, 8008, 9008].map((n) => `ix-${String(n).padStart(5, '0')}`),
    );
    const rest = (await (await get(`${violations}&cursor=${first.nextCursor ?? ''}`)).json()) as {
      records: { id: string }[];
      scannedRecords: number;
      nextCursor: string | null;
    };
    expect({ ...rest, records: rest.records.map((record) => record.id) }).toMatchObject({
      records: ['ix-10008', 'ix-11008'],
      scannedRecords: 1000,
      nextCursor: null,
    });
  });

  it('exports NDJSON and CSV of every record across many pages', async () => {
    await seed(2500);
    const ndjson = await get(`${AUDIT}/export?format=ndjson&pageSize=100`);
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(ndjson.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await ndjson.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(2500);
    expect((JSON.parse(lines[2499] ?? '{}') as { id: string }).id).toBe('ix-02499');
    expect(pagesServed).toBe(26);
    const csv = (await (await get(`${AUDIT}/export?format=csv`, 'admin')).text()).split('\r\n');
    expect(csv[0]).toMatch(/^id,org,recordedBy,txId,txTime,/);
    expect(csv[1]).toMatch(/^ix-00000,HospitalAMSP,app-recorder,/);
    expect(csv).toHaveLength(2502);
  });

  it('reads 100 rows first and then pages twice as large each time, up to the page size', async () => {
    await seed(4000);
    // The spy of beforeEach, which counts pages: its calls' third argument is each read's row limit.
    const rows = jest.spyOn(app.auditIndex.store, 'rows');
    const sizes = (): number[] => rows.mock.calls.map((call) => call[2]);
    const lines = (await (await get(`${AUDIT}/export?format=ndjson`)).text()).trimEnd().split('\n');
    // Every record once, in ledger order, across pages of changing size.
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(
      Array.from({ length: 4000 }, (_, index) => `ix-${String(index).padStart(5, '0')}`),
    );
    // 100 + 200 + 400 + 800 + 1000 + 1000 = 3500, then 500 rows: a short page ends the export.
    expect(sizes()).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect((await (await get(`${AUDIT}/export?format=ndjson&pageSize=300`)).text()).trimEnd().split('\n')).toHaveLength(
      4000,
    );
    expect(sizes().slice(7, 10)).toEqual([100, 200, 300]);
  });

  it('reads the next page only as the client takes the answer: at most a few pages in flight for a client that stops reading', async () => {
    await seed(20_000);
    const response = await get(`${AUDIT}/export?format=ndjson&pageSize=100`);
    const reader = response.body?.getReader();
    await reader?.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalledAt = pagesServed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 200 pages exist; without backpressure the app would read them all. With it, reading stops
    // once the socket and the client's buffers are full, and stays stopped while the client waits.
    expect(stalledAt).toBeLessThan(150);
    expect(pagesServed).toBe(stalledAt);
    await reader?.cancel();
    // Seeding 20 000 rows through the block decoder and SQLite takes a few seconds on a shared machine.
  }, 30_000);

  it('answers usage, violations and export over single, gathered and batched records alike, not over invalid transactions', async () => {
    const batched = [0, 1, 2].map((leaf) => {
      const record: Record<string, unknown> = { ...stored(100 + leaf), applicationId: 'app-b' };
      return { record, ...(leaf === 1 ? { consentCheck: { allowed: false, reason: 'no consent' } } : {}) };
    });
    for (const entry of batched)
      for (const field of ['org', 'recordedBy', 'txId', 'txTime'] as const) delete entry.record[field];
    const single = { ...stored(1), applicationId: 'app-b', consentCheck: { allowed: false, reason: 'denied' } };
    const gathered = [stored(2), stored(3)].map((record) => ({ ...record, applicationId: 'app-b' }));
    const refused = { ...stored(4), applicationId: 'app-b' };
    const batchTx = 'b'.repeat(64);
    await app.auditIndex.ingest(
      'hospital-a',
      testBlock(0, [
        { txId: 'a'.repeat(64), writes: interactionWrites([single]) },
        { txId: 'c'.repeat(64), writes: interactionWrites([refused]), code: peer.TxValidationCode.MVCC_READ_CONFLICT },
        { txId: 'd'.repeat(64), writes: interactionWrites(gathered) },
      ]),
    );
    await app.auditIndex.ingest(
      'hospital-a',
      nextTestBlock(app.auditIndex, 'hospital-a', [
        {
          txId: batchTx,
          writes: batchWrites(
            { batchId: batchTx, org: 'HospitalAMSP', recordedBy: 'app-recorder', txTime: '2026-01-03T00:00:00.000Z' },
            batched,
          ),
        },
      ]),
    );
    const query = 'by=applicationId&value=app-b';
    const usage = (await (await get(`${AUDIT}/usage?groupBy=day&${query}&minBlock=1`)).json()) as {
      asOfBlock: string;
      records: number;
      totals: { calls: number; tokens: { input: number } };
      groups: { key: string; calls: number }[];
    };
    expect(usage).toMatchObject({ asOfBlock: '1', records: 6, totals: { calls: 6, tokens: { input: 60 } } });
    expect(usage.groups.map((group) => [group.key, group.calls])).toEqual([
      ['2026-01-01', 1],
      ['2026-01-02', 2],
      ['2026-01-03', 3],
    ]);
    const exported = await get(`${AUDIT}/export?format=ndjson&${query}`);
    expect(exported.headers.get('x-as-of-block')).toBe('1');
    const lines = (await exported.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['id'])).toEqual([
      'ix-00001',
      'ix-00002',
      'ix-00003',
      'ix-00100',
      'ix-00101',
      'ix-00102',
    ]);
    expect(lines[4]).toEqual({
      ...batched[1]?.record,
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txId: batchTx,
      txTime: '2026-01-03T00:00:00.000Z',
      consentCheck: { allowed: false, reason: 'no consent' },
      batchId: batchTx,
      leafIndex: 1,
    });
    const violations = (await (await get(`${AUDIT}/violations?${query}`)).json()) as {
      asOfBlock: string;
      records: { id: string }[];
      scannedRecords: number;
    };
    expect(violations.asOfBlock).toBe('1');
    expect(violations.scannedRecords).toBe(2); // the violations examined: two of the six records
    expect(violations.records.map((record) => record.id)).toEqual(['ix-00001', 'ix-00101']);
  });

  it("reads only the caller's org unless the caller is an auditor of an auditor org", async () => {
    await seed(2, (index) => (index === 0 ? { org: 'AIProviderMSP' } : {}));
    const calls = async (role: Role, query = ''): Promise<number> =>
      ((await (await get(`${AUDIT}/usage?groupBy=model${query}`, role)).json()) as { totals: { calls: number } }).totals
        .calls;
    // Not an auditor org: the auditor reads its own org's, like the admin.
    expect(await calls('auditor', '&by=applicationId&value=app-1')).toBe(1);
    expect(await calls('admin', '&by=applicationId&value=app-1')).toBe(1);
    expect((await get(`${AUDIT}/usage?groupBy=model&by=org&value=AIProviderMSP`)).status).toBe(403);
    const auditorOrg = await startAppHarness({ auditorOrgs: ['HospitalAMSP'] });
    try {
      const records = [stored(0, { org: 'AIProviderMSP' }), stored(1)];
      await auditorOrg.auditIndex.ingest(
        'hospital-a',
        testBlock(0, [{ txId: 'e'.repeat(64), writes: interactionWrites(records) }]),
      );
      const usage = async (role: Role, query: string): Promise<Response> =>
        auditorOrg.request('GET', `${AUDIT}/usage?groupBy=model${query}`, { key: auditorOrg.keys[role] });
      expect(
        ((await (await usage('auditor', '&by=applicationId&value=app-1')).json()) as { records: number }).records,
      ).toBe(2);
      expect(
        ((await (await usage('auditor', '&by=org&value=AIProviderMSP')).json()) as { records: number }).records,
      ).toBe(1);
      expect(
        ((await (await usage('admin', '&by=applicationId&value=app-1')).json()) as { records: number }).records,
      ).toBe(1);
    } finally {
      await auditorOrg.close();
    }
  });

  it('answers 503 with Retry-After before the index has read its first block', async () => {
    const response = await get(`${AUDIT}/usage?groupBy=model`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await get(`${AUDIT}/usage?groupBy=model&minBlock=x1`)).status).toBe(400);
  });

  it('refuses an export the index may not answer with a problem, before streaming', async () => {
    await seed(1);
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
        await seed(3);
        const response = await get(`${AUDIT}/${path}`, role);
        expect(response.status).toBe(allowed ? 200 : 403);
        await response.text();
        if (!allowed) expect(app.ledger.calls).toEqual([]);
      });
    }
  }
});
