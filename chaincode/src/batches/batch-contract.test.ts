import {
  LIMITS,
  RecordProofError,
  merkleRoot,
  recordLeafBytes,
  recordLeafHash,
  sortedKeyJson,
  verifyRecordProof,
  type LedgerBatch,
  type RecordInclusionProof,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { ConsentContract } from '../consents/consent-contract';
import { InteractionContract } from '../interactions/interaction-contract';
import { SubjectsContract } from '../subjects/subjects-contract';
import { registerSubject } from '../testing/registered-subject';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { interactionInput, testReference } from '../testing/interaction-fixture';
import { toPreviousBatchLayout } from '../testing/previous-layout';
import { errorOf, refusalOf } from '../testing/refusal';
import { BatchesContract } from './batch-contract';

const batches = new BatchesContract();
const interactions = new InteractionContract();
const recorderA: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder', enrollmentId: 'app-recorder' };
const adminA: TestIdentity = { mspId: 'HospitalAMSP', role: 'admin' };
const consentManagerA: TestIdentity = { mspId: 'HospitalAMSP', role: 'consent-manager' };
const recorderP: TestIdentity = { mspId: 'AIProviderMSP', role: 'recorder' };
const auditor: TestIdentity = { mspId: 'RegulatorMSP', role: 'auditor' };

type Json = Record<string, unknown>;
interface Summary {
  batchId: string;
  org: string;
  txTime: string;
  root: string;
  size: number;
  alreadyRecorded: { index: number; id: string; batchId: string; leafIndex: number }[];
}
/** What GetInclusionProof answers: the record only for entries of the previous layout. */
type Proof = Omit<RecordInclusionProof, 'record'> & {
  record?: Json;
  batchId: string;
  org: string;
  txTime: string;
  consentCheck?: Json;
};
/** A lean proof completed with the record the reader took from the transaction, as the app does. */
const withRecord = (proof: Proof, record: Json): RecordInclusionProof => ({ ...proof, record });

const interaction = (id: string, overrides: Json = {}): Json => interactionInput(id, overrides);
const many = (count: number, prefix = 'HospitalAMSP:r'): Json[] =>
  Array.from({ length: count }, (_, i) =>
    interaction(`${prefix}-${i}`, { actorRef: testReference('actorRef', `actor-${i % 3}`) }),
  );

const recordBatch = async (
  ledger: InMemoryLedger,
  who: TestIdentity,
  records: unknown,
  txTime?: string,
): Promise<Summary> =>
  JSON.parse(
    await ledger.submit(who, (ctx) => batches.RecordBatch(ctx, JSON.stringify(records)), txTime ? { txTime } : {}),
  ) as Summary;
const evaluate = async <T = Json>(
  ledger: InMemoryLedger,
  who: TestIdentity,
  call: (ctx: Context) => Promise<string>,
): Promise<T> => JSON.parse(await ledger.evaluate(who, call)) as T;
const proofOf = (ledger: InMemoryLedger, who: TestIdentity, id: string): Promise<Proof> =>
  evaluate<Proof>(ledger, who, (ctx) => batches.GetInclusionProof(ctx, id));
const ledgerBatchOf = async (ledger: InMemoryLedger, batchId: string): Promise<LedgerBatch> => {
  const batch = await evaluate<{ batchId: string; root: string; size: number }>(ledger, auditor, (ctx) =>
    batches.GetBatch(ctx, batchId),
  );
  return { txId: batch.batchId, root: batch.root, size: batch.size };
};

/** Overwrites one committed key, as someone with write access to a peer's state database could. */
const tamper = (ledger: InMemoryLedger, key: string, value: string): Promise<void> =>
  ledger.submit(adminA, (ctx) => ctx.stub.putState(key, Buffer.from(value)));
const entryKey = (id: string): string => `\u0000batched-interaction\u0000${id}\u0000`;

describe('Batches: RecordBatch', () => {
  it('stores the batch with org, time and an RFC 6962 root over the canonical inputs, and returns only a summary', async () => {
    const ledger = new InMemoryLedger();
    const inputs = many(5);
    const summary = await recordBatch(ledger, recorderA, inputs, '2026-01-02T03:04:05.678Z');
    const expectedRoot = merkleRoot(inputs.map(recordLeafBytes)).toString('hex');
    expect(summary).toEqual({
      batchId: summary.batchId,
      org: 'HospitalAMSP',
      txTime: '2026-01-02T03:04:05.678Z',
      root: expectedRoot,
      size: 5,
      alreadyRecorded: [],
    });
    expect(summary.batchId).toMatch(/^[0-9a-f]{64}$/);
    const header = await evaluate(ledger, recorderA, (ctx) => batches.GetBatch(ctx, summary.batchId));
    expect(header).toEqual({
      batchId: summary.batchId,
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txTime: '2026-01-02T03:04:05.678Z',
      size: 5,
      root: expectedRoot,
      ids: ['HospitalAMSP:r-0', 'HospitalAMSP:r-1', 'HospitalAMSP:r-2', 'HospitalAMSP:r-3', 'HospitalAMSP:r-4'],
    });
  });

  it('leaf is the canonical JSON of the input: field order in the submission does not change the root', async () => {
    const ledger = new InMemoryLedger();
    const input = interaction('HospitalAMSP:x-1');
    const reversed = Object.fromEntries(Object.entries(input).reverse());
    const summary = await recordBatch(ledger, recorderA, [reversed]);
    expect(summary.root).toBe(merkleRoot([Buffer.from(sortedKeyJson(input))]).toString('hex'));
  });

  it('writes the header and one marker per record (place, leaf hash) — no record JSON, no index entries', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(100));
    const keys = ledger.keys();
    expect(keys.filter((key) => key.startsWith('\u0000batched-interaction\u0000'))).toHaveLength(100);
    expect(keys.filter((key) => key.startsWith('\u0000batch\u0000'))).toHaveLength(1);
    expect(keys).toHaveLength(100 + 1);
    expect(ledger.get(entryKey('HospitalAMSP:r-7'))).toBe(
      sortedKeyJson({
        batchId: summary.batchId,
        leafHash: recordLeafHash(
          interaction('HospitalAMSP:r-7', { actorRef: testReference('actorRef', 'actor-1') }),
        ).toString('hex'),
        leafIndex: 7,
      }),
    );
  });

  it('emits one BatchRecorded event with batchId, root, size and no violations', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(3));
    expect(ledger.events).toEqual([
      {
        name: 'BatchRecorded',
        payload: { batchId: summary.batchId, root: summary.root, size: 3, violations: [] },
        txId: summary.batchId,
      },
    ]);
  });

  it('stores a failing consent verdict per record, flags it, and emits ConsentViolation for the batch', async () => {
    const ledger = new InMemoryLedger();
    const flagged = interaction('HospitalAMSP:c-1', { subjectRef: 'subj-unknown', purpose: 'ai-inference' });
    const summary = await recordBatch(ledger, recorderA, [interaction('HospitalAMSP:c-0'), flagged]);
    const stored = await evaluate(ledger, recorderA, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:c-1'));
    const verdict = stored.consentCheck as { allowed: boolean; reason: string };
    expect(verdict.allowed).toBe(false);
    expect(verdict.reason).not.toBe('');
    expect(ledger.events).toEqual([
      {
        name: 'ConsentViolation',
        payload: {
          batchId: summary.batchId,
          root: summary.root,
          size: 2,
          violations: [{ id: 'HospitalAMSP:c-1', reason: verdict.reason }],
        },
        txId: summary.batchId,
      },
    ]);
    // The verdict is the ledger's, not part of the leaf: the root covers the input only.
    expect(summary.root).toBe(
      merkleRoot([interaction('HospitalAMSP:c-0'), flagged].map(recordLeafBytes)).toString('hex'),
    );
  });

  it('refuses the whole batch naming every failing index, and writes nothing', async () => {
    const ledger = new InMemoryLedger();
    const message = await errorOf(
      recordBatch(ledger, recorderA, [
        interaction('HospitalAMSP:ok-1'),
        interaction('HospitalAMSP:bad', { usage: { inputTokens: -1, outputTokens: 5, source: 'provider' } }),
        interaction('HospitalAMSP:ok-1'),
        { id: 'HospitalAMSP:x', extra: 1 },
      ]),
    );
    expect(message).toMatch(/^INVALID_ARGUMENT: /);
    expect(message).toContain('[1].usage.inputTokens');
    expect(message).toContain('[2].id: duplicates [0].id');
    expect(message).toContain('[3].extra: is not a known field');
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
  });

  it(`refuses empty batches, more than ${LIMITS.merkleBatchRecords} records and non-arrays`, async () => {
    const ledger = new InMemoryLedger();
    for (const records of [[], many(LIMITS.merkleBatchRecords + 1), { id: 'HospitalAMSP:x' }]) {
      expect(await errorOf(recordBatch(ledger, recorderA, records))).toBe(
        `INVALID_ARGUMENT: records: must be an array of 1 to ${LIMITS.merkleBatchRecords} interactions`,
      );
    }
    const bytes = await errorOf(
      ledger.submit(recorderA, (ctx) => batches.RecordBatch(ctx, `[${' '.repeat(2 * 1024 * 1024)}]`)),
    );
    expect(bytes).toBe('INVALID_ARGUMENT: records: must be at most 2097152 bytes of JSON');
  });

  it(`accepts a batch of ${LIMITS.merkleBatchRecords} records`, async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(LIMITS.merkleBatchRecords));
    expect(summary.size).toBe(LIMITS.merkleBatchRecords);
    const proof = await proofOf(ledger, auditor, `HospitalAMSP:r-${LIMITS.merkleBatchRecords - 1}`);
    // RFC 6962's unbalanced tree: leaf 0 sits 10 levels deep, the last leaf (of the 488-leaf right part) 8.
    expect((await proofOf(ledger, auditor, 'HospitalAMSP:r-0')).auditPath).toHaveLength(10);
    expect(proof.auditPath).toHaveLength(8);
    const last = many(LIMITS.merkleBatchRecords)[LIMITS.merkleBatchRecords - 1] as Json;
    expect(proof).not.toHaveProperty('record');
    expect(
      verifyRecordProof(last, withRecord(proof, last), await ledgerBatchOf(ledger, summary.batchId)).leafIndex,
    ).toBe(LIMITS.merkleBatchRecords - 1);
  });

  it('allows recorders and admins only', async () => {
    const ledger = new InMemoryLedger();
    expect((await recordBatch(ledger, adminA, many(1, 'HospitalAMSP:adm'))).size).toBe(1);
    for (const who of [consentManagerA, auditor, { mspId: 'HospitalAMSP' }]) {
      expect(await errorOf(recordBatch(ledger, who, many(1, 'HospitalAMSP:no')))).toMatch(/^ACCESS_DENIED: /);
    }
  });
});

describe('Batches: consent verdicts bound to the recording org; erased subjects refused', () => {
  const consents = new ConsentContract();
  const subjectRef = 'HospitalAMSP:subj-1';
  async function withConsents(...grants: Json[]): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await registerSubject(ledger, 'HospitalAMSP', subjectRef);
    const base = {
      subjectRef,
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'b'.repeat(64)}`,
    };
    for (const grant of grants)
      await ledger.submit(consentManagerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify({ ...base, ...grant })));
    return ledger;
  }
  const use = (id: string, applicationId: string): Json =>
    interaction(id, { applicationId, subjectRef, purpose: 'ai-inference' });
  const verdictOf = async (ledger: InMemoryLedger, who: TestIdentity, id: string): Promise<unknown> =>
    (await evaluate(ledger, who, (ctx) => batches.GetBatchedInteraction(ctx, id))).consentCheck;

  it('judges each record for the org and `<org>:<applicationId>`: a claimed application or MSP id borrows nothing, a deny on the app binds it', async () => {
    const ledger = await withConsents(
      { id: 'HospitalAMSP:c-app', grantees: ['HospitalAMSP:triage-app'] },
      { id: 'HospitalAMSP:c-hospital', grantees: ['HospitalAMSP'] },
      { id: 'HospitalAMSP:c-deny', grantees: ['HospitalAMSP:summary-app'], decision: 'deny' },
    );
    await recordBatch(ledger, recorderP, [
      use('AIProviderMSP:p-1', 'triage-app'),
      use('AIProviderMSP:p-2', 'HospitalAMSP'),
      use('AIProviderMSP:p-3', 'summary-app'),
    ]);
    for (const id of ['AIProviderMSP:p-1', 'AIProviderMSP:p-2', 'AIProviderMSP:p-3'])
      expect(await verdictOf(ledger, recorderP, id)).toMatchObject({ allowed: false });
    expect(await verdictOf(ledger, recorderP, 'AIProviderMSP:p-1')).toEqual({
      allowed: false,
      reason: 'no consent of the subject covers ai-inference for AIProviderMSP or AIProviderMSP:triage-app',
    });
    await recordBatch(ledger, recorderA, [
      use('HospitalAMSP:a-1', 'triage-app'),
      use('HospitalAMSP:a-2', 'summary-app'),
    ]);
    expect(await verdictOf(ledger, recorderA, 'HospitalAMSP:a-1')).toMatchObject({
      allowed: true,
      consentId: 'HospitalAMSP:c-app',
    });
    expect(await verdictOf(ledger, recorderA, 'HospitalAMSP:a-2')).toEqual({
      allowed: false,
      consentId: 'HospitalAMSP:c-deny',
      reason: 'consent HospitalAMSP:c-deny denies ai-inference for HospitalAMSP or HospitalAMSP:summary-app',
    });
  });

  it('refuses a batch with records naming an erased subject, naming each index, and writes nothing', async () => {
    const ledger = await withConsents({ id: 'HospitalAMSP:c-hospital', grantees: ['HospitalAMSP'] });
    const subjects = new SubjectsContract();
    await ledger.submit(adminA, (ctx) => subjects.EraseSubject(ctx, subjectRef));
    await ledger.submit(adminA, (ctx) => subjects.RecordErasureReceipt(ctx, subjectRef), {
      txTime: '2026-02-01T00:00:00.000Z',
    });
    const keysBefore = ledger.keys();
    const eventsBefore = ledger.events.length;
    const refused = await refusalOf(
      recordBatch(ledger, recorderA, [
        interaction('HospitalAMSP:r-0'),
        use('HospitalAMSP:r-1', 'triage-app'),
        use('HospitalAMSP:r-2', 'summary-app'),
      ]),
    );
    const reason = `subject ${subjectRef} was erased at 2026-02-01T00:00:00.000Z`;
    expect(refused).toEqual({
      code: 'PRECONDITION_FAILED',
      message: `records name erased subjects, whose data may no longer be used: [1].subjectRef: ${reason}; [2].subjectRef: ${reason}`,
      reasons: [
        { path: '[1].subjectRef', reason },
        { path: '[2].subjectRef', reason },
      ],
    });
    expect(ledger.keys()).toEqual(keysBefore);
    expect(ledger.events).toHaveLength(eventsBefore);
  });
});

describe('Batches: write-once and idempotency', () => {
  it('an exact replay writes nothing, emits nothing and returns the original summary', async () => {
    const ledger = new InMemoryLedger();
    const first = await recordBatch(ledger, recorderA, many(4));
    const before = ledger.keys().map((key) => [key, ledger.get(key)]);
    const again = await recordBatch(ledger, recorderA, many(4));
    expect(again).toEqual(first);
    expect(ledger.keys().map((key) => [key, ledger.get(key)])).toEqual(before);
    expect(ledger.events).toHaveLength(1);
  });

  it('records only the new records of a partly known batch, listing where the known ones are', async () => {
    const ledger = new InMemoryLedger();
    const first = await recordBatch(ledger, recorderA, many(3));
    const mixed = [interaction('HospitalAMSP:new-0'), ...many(3).slice(1, 2), interaction('HospitalAMSP:new-1')];
    const second = await recordBatch(ledger, recorderA, mixed);
    expect(second.size).toBe(2);
    expect(second.alreadyRecorded).toEqual([
      { index: 1, id: 'HospitalAMSP:r-1', batchId: first.batchId, leafIndex: 1 },
    ]);
    expect(second.root).toBe(
      merkleRoot([interaction('HospitalAMSP:new-0'), interaction('HospitalAMSP:new-1')].map(recordLeafBytes)).toString(
        'hex',
      ),
    );
    const moved = await evaluate(ledger, recorderA, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:new-1'));
    expect([moved.batchId, moved.leafIndex]).toEqual([second.batchId, 1]);
  });

  it('a known id with different content is CONFLICT for the whole batch, naming each index', async () => {
    const ledger = new InMemoryLedger();
    await recordBatch(ledger, recorderA, many(3));
    const changed = [
      interaction('HospitalAMSP:fresh'),
      interaction('HospitalAMSP:r-0', { latencyMs: 1 }),
      interaction('HospitalAMSP:r-2', { latencyMs: 2 }),
    ];
    const message = await errorOf(recordBatch(ledger, recorderA, changed));
    expect(message).toBe(
      'CONFLICT: [1] interaction HospitalAMSP:r-0 already exists with different content; [2] interaction HospitalAMSP:r-2 already exists with different content',
    );
    expect(ledger.keys().some((key) => key.endsWith('fresh\u0000'))).toBe(false);
  });

  it("another org's id is CONFLICT even with identical content: it is in that org's namespace", async () => {
    const ledger = new InMemoryLedger();
    await recordBatch(ledger, recorderA, many(1));
    expect(await errorOf(recordBatch(ledger, recorderP, many(1)))).toBe(
      "CONFLICT: [0].id: interaction id HospitalAMSP:r-0 belongs to HospitalAMSP: AIProviderMSP creates interactions only in its own namespace ('AIProviderMSP:…')",
    );
  });

  it('an id already recorded by Interactions is CONFLICT', async () => {
    const ledger = new InMemoryLedger();
    await ledger.submit(recorderA, (ctx) =>
      interactions.RecordInteraction(ctx, JSON.stringify(interaction('HospitalAMSP:single-1'))),
    );
    expect(await errorOf(recordBatch(ledger, recorderA, [interaction('HospitalAMSP:single-1')]))).toBe(
      'CONFLICT: [0] interaction HospitalAMSP:single-1 already exists (recorded by Interactions)',
    );
  });

  it('an id already batched is CONFLICT for Interactions too, alone or in its batch call, and nothing is written', async () => {
    const ledger = new InMemoryLedger();
    await recordBatch(ledger, recorderA, [interaction('HospitalAMSP:b-1')]);
    const keys = ledger.keys();
    expect(
      await errorOf(
        ledger.submit(recorderA, (ctx) =>
          interactions.RecordInteraction(ctx, JSON.stringify(interaction('HospitalAMSP:b-1'))),
        ),
      ),
    ).toBe('CONFLICT: interaction HospitalAMSP:b-1 already exists (recorded in a batch)');
    expect(
      await errorOf(
        ledger.submit(recorderA, (ctx) =>
          interactions.RecordInteractions(
            ctx,
            JSON.stringify([interaction('HospitalAMSP:s-1'), interaction('HospitalAMSP:b-1')]),
          ),
        ),
      ),
    ).toBe('CONFLICT: [1] interaction HospitalAMSP:b-1 already exists (recorded in a batch)');
    expect(ledger.keys()).toEqual(keys);
  });
});

describe('Batches: reads and access', () => {
  it('GetBatchedInteraction returns the locator of a lean record: batch, leaf index, leaf hash and the ledger fields, no record', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(3), '2026-02-01T00:00:00.000Z');
    const stored = await evaluate(ledger, recorderA, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-2'));
    expect(stored).toEqual({
      id: 'HospitalAMSP:r-2',
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txId: summary.batchId,
      txTime: '2026-02-01T00:00:00.000Z',
      batchId: summary.batchId,
      leafIndex: 2,
      leafHash: recordLeafHash(many(3)[2]).toString('hex'),
    });
  });

  it('GetBatchedInteraction and GetInteraction return a record of the previous layout as stored, with its batch and leaf index', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(3), '2026-02-01T00:00:00.000Z');
    await toPreviousBatchLayout(ledger, summary.batchId, many(3) as never);
    const expected = {
      ...many(3)[2],
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txId: summary.batchId,
      txTime: '2026-02-01T00:00:00.000Z',
      batchId: summary.batchId,
      leafIndex: 2,
    };
    expect(await evaluate(ledger, recorderA, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-2'))).toEqual(
      expected,
    );
    expect(await evaluate(ledger, auditor, (ctx) => interactions.GetInteraction(ctx, 'HospitalAMSP:r-2'))).toEqual(
      expected,
    );
    const proof = await proofOf(ledger, auditor, 'HospitalAMSP:r-2');
    expect(proof.record).toEqual(many(3)[2]);
    expect(
      verifyRecordProof(proof.record, proof as RecordInclusionProof, await ledgerBatchOf(ledger, summary.batchId)),
    ).toEqual({
      txId: summary.batchId,
      root: summary.root,
      leafIndex: 2,
      treeSize: 3,
    });
  });

  it('replays and conflicts are judged against records of the previous layout too', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(3));
    await toPreviousBatchLayout(ledger, summary.batchId, many(3) as never);
    const keys = ledger.keys();
    expect(await recordBatch(ledger, recorderA, many(3))).toEqual({ ...summary, alreadyRecorded: [] });
    expect(ledger.keys()).toEqual(keys);
    expect(await errorOf(recordBatch(ledger, recorderA, [interaction('HospitalAMSP:r-1', { latencyMs: 7 })]))).toBe(
      'CONFLICT: [0] interaction HospitalAMSP:r-1 already exists with different content',
    );
  });

  it('Interactions:GetInteraction answers batched records too (one id, one record), with the same access rules', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(2));
    await ledger.submit(recorderA, (ctx) =>
      interactions.RecordInteraction(ctx, JSON.stringify(interaction('HospitalAMSP:single-2'))),
    );
    const viaInteractions = await evaluate(ledger, auditor, (ctx) =>
      interactions.GetInteraction(ctx, 'HospitalAMSP:r-1'),
    );
    expect(viaInteractions).toEqual(
      await evaluate(ledger, auditor, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-1')),
    );
    expect(viaInteractions).toMatchObject({
      id: 'HospitalAMSP:r-1',
      batchId: summary.batchId,
      leafIndex: 1,
      txId: summary.batchId,
    });
    expect(
      await evaluate(ledger, recorderA, (ctx) => interactions.GetInteraction(ctx, 'HospitalAMSP:single-2')),
    ).not.toHaveProperty('batchId');
    expect(
      await errorOf(ledger.evaluate(recorderP, (ctx) => interactions.GetInteraction(ctx, 'HospitalAMSP:r-0'))),
    ).toMatch(/^ACCESS_DENIED: /);
    expect(await errorOf(ledger.evaluate(auditor, (ctx) => interactions.GetInteraction(ctx, 'nope')))).toBe(
      'NOT_FOUND: interaction nope does not exist',
    );
  });

  it('auditors read every org; other roles only their own org; unknown ids are NOT_FOUND', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(2));
    expect((await evaluate(ledger, auditor, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-0'))).id).toBe(
      'HospitalAMSP:r-0',
    );
    expect((await proofOf(ledger, consentManagerA, 'HospitalAMSP:r-1')).leafIndex).toBe(1);
    expect(
      await errorOf(ledger.evaluate(recorderP, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-0'))),
    ).toMatch(/^ACCESS_DENIED: /);
    expect(
      await errorOf(ledger.evaluate(recorderP, (ctx) => batches.GetInclusionProof(ctx, 'HospitalAMSP:r-0'))),
    ).toMatch(/^ACCESS_DENIED: /);
    expect(await errorOf(ledger.evaluate(recorderP, (ctx) => batches.GetBatch(ctx, summary.batchId)))).toMatch(
      /^ACCESS_DENIED: /,
    );
    expect(await errorOf(ledger.evaluate(auditor, (ctx) => batches.GetInclusionProof(ctx, 'nope')))).toBe(
      'NOT_FOUND: batched interaction nope does not exist',
    );
    expect(await errorOf(ledger.evaluate(auditor, (ctx) => batches.GetBatch(ctx, 'f'.repeat(64))))).toBe(
      `NOT_FOUND: batch ${'f'.repeat(64)} does not exist`,
    );
    expect(await errorOf(ledger.evaluate(auditor, (ctx) => batches.GetBatch(ctx, 'not-a-tx')))).toMatch(
      /^INVALID_ARGUMENT: batchId/,
    );
  });

  it('QueryBatches (previous layout only) finds batches by org and by a value inside them, newest first on request, own org only for non-auditors', async () => {
    const ledger = new InMemoryLedger();
    // Batches of the previous layout: the lean layout writes no batch index entries (queries are the audit index's).
    const previous = async (who: TestIdentity, records: Json[], txTime: string): Promise<Summary> => {
      const summary = await recordBatch(ledger, who, records, txTime);
      await toPreviousBatchLayout(ledger, summary.batchId, records as never);
      return summary;
    };
    const a1 = await previous(recorderA, many(2, 'HospitalAMSP:a1'), '2026-03-01T00:00:00.000Z');
    const a2 = await previous(
      recorderA,
      [interaction('HospitalAMSP:a2-0', { requestModel: 'claude-3' })],
      '2026-03-02T00:00:00.000Z',
    );
    const p1 = await previous(recorderP, many(1, 'AIProviderMSP:p1'), '2026-03-03T00:00:00.000Z');
    await recordBatch(ledger, recorderA, many(2, 'HospitalAMSP:lean'), '2026-03-04T00:00:00.000Z');
    type Page = { records: Json[]; bookmark: string };
    const query = (who: TestIdentity, filter: Json): Promise<Page> =>
      evaluate<Page>(ledger, who, (ctx) => batches.QueryBatches(ctx, JSON.stringify(filter)));
    const ids = (page: Page): unknown[] => page.records.map((record) => record.batchId);
    expect(ids(await query(recorderA, { by: 'org', value: 'HospitalAMSP' }))).toEqual([a1.batchId, a2.batchId]);
    expect(ids(await query(recorderA, { by: 'org', value: 'HospitalAMSP', order: 'desc' }))).toEqual([
      a2.batchId,
      a1.batchId,
    ]);
    expect(ids(await query(auditor, { by: 'requestModel', value: 'gpt-4o' }))).toEqual([a1.batchId, p1.batchId]);
    expect(ids(await query(recorderA, { by: 'requestModel', value: 'gpt-4o' }))).toEqual([a1.batchId]);
    expect(ids(await query(auditor, { by: 'requestModel', value: 'gpt-4o', from: '2026-03-02T00:00:00Z' }))).toEqual([
      p1.batchId,
    ]);
    expect(ids(await query(auditor, { by: 'actorRef', value: testReference('actorRef', 'actor-1') }))).toEqual([
      a1.batchId,
    ]);
    const page = await query(auditor, { by: 'org', value: 'HospitalAMSP', pageSize: 1 });
    expect(ids(page)).toEqual([a1.batchId]);
    expect(
      ids(await query(auditor, { by: 'org', value: 'HospitalAMSP', pageSize: 1, bookmark: page.bookmark })),
    ).toEqual([a2.batchId]);
    expect(page.records[0]).toEqual({
      batchId: a1.batchId,
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txTime: '2026-03-01T00:00:00.000Z',
      size: 2,
      root: a1.root,
    });
    expect(await errorOf(query(recorderA, { by: 'org', value: 'AIProviderMSP' }))).toMatch(/^ACCESS_DENIED: /);
  });

  it('an empty range answers an empty page (the shim gives no pagination metadata then)', async () => {
    const ledger = new InMemoryLedger();
    await recordBatch(ledger, recorderA, many(1));
    const filter = JSON.stringify({ by: 'requestModel', value: 'no-such-model' });
    expect(await evaluate(ledger, auditor, (ctx) => batches.QueryBatches(ctx, filter))).toEqual({
      records: [],
      bookmark: '',
    });
    expect(await evaluate(ledger, auditor, (ctx) => interactions.QueryInteractions(ctx, filter))).toEqual({
      records: [],
      bookmark: '',
    });
  });
});

describe('Batches: inclusion proofs', () => {
  it('every record of batches of 1 to 9 records has a proof that verifies against the root read from the ledger', async () => {
    const ledger = new InMemoryLedger();
    for (let size = 1; size <= 9; size++) {
      const summary = await recordBatch(ledger, recorderA, many(size, `HospitalAMSP:s${size}`));
      const onLedger = await ledgerBatchOf(ledger, summary.batchId);
      for (let i = 0; i < size; i++) {
        const proof = await proofOf(ledger, auditor, `HospitalAMSP:s${size}-${i}`);
        expect([proof.leafIndex, proof.treeSize, proof.root, proof.txId]).toEqual([
          i,
          size,
          summary.root,
          summary.batchId,
        ]);
        const record = many(size, `HospitalAMSP:s${size}`)[i] as Json;
        expect(verifyRecordProof(record, withRecord(proof, record), onLedger)).toEqual({
          txId: summary.batchId,
          root: summary.root,
          leafIndex: i,
          treeSize: size,
        });
      }
    }
  });

  it("a proof from one batch does not verify against another batch's root", async () => {
    const ledger = new InMemoryLedger();
    await recordBatch(ledger, recorderA, many(4, 'HospitalAMSP:x'));
    const other = await recordBatch(ledger, recorderA, many(4, 'HospitalAMSP:y'));
    const proof = await proofOf(ledger, auditor, 'HospitalAMSP:x-1');
    let error: unknown;
    try {
      const record = many(4, 'HospitalAMSP:x')[1] as Json;
      verifyRecordProof(record, withRecord(proof, record), { txId: proof.txId, root: other.root, size: 4 });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RecordProofError);
    expect((error as RecordProofError).code).toBe('ROOT_MISMATCH');
  });

  it('a tampered leaf hash is detected: the chaincode refuses to prove it and the true record no longer matches it', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(4));
    const record = many(4)[2] as Json;
    const honest = withRecord(await proofOf(ledger, auditor, 'HospitalAMSP:r-2'), record);
    const marker = JSON.parse(ledger.get(entryKey('HospitalAMSP:r-2')) ?? '{}') as Json;
    const forged = recordLeafHash({ ...record, latencyMs: 1 }).toString('hex');
    await tamper(ledger, entryKey('HospitalAMSP:r-2'), sortedKeyJson({ ...marker, leafHash: forged }));
    expect(await errorOf(proofOf(ledger, auditor, 'HospitalAMSP:r-2'))).toBe(
      `PRECONDITION_FAILED: batch ${summary.batchId}: the stored records do not hash to the stored root`,
    );
    const located = await evaluate(ledger, auditor, (ctx) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-2'));
    expect(located.leafHash).toBe(forged);
    const onLedger = { txId: summary.batchId, root: summary.root, size: 4 };
    expect(() => verifyRecordProof(record, { ...honest, leafHash: forged }, onLedger)).toThrow(/^LEAF_MISMATCH: /);
    expect(verifyRecordProof(record, honest, onLedger).leafIndex).toBe(2);
  });

  it('a tampered stored record of the previous layout is detected: the chaincode refuses to prove it and the old proof no longer matches it', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(4));
    await toPreviousBatchLayout(ledger, summary.batchId, many(4) as never);
    const honest = await proofOf(ledger, auditor, 'HospitalAMSP:r-2');
    const stored = JSON.parse(ledger.get(entryKey('HospitalAMSP:r-2')) ?? '{}') as { record: Json };
    await tamper(
      ledger,
      entryKey('HospitalAMSP:r-2'),
      sortedKeyJson({ ...stored, record: { ...stored.record, latencyMs: 1 } }),
    );
    expect(await errorOf(proofOf(ledger, auditor, 'HospitalAMSP:r-2'))).toBe(
      `PRECONDITION_FAILED: batch ${summary.batchId}: the stored records do not hash to the stored root`,
    );
    const tamperedRecord = await evaluate(ledger, auditor, (ctx) =>
      batches.GetBatchedInteraction(ctx, 'HospitalAMSP:r-2'),
    );
    const {
      org: _o,
      recordedBy: _r,
      txId: _t,
      txTime: _tt,
      batchId: _b,
      leafIndex: _l,
      ...asSubmitted
    } = tamperedRecord;
    expect(() =>
      verifyRecordProof(asSubmitted, honest as RecordInclusionProof, {
        txId: summary.batchId,
        root: summary.root,
        size: 4,
      }),
    ).toThrow(/^LEAF_MISMATCH: /);
  });

  it('a deleted or misplaced record entry makes the chaincode refuse the proof', async () => {
    const ledger = new InMemoryLedger();
    await recordBatch(ledger, recorderA, many(4));
    await ledger.submit(adminA, (ctx) => ctx.stub.deleteState(entryKey('HospitalAMSP:r-3')));
    expect(await errorOf(proofOf(ledger, auditor, 'HospitalAMSP:r-1'))).toMatch(
      /^PRECONDITION_FAILED: batch [0-9a-f]{64}: the stored records do not hash to the stored root$/,
    );
    const moved = JSON.parse(ledger.get(entryKey('HospitalAMSP:r-2')) ?? '{}') as Json;
    await tamper(ledger, entryKey('HospitalAMSP:r-2'), sortedKeyJson({ ...moved, leafIndex: 0 }));
    expect(await errorOf(proofOf(ledger, auditor, 'HospitalAMSP:r-2'))).toMatch(
      /^PRECONDITION_FAILED: batch [0-9a-f]{64} does not hold HospitalAMSP:r-2 at leaf 0$/,
    );
  });

  it('a tampered stored root makes every honest proof fail with ROOT_MISMATCH', async () => {
    const ledger = new InMemoryLedger();
    const summary = await recordBatch(ledger, recorderA, many(3));
    const proof = await proofOf(ledger, auditor, 'HospitalAMSP:r-0');
    const header = JSON.parse(ledger.get(`\u0000batch\u0000${summary.batchId}\u0000`) ?? '{}') as Json;
    await tamper(
      ledger,
      `\u0000batch\u0000${summary.batchId}\u0000`,
      sortedKeyJson({ ...header, root: 'a'.repeat(64) }),
    );
    expect(() =>
      verifyRecordProof(many(3)[0], withRecord(proof, many(3)[0] as Json), {
        txId: summary.batchId,
        root: 'a'.repeat(64),
        size: 3,
      }),
    ).toThrow(/^ROOT_MISMATCH: /);
    expect(await errorOf(proofOf(ledger, auditor, 'HospitalAMSP:r-0'))).toMatch(/^PRECONDITION_FAILED: /);
  });
});
