import { parseRecordProof, RecordProofError, verifyRecordProof } from '@aal/ledger-contract';
import { bearer, loadTestEnvironment } from '../support/test-network';

/** Batched ingestion over HTTP: one transaction, one Merkle root, a proof per record that verifies. */
const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const hospitalB = environment.apps.HospitalB ?? '';
const CHANNEL = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

function interaction(id: string, prompt: string, applicationId = 'triage-bot'): Record<string, unknown> {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 20, outputTokens: 4, source: 'provider' },
    cost: { status: 'unpriced' },
    latencyMs: 700,
    status: 'ok',
    applicationId,
    prompt,
  };
}

async function call(
  app: string,
  org: string,
  role: 'recorder' | 'auditor' | 'consent-manager',
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app}${CHANNEL}${path}`, {
    method,
    headers: {
      ...bearer(environment, org, role),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Merkle batches over HTTP against the real network', () => {
  it('records a batch in one transaction and serves per-record proofs that verify against the batch root; tampering fails', async () => {
    const ids = [unique('mb'), unique('mb'), unique('mb')];
    const recorded = await call(hospitalA, 'HospitalA', 'recorder', 'POST', '/batches', {
      records: ids.map((id, i) => interaction(id, `prompt number ${i}`)),
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ org: 'HospitalAMSP', size: 3, alreadyRecorded: [] });
    const batchId = String(recorded.body.batchId);
    expect(batchId).toBe(recorded.body.transactionId);
    expect(JSON.stringify(recorded.body)).not.toContain('prompt number');

    const header = await call(hospitalA, 'HospitalA', 'auditor', 'GET', `/batches/${batchId}`);
    expect(header.status).toBe(200);
    // Sent bare to HospitalA's app: qualified before the leaves were hashed, so the proofs below verify.
    expect(header.body).toMatchObject({
      batchId,
      root: recorded.body.root,
      size: 3,
      ids: ids.map((id) => `HospitalAMSP:${id}`),
    });

    for (const [index, id] of ids.entries()) {
      const answer = await call(hospitalA, 'HospitalA', 'auditor', 'GET', `/batched-interactions/${id}/proof`);
      expect(answer.status).toBe(200);
      const proof = parseRecordProof(answer.body);
      expect(proof.leafIndex).toBe(index);
      const ledgerBatch = { txId: batchId, root: String(header.body.root), size: Number(header.body.size) };
      expect(() => verifyRecordProof(proof.record, proof, ledgerBatch)).not.toThrow();
      const tampered = { ...(proof.record as Record<string, unknown>), latencyMs: 1 };
      expect(() => verifyRecordProof(tampered, proof, ledgerBatch)).toThrow(RecordProofError);
    }

    const repeat = await call(hospitalA, 'HospitalA', 'recorder', 'POST', '/batches', {
      records: ids.map((id, i) => interaction(id, `prompt number ${i}`)),
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ batchId, root: recorded.body.root, size: 3 });

    expect(
      (
        await call(hospitalA, 'HospitalA', 'consent-manager', 'POST', '/batches', {
          records: [interaction(unique('mb'), 'x')],
        })
      ).status,
    ).toBe(403);
    expect((await call(hospitalB, 'HospitalB', 'auditor', 'GET', `/batches/${batchId}`)).status).toBe(404);
  });

  it('reads batched records by id like any interaction, finds their batches by query, and keeps ids one namespace', async () => {
    const app = unique('batched-app');
    const ids = [unique('mq'), unique('mq')];
    const recorded = await call(hospitalA, 'HospitalA', 'recorder', 'POST', '/batches', {
      records: ids.map((id) => interaction(id, 'query me', app)),
    });
    expect(recorded.status).toBe(201);
    const batchId = String(recorded.body.batchId);

    const read = await call(hospitalA, 'HospitalA', 'auditor', 'GET', `/interactions/${ids[1] ?? ''}`);
    expect(read.status).toBe(200);
    expect(read.body.interaction).toMatchObject({
      id: `HospitalAMSP:${ids[1] ?? ''}`,
      applicationId: app,
      org: 'HospitalAMSP',
      txId: batchId,
      batchId,
      leafIndex: 1,
    });
    expect((await call(hospitalB, 'HospitalB', 'auditor', 'GET', `/interactions/${ids[0] ?? ''}`)).status).toBe(404);

    // Batch listings answer from the app's audit index: minBlock (the batch's block) waits until it holds the batch.
    const blockNumber = String(recorded.body.blockNumber);
    const page = await call(
      hospitalA,
      'HospitalA',
      'auditor',
      'GET',
      `/batches?by=applicationId&value=${app}&minBlock=${blockNumber}`,
    );
    expect(page.status).toBe(200);
    expect(Number(page.body.asOfBlock)).toBeGreaterThanOrEqual(Number(blockNumber));
    expect(page.body).toEqual({
      records: [
        {
          batchId,
          org: 'HospitalAMSP',
          recordedBy: expect.any(String) as string,
          txTime: recorded.body.txTime,
          size: 2,
          root: recorded.body.root,
          txId: batchId,
          blockNumber,
        },
      ],
      nextCursor: null,
      asOfBlock: page.body.asOfBlock,
    });
    // The batch's records are in interaction queries too, with their batch and leaf.
    const records = await call(
      hospitalA,
      'HospitalA',
      'auditor',
      'GET',
      `/interactions?by=applicationId&value=${app}&minBlock=${blockNumber}`,
    );
    expect(
      (records.body.records as { id: string; batchId: string; leafIndex: number }[])
        .map((record) => [record.id, record.batchId, record.leafIndex])
        .sort(),
    ).toEqual(ids.map((id, leaf) => [`HospitalAMSP:${id}`, batchId, leaf]).sort());
    const nobody = await call(
      hospitalA,
      'HospitalA',
      'auditor',
      'GET',
      `/batches?by=applicationId&value=${unique('nobody')}&minBlock=${blockNumber}`,
    );
    expect(nobody.body).toEqual({ records: [], nextCursor: null, asOfBlock: expect.any(String) as string });

    // One id, one record: the single-record route (whose requests are gathered into Merkle batches)
    // answers the same record again with the batch's stored record (200), and refuses a changed one.
    const repeat = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      '/interactions',
      interaction(ids[0] ?? '', 'query me', app),
    );
    expect(repeat.status).toBe(200);
    expect(repeat.body.interaction).toMatchObject({
      id: `HospitalAMSP:${ids[0] ?? ''}`,
      txId: batchId,
      batchId,
      leafIndex: 0,
    });
    const single = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      '/interactions',
      interaction(ids[0] ?? '', 'changed prompt', app),
    );
    expect(single.status).toBe(409);
    expect(JSON.stringify(single.body)).toContain('recorded in a batch');
  });
});
