import { ROLES, TRANSACTIONS } from '@aal/ledger-contract';
import { contentCommitment, recordSalt } from '@aal/ledger-contract';
import { FAKE_ORG_CONTENT_KEY, installFakeInteractionsChaincode } from '../../testing/fake-interactions-chaincode';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { interactionRequest, TEST_PROMPT } from '../../testing/interaction-request';

const BASE = '/api/v1/channels/hospital-a';
const PROMPT = TEST_PROMPT;
const BATCH_ID = 'c'.repeat(64);

const interaction = (id: string): Record<string, unknown> => interactionRequest(id);

describe('Merkle batch routes (fake ledger)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness();
    installFakeInteractionsChaincode(app.ledger);
    // The fake's transaction ids are 'c' × 64: this batch id says "recorded by this very submit".
    app.ledger.handlers.set(TRANSACTIONS.recordBatch, (call) => {
      const records = JSON.parse(call.args[0] ?? '[]') as unknown[];
      return JSON.stringify({
        batchId: BATCH_ID,
        org: 'HospitalAMSP',
        txTime: '2026-01-01T10:00:02.000Z',
        root: 'f'.repeat(64),
        size: records.length,
        alreadyRecorded: [],
      });
    });
    app.ledger.handlers.set(TRANSACTIONS.getInclusionProof, (call) =>
      JSON.stringify({
        record: { id: call.args[0] },
        leafIndex: 1,
        treeSize: 2,
        auditPath: ['a'.repeat(64)],
        root: 'f'.repeat(64),
        txId: BATCH_ID,
        batchId: BATCH_ID,
      }),
    );
  });
  afterEach(() => app.close());

  it('commits each record’s content, submits only commitments as one idempotent RecordBatch, and answers the summary', async () => {
    const response = await app.request('POST', `${BASE}/batches`, {
      key: app.keys.recorder,
      body: { records: [interaction('b-1'), interaction('b-2')] },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`${BASE}/batches/${BATCH_ID}`);
    expect(await response.json()).toMatchObject({
      batchId: BATCH_ID,
      size: 2,
      root: 'f'.repeat(64),
      transactionId: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
    const submits = app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.recordBatch);
    expect(submits).toHaveLength(1);
    expect(submits[0]?.options).toEqual({ idempotent: true });
    const sent = JSON.parse(submits[0]?.args[0] ?? '[]') as Record<string, unknown>[];
    expect(sent.map((record) => record.promptCommitment)).toEqual(
      ['b-1', 'b-2'].map((id) => contentCommitment(recordSalt(FAKE_ORG_CONTENT_KEY, id), PROMPT)),
    );
    expect(JSON.stringify(app.ledger.calls)).not.toContain('discharge letter');
  });

  it('refuses more than 1000 records, unknown fields and roles that may not write', async () => {
    const tooMany = await app.request('POST', `${BASE}/batches`, {
      key: app.keys.recorder,
      body: { records: Array.from({ length: 1001 }, (_, i) => interaction(`x-${i}`)) },
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { errors: { field: string; message: string }[] }).errors).toEqual([
      { field: 'records', message: 'must hold at most 1000 records' },
    ]);
    const unknown = await app.request('POST', `${BASE}/batches`, {
      key: app.keys.recorder,
      body: { records: [interaction('b-1')], extra: true },
    });
    expect(unknown.status).toBe(400);
    for (const role of ROLES) {
      const status = (
        await app.request('POST', `${BASE}/batches`, {
          key: app.keys[role],
          body: { records: [interaction(`r-${role}`)] },
        })
      ).status;
      expect({ role, status }).toEqual({ role, status: role === 'recorder' || role === 'admin' ? 201 : 403 });
    }
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.recordBatch)).toHaveLength(2);
  });

  it('passes a record’s inclusion proof through for every role and validates the path', async () => {
    const proof = await app.request('GET', `${BASE}/batched-interactions/b-1/proof`, { key: app.keys.auditor });
    expect(proof.status).toBe(200);
    expect(await proof.json()).toMatchObject({ record: { id: 'b-1' }, leafIndex: 1, treeSize: 2, batchId: BATCH_ID });
    expect((await app.request('GET', `${BASE}/batches/not-a-tx-id`, { key: app.keys.auditor })).status).toBe(400);
  });

  it('queries batches with the interaction query parameters, passes the filter to QueryBatches and pages with a cursor', async () => {
    const listing = {
      batchId: BATCH_ID,
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txTime: '2026-01-01T10:00:02.000Z',
      size: 2,
      root: 'f'.repeat(64),
    };
    app.ledger.handlers.set(TRANSACTIONS.queryBatches, (call) => {
      const filter = JSON.parse(call.args[0] ?? '{}') as { bookmark?: string };
      return JSON.stringify({ records: [listing], bookmark: filter.bookmark === undefined ? 'next-page' : '' });
    });
    const first = await app.request(
      'GET',
      `${BASE}/batches?by=requestModel&value=gpt-4o&order=desc&pageSize=1&from=2026-01-01T00:00:00Z`,
      { key: app.keys.auditor },
    );
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ records: [listing], nextCursor: 'next-page' });
    const second = await app.request(
      'GET',
      `${BASE}/batches?by=requestModel&value=gpt-4o&order=desc&pageSize=1&from=2026-01-01T00:00:00Z&cursor=next-page`,
      { key: app.keys.auditor },
    );
    expect(await second.json()).toEqual({ records: [listing], nextCursor: null });
    const filters = app.ledger.calls
      .filter((call) => call.transaction === TRANSACTIONS.queryBatches)
      .map((call) => JSON.parse(call.args[0] ?? '{}') as unknown);
    expect(filters).toEqual([
      { by: 'requestModel', value: 'gpt-4o', from: '2026-01-01T00:00:00Z', order: 'desc', pageSize: 1 },
      {
        by: 'requestModel',
        value: 'gpt-4o',
        from: '2026-01-01T00:00:00Z',
        order: 'desc',
        pageSize: 1,
        bookmark: 'next-page',
      },
    ]);
    const invalid = await app.request('GET', `${BASE}/batches?by=colour&value=x`, { key: app.keys.auditor });
    expect(invalid.status).toBe(400);
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.queryBatches)).toHaveLength(2);
  });
});
