import { ROLES, TRANSACTIONS, inclusionPath, merkleRoot, recordLeafBytes, recordLeafHash } from '@aal/ledger-contract';
import { contentCommitment, recordSalt } from '@aal/ledger-contract';
import { FAKE_ORG_CONTENT_KEY, installFakeInteractionsChaincode } from '../../testing/fake-interactions-chaincode';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { batchWrites, leanBatchWrites, testBlock, testProcessedTransaction } from '../../testing/block-builder';
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
      ['HospitalAMSP:b-1', 'HospitalAMSP:b-2'].map((id) =>
        contentCommitment(recordSalt(FAKE_ORG_CONTENT_KEY, id), PROMPT),
      ),
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

  describe('inclusion proofs of the lean layout', () => {
    const header = {
      batchId: BATCH_ID,
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txTime: '2026-01-01T10:00:02.000Z',
    };
    const input = (id: string): Record<string, unknown> => ({
      ...interactionRequest(id),
      prompt: undefined,
      promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
    });
    const records = [input('HospitalAMSP:b-0'), input('HospitalAMSP:b-1')].map(
      (record) => JSON.parse(JSON.stringify(record)) as Record<string, unknown>,
    );
    const leaves = records.map(recordLeafBytes);
    /** The chaincode's answer: leaf hash and path from world state, no record. */
    const chaincodeProof = (auditPath = inclusionPath(1, leaves).map((hash) => hash.toString('hex'))) => ({
      leafHash: recordLeafHash(records[1]).toString('hex'),
      leafIndex: 1,
      treeSize: 2,
      auditPath,
      root: merkleRoot(leaves).toString('hex'),
      txId: BATCH_ID,
      batchId: BATCH_ID,
      org: 'HospitalAMSP',
      txTime: header.txTime,
    });
    /** The recording transaction on the org's peer, its arguments optionally altered. */
    const recorded = (args: readonly Record<string, unknown>[] = records) =>
      testProcessedTransaction({
        txId: BATCH_ID,
        args: [TRANSACTIONS.recordBatch, JSON.stringify(args)],
        writes: leanBatchWrites(header, records),
      });

    it('completes the proof with the record from the recording transaction, verified, for every role', async () => {
      app.ledger.handlers.set(TRANSACTIONS.getInclusionProof, () => JSON.stringify(chaincodeProof()));
      app.ledger.systemHandlers.set('GetTransactionByID', () => recorded());
      for (const role of ROLES) {
        const proof = await app.request('GET', `${BASE}/batched-interactions/b-1/proof`, { key: app.keys[role] });
        expect(proof.status).toBe(200);
        expect(await proof.json()).toEqual({ ...chaincodeProof(), record: records[1] });
      }
      expect((await app.request('GET', `${BASE}/batches/not-a-tx-id`, { key: app.keys.auditor })).status).toBe(400);
    });

    it('answers 502 with a code, never the record, when the block bytes or the proof do not match the ledger', async () => {
      app.ledger.handlers.set(TRANSACTIONS.getInclusionProof, () => JSON.stringify(chaincodeProof()));
      app.ledger.systemHandlers.set('GetTransactionByID', () =>
        recorded([records[0] ?? {}, { ...records[1], latencyMs: 1 }]),
      );
      const altered = await app.request('GET', `${BASE}/batched-interactions/b-1/proof`, { key: app.keys.auditor });
      expect(altered.status).toBe(502);
      const alteredBody = (await altered.json()) as Record<string, unknown>;
      expect(alteredBody).toMatchObject({ status: 502, code: 'LEAF_MISMATCH' });
      expect(JSON.stringify(alteredBody)).not.toContain('"latencyMs"');

      app.ledger.handlers.set(TRANSACTIONS.getInclusionProof, () => JSON.stringify(chaincodeProof(['a'.repeat(64)])));
      app.ledger.systemHandlers.set('GetTransactionByID', () => recorded());
      const badPath = await app.request('GET', `${BASE}/batched-interactions/b-1/proof`, { key: app.keys.auditor });
      expect(badPath.status).toBe(502);
      expect(await badPath.json()).toMatchObject({ code: 'PROOF_INVALID' });
    });
  });

  it('lists batches from the audit index with the interaction query parameters, pages with a cursor, and scopes non-auditors', async () => {
    const header = (batchId: string, txTime: string, org = 'HospitalAMSP') => ({
      batchId,
      org,
      recordedBy: 'app-recorder',
      txTime,
    });
    const leaf = { ...interactionRequest('l-1'), prompt: undefined, promptCommitment: `hmac-sha256:${'0'.repeat(64)}` };
    const older = header('1'.repeat(64), '2026-01-01T10:00:01.000Z');
    const newer = header('2'.repeat(64), '2026-01-01T10:00:02.000Z');
    const foreign = header('3'.repeat(64), '2026-01-01T10:00:03.000Z', 'AIProviderMSP');
    const block = testBlock(0, [
      { txId: older.batchId, writes: batchWrites(older, [{ record: { ...leaf, id: 'o-1' } }]) },
      { txId: newer.batchId, writes: batchWrites(newer, [{ record: { ...leaf, id: 'n-1' } }]) },
      { txId: foreign.batchId, writes: batchWrites(foreign, [{ record: { ...leaf, id: 'f-1' } }]) },
    ]);
    await app.auditIndex.ingest('hospital-a', block);
    const listing = (batch: typeof older) => ({
      ...batch,
      size: 1,
      root: 'f'.repeat(64),
      txId: batch.batchId,
      blockNumber: '0',
    });
    const query = `${BASE}/batches?by=requestModel&value=${String(interactionRequest('x').requestModel)}&order=desc&pageSize=2&from=2026-01-01T00:00:00Z`;
    // This org is not an auditor org: even its auditor lists its own org's batches only.
    const first = await app.request('GET', query.replace('pageSize=2', 'pageSize=1'), { key: app.keys.auditor });
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as { records: unknown[]; nextCursor: string | null; asOfBlock: string };
    expect(firstBody).toEqual({ records: [listing(newer)], nextCursor: expect.any(String) as string, asOfBlock: '0' });
    const second = await app.request(
      'GET',
      `${query.replace('pageSize=2', 'pageSize=1')}&cursor=${firstBody.nextCursor ?? ''}`,
      {
        key: app.keys.auditor,
      },
    );
    expect(await second.json()).toEqual({
      records: [listing(older)],
      nextCursor: expect.any(String) as string,
      asOfBlock: '0',
    });
    // An auditor org's auditor lists every org's batches.
    const auditorApp = await startAppHarness({ auditorOrgs: ['HospitalAMSP'] });
    try {
      await auditorApp.auditIndex.ingest('hospital-a', block);
      const all = await auditorApp.request('GET', query.replace('pageSize=2', 'pageSize=10'), {
        key: auditorApp.keys.auditor,
      });
      expect(await all.json()).toEqual({
        records: [listing(foreign), listing(newer), listing(older)],
        nextCursor: null,
        asOfBlock: '0',
      });
    } finally {
      await auditorApp.close();
    }
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.queryBatches)).toEqual([]);
    const invalid = await app.request('GET', `${BASE}/batches?by=colour&value=x`, { key: app.keys.auditor });
    expect(invalid.status).toBe(400);
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.queryBatches)).toEqual([]);
  });
});
