import { readFileSync } from 'node:fs';
import { type GatewayProfile, LedgerBatchReader } from '@aal/application';
import { parseRecordProof, verifyRecordProof } from '@aal/ledger-contract';
import { NetworkLayout, REGULATOR } from '@aal/network';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { expectedTotals } from '../support/usage-totals';

/**
 * Single-record REST requests gathered into Merkle batches (`Batches:RecordBatch`) on the real
 * network: every request answered after its commit, counted by the audit index, provable against
 * the ledger, idempotent, conflicting replays refused.
 */
const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const regulator = environment.apps.Regulator ?? '';
const CHANNEL = 'hospital-a';
const BASE = `/api/v1/channels/${CHANNEL}`;
const layout = new NetworkLayout(testNetworkOptions());
const regulatorProfile = JSON.parse(readFileSync(layout.gatewayProfile(REGULATOR), 'utf8')) as GatewayProfile;

const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

interface Recorded {
  interaction: { id: string; txId: string; batchId?: string; leafIndex?: number; org: string };
  transactionId?: string;
  blockNumber?: string;
}

function interaction(id: string, applicationId: string, tokens: number): Record<string, unknown> {
  return {
    id,
    startTime: '2026-02-01T10:00:00Z',
    endTime: '2026-02-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: tokens, outputTokens: 7, cacheReadTokens: 0, source: 'provider' },
    cost: { status: 'priced', amountMinor: 3, currency: 'EUR' },
    latencyMs: 400,
    status: 'ok',
    applicationId,
    promptCommitment: `hmac-sha256:${'ab'.repeat(32)}`,
  };
}

async function post(org: string, body: unknown): Promise<{ status: number; body: Recorded }> {
  const response = await fetch(`${hospitalA}${BASE}/interactions`, {
    method: 'POST',
    headers: { ...bearer(environment, org, 'recorder'), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Recorded };
}

async function get(url: string, org: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, { headers: bearer(environment, org, 'auditor') });
  return { status: response.status, body: await response.json() };
}

describe('single POST /interactions gathered into Merkle batches', () => {
  const app = unique('gather-app');
  const N = 60;
  const records = Array.from({ length: N }, (_, index) => interaction(unique(`g${index}`), app, 100 + index));
  const answers: { status: number; body: Recorded }[] = [];

  beforeAll(async () => {
    answers.push(...(await Promise.all(records.map((record) => post('HospitalA', record)))));
  });

  it('answers every concurrent request 201 after its commit, with its batch and leaf; records share batches', () => {
    expect(answers.map((answer) => answer.status)).toEqual(records.map(() => 201));
    for (const [index, answer] of answers.entries()) {
      expect(answer.body.interaction).toMatchObject({
        id: `HospitalAMSP:${String(records[index]?.['id'])}`,
        org: 'HospitalAMSP',
        txId: answer.body.transactionId,
        batchId: answer.body.transactionId,
        leafIndex: expect.any(Number) as number,
      });
      expect(answer.body.blockNumber).toMatch(/^\d+$/);
    }
    expect(new Set(answers.map((answer) => answer.body.transactionId)).size).toBeLessThan(N);
    // Leaves of one batch are distinct and start at 0.
    const leavesByBatch = new Map<string, number[]>();
    for (const answer of answers) {
      const leaves = leavesByBatch.get(answer.body.interaction.batchId ?? '') ?? [];
      leaves.push(answer.body.interaction.leafIndex ?? -1);
      leavesByBatch.set(answer.body.interaction.batchId ?? '', leaves);
    }
    for (const leaves of leavesByBatch.values())
      expect(leaves.sort((a, b) => a - b)).toEqual(leaves.map((_, index) => index));
  });

  it("counts every gathered record in the Regulator's usage summary", async () => {
    const minBlock = Math.max(...answers.map((answer) => Number(answer.body.blockNumber)));
    const usage = await get(
      regulator,
      'Regulator',
      `${BASE}/audit/usage?by=applicationId&value=${app}&groupBy=model&minBlock=${minBlock}`,
    );
    expect(usage.status).toBe(200);
    expect((usage.body as { totals: unknown }).totals).toEqual(expectedTotals(records));
  });

  it('serves a proof for each record that verifies against the root read from the ledger', async () => {
    const reader = new LedgerBatchReader(regulatorProfile, 'auditor', CHANNEL);
    try {
      for (const answer of answers.slice(0, 12)) {
        const id = answer.body.interaction.id;
        const proofAnswer = await get(regulator, 'Regulator', `${BASE}/batched-interactions/${id}/proof`);
        expect(proofAnswer.status).toBe(200);
        const proof = parseRecordProof(proofAnswer.body);
        const ledgerBatch = await reader.batchOfRecord(id);
        expect(ledgerBatch).toMatchObject({ txId: answer.body.transactionId, validationCode: 'VALID' });
        expect(verifyRecordProof(proof.record, proof, ledgerBatch)).toMatchObject({
          txId: answer.body.transactionId,
          leafIndex: answer.body.interaction.leafIndex,
        });
      }
    } finally {
      reader.close();
    }
  });

  it('answers replays 200 with the stored record, conflicting replays 409 — also for one id twice in one gathered group', async () => {
    const replays = await Promise.all(records.slice(0, 5).map((record) => post('HospitalA', record)));
    for (const [index, replay] of replays.entries()) {
      expect(replay.status).toBe(200);
      expect(replay.body.interaction.txId).toBe(answers[index]?.body.transactionId);
    }
    const changed = await post('HospitalA', { ...records[0], latencyMs: 401 });
    expect(changed.status).toBe(409);

    // One new id three times at once (two identical, one changed), amid other new records.
    const twin = interaction(unique('twin'), app, 1);
    const group = [
      twin,
      interaction(unique('n1'), app, 2),
      twin,
      { ...twin, latencyMs: 999 },
      interaction(unique('n2'), app, 3),
    ];
    const outcomes = await Promise.all(group.map((record) => post('HospitalA', record)));
    const statuses = outcomes.map((outcome) => outcome.status);
    expect([statuses[1], statuses[4]]).toEqual([201, 201]);
    expect(statuses[3]).toBe(409);
    // Exactly one copy of the twin created it; the other is the repeat of it.
    expect([statuses[0], statuses[2]].sort()).toEqual([200, 201]);
    const created = outcomes[statuses[0] === 201 ? 0 : 2]?.body as Recorded;
    const repeat = outcomes[statuses[0] === 201 ? 2 : 0]?.body as Recorded;
    expect(repeat.interaction.txId).toBe(created.transactionId);
    const read = await get(regulator, 'Regulator', `${BASE}/interactions/HospitalAMSP:${String(twin['id'])}`);
    expect(read.body).toMatchObject({ interaction: { latencyMs: 400, batchId: created.transactionId } });
  });
});
