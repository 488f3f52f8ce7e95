import type { Context } from 'fabric-contract-api';
import { BatchesContract } from '../batches/batch-contract';
import { ConsentContract } from '../consents/consent-contract';
import { SubjectsContract } from '../subjects/subjects-contract';
import { registerSubject } from '../testing/registered-subject';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { errorOf, refusalOf } from '../testing/refusal';
import { InteractionContract } from './interaction-contract';
import { interactionInput, TEST_COMMITMENT, testReference } from '../testing/interaction-fixture';
import { addPreviousInteractionIndexes } from '../testing/previous-layout';
import type { StoredInteraction } from '@aal/ledger-contract';

const contract = new InteractionContract();
const consents = new ConsentContract();
const recorderA: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder' };
const adminA: TestIdentity = { mspId: 'HospitalAMSP', role: 'admin' };
const managerA: TestIdentity = { mspId: 'HospitalAMSP', role: 'consent-manager' };
const recorderP: TestIdentity = { mspId: 'AIProviderMSP', role: 'recorder' };
const auditor: TestIdentity = { mspId: 'RegulatorMSP', role: 'auditor' };
const auditorA: TestIdentity = { mspId: 'HospitalAMSP', role: 'auditor' };
const peer: TestIdentity = { mspId: 'HospitalAMSP' };
const COMMITMENT = TEST_COMMITMENT;

type Json = Record<string, unknown>;
type Stored = Json & { id: string; org: string; txTime: string; txId: string; consentCheck?: Json };

const interaction = (overrides: Json = {}): Json => interactionInput('HospitalAMSP:i-1', overrides);

const record = async (ledger: InMemoryLedger, who: TestIdentity, input: Json, txTime?: string): Promise<Stored> =>
  JSON.parse(
    await ledger.submit(who, (ctx) => contract.RecordInteraction(ctx, JSON.stringify(input)), txTime ? { txTime } : {}),
  ) as Stored;
/** Records as the previous layout did: with its query index entries (what QueryInteractions still reads). */
const recordPreviousLayout = async (
  ledger: InMemoryLedger,
  who: TestIdentity,
  input: Json,
  txTime?: string,
): Promise<Stored> => {
  const stored = await record(ledger, who, input, txTime);
  await addPreviousInteractionIndexes(ledger, [stored as unknown as StoredInteraction]);
  return stored;
};
const recordBatch = async (
  ledger: InMemoryLedger,
  who: TestIdentity,
  inputs: unknown,
  txTime?: string,
): Promise<Stored[]> =>
  (
    JSON.parse(
      await ledger.submit(
        who,
        (ctx) => contract.RecordInteractions(ctx, JSON.stringify(inputs)),
        txTime ? { txTime } : {},
      ),
    ) as { records: Stored[] }
  ).records;
const evaluate = async <T = Json>(
  ledger: InMemoryLedger,
  who: TestIdentity,
  call: (ctx: Context) => Promise<string>,
  txTime?: string,
): Promise<T> => JSON.parse(await ledger.evaluate(who, call, txTime ? { txTime } : {})) as T;
const query = async (
  ledger: InMemoryLedger,
  who: TestIdentity,
  filter: Json,
): Promise<{ records: Stored[]; bookmark: string }> =>
  evaluate(ledger, who, (ctx) => contract.QueryInteractions(ctx, JSON.stringify(filter)));

const snapshot = (ledger: InMemoryLedger): [string, string | undefined][] =>
  ledger.keys().map((key) => [key, ledger.get(key)]);

describe('Interactions: RecordInteraction', () => {
  it('stores the record with org and recorder from the certificate and tx id/time from the transaction, writes one key and no query index entry, and emits InteractionRecorded', async () => {
    const ledger = new InMemoryLedger();
    const stored = await record(
      ledger,
      recorderA,
      interaction({ actorRef: testReference('actorRef', 'actor-1') }),
      '2026-01-01T10:00:02.000Z',
    );
    expect(stored).toEqual({
      ...interaction({ actorRef: testReference('actorRef', 'actor-1') }),
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txId: stored.txId,
      txTime: '2026-01-01T10:00:02.000Z',
    });
    expect(JSON.parse(ledger.get('\u0000interaction\u0000HospitalAMSP:i-1\u0000') ?? '{}')).toEqual(stored);
    // Queries are the audit index's (from the blocks): the record's key is all the chaincode writes.
    expect(ledger.keys()).toEqual(['\u0000interaction\u0000HospitalAMSP:i-1\u0000']);
    expect(ledger.events).toEqual([
      { name: 'InteractionRecorded', payload: { ids: ['HospitalAMSP:i-1'], violations: [] }, txId: stored.txId },
    ]);
  });

  it.each([managerA, auditor, auditorA, peer])('refuses to record for %p and writes nothing', async (who) => {
    const ledger = new InMemoryLedger();
    expect(await errorOf(record(ledger, who, interaction()))).toMatch(/^ACCESS_DENIED: /);
    expect(ledger.keys()).toEqual([]);
  });

  it('lets an admin record, and refuses an org given in input', async () => {
    const ledger = new InMemoryLedger();
    expect((await record(ledger, adminA, interaction())).org).toBe('HospitalAMSP');
    expect(await errorOf(record(ledger, recorderP, interaction({ id: 'HospitalAMSP:i-2', org: 'HospitalAMSP' })))).toBe(
      'INVALID_ARGUMENT: org: is not a known field',
    );
  });

  it('refuses prototype keys, malformed JSON and oversized records', async () => {
    const ledger = new InMemoryLedger();
    const polluted = JSON.stringify(interaction()).replace('"usage":{', '"usage":{"__proto__":{"x":1},');
    expect(await errorOf(ledger.submit(recorderA, (ctx) => contract.RecordInteraction(ctx, polluted)))).toBe(
      "INVALID_ARGUMENT: record: must not contain the key '__proto__'",
    );
    expect(await errorOf(ledger.submit(recorderA, (ctx) => contract.RecordInteraction(ctx, '{"id":')))).toBe(
      'INVALID_ARGUMENT: record: must be valid JSON',
    );
    expect(
      await errorOf(
        record(
          ledger,
          recorderA,
          interaction({
            tags: Array.from({ length: 30 }, (_, i) => testReference('tags', `t${i}`)),
            padding: 'x'.repeat(16_000),
          }),
        ),
      ),
    ).toBe('INVALID_ARGUMENT: record: must be at most 16384 bytes of JSON');
    expect(ledger.keys()).toEqual([]);
  });

  it('is write-once and idempotent: same content returns the stored record and writes nothing; different content or another org is CONFLICT', async () => {
    const ledger = new InMemoryLedger();
    const first = await record(ledger, recorderA, interaction());
    const before = snapshot(ledger);
    const reordered = Object.fromEntries(Object.entries(interaction()).reverse());
    expect(await record(ledger, recorderA, reordered)).toEqual(first);
    expect(snapshot(ledger)).toEqual(before);
    expect(ledger.events).toHaveLength(1);
    expect(await errorOf(record(ledger, recorderA, interaction({ latencyMs: 1001 })))).toBe(
      'CONFLICT: interaction HospitalAMSP:i-1 already exists with different content',
    );
    // Another org cannot even try the id: it is in HospitalA's namespace (judged before any read).
    expect(await errorOf(record(ledger, recorderP, interaction()))).toBe(
      "CONFLICT: id: interaction id HospitalAMSP:i-1 belongs to HospitalAMSP: AIProviderMSP creates interactions only in its own namespace ('AIProviderMSP:…')",
    );
    expect(snapshot(ledger)).toEqual(before);
  });

  it('writes byte-identical state for the same input in a different key order', async () => {
    const one = new InMemoryLedger();
    const two = new InMemoryLedger();
    await record(
      one,
      recorderA,
      interaction({
        tags: [testReference('tags', 'a')],
        usage: { source: 'provider', outputTokens: 5, inputTokens: 10 },
      }),
    );
    await record(
      two,
      recorderA,
      Object.fromEntries(
        Object.entries(
          interaction({
            usage: { inputTokens: 10, outputTokens: 5, source: 'provider' },
            tags: [testReference('tags', 'a')],
          }),
        ).reverse(),
      ),
    );
    expect(snapshot(two)).toEqual(snapshot(one));
  });
});

describe('Interactions: RecordInteractions (batch)', () => {
  it('stores every record in one transaction with one event listing the ids', async () => {
    const ledger = new InMemoryLedger();
    const stored = await recordBatch(ledger, recorderA, [
      interaction({ id: 'HospitalAMSP:b-1' }),
      interaction({ id: 'HospitalAMSP:b-2' }),
    ]);
    expect(stored.map((entry) => entry.id)).toEqual(['HospitalAMSP:b-1', 'HospitalAMSP:b-2']);
    expect(new Set(stored.map((entry) => entry.txId)).size).toBe(1);
    expect(ledger.events).toEqual([
      {
        name: 'InteractionRecorded',
        payload: { ids: ['HospitalAMSP:b-1', 'HospitalAMSP:b-2'], violations: [] },
        txId: stored[0]?.txId,
      },
    ]);
  });

  it('refuses the whole batch naming the index of every failing record, duplicates included', async () => {
    const ledger = new InMemoryLedger();
    const batch = [
      interaction({ id: 'HospitalAMSP:b-0' }),
      interaction({ id: 'HospitalAMSP:b-1', cost: { status: 'unpriced', amountMinor: 0 } }),
      interaction({ id: 'HospitalAMSP:b-2' }),
      interaction({ id: 'HospitalAMSP:b-3', usage: { inputTokens: -1, outputTokens: 0, source: 'provider' } }),
      interaction({ id: 'HospitalAMSP:b-2' }),
      { id: 'HospitalAMSP:b-5', extra: true },
    ];
    const refusal = await refusalOf(recordBatch(ledger, recorderA, batch));
    expect(refusal.code).toBe('INVALID_ARGUMENT');
    expect(refusal.violations?.slice(0, 4)).toEqual([
      { path: '[1].cost.amountMinor', rule: 'must be absent when cost.status is unpriced' },
      { path: '[3].usage.inputTokens', rule: 'must be at least 0' },
      { path: '[4].id', rule: 'duplicates [2].id' },
      { path: '[5].startTime', rule: 'is required' },
    ]);
    expect(refusal.violations).toContainEqual({ path: '[5].status', rule: 'is required' });
    expect(refusal.violations).toContainEqual({ path: '[5].extra', rule: 'is not a known field' });
    expect(refusal.violations?.filter((violation) => /^\[(0|2)\]/.test(violation.path))).toEqual([]);
    expect(refusal.message).toMatch(
      /^\[1\]\.cost\.amountMinor: must be absent when cost\.status is unpriced; \[3\]\.usage\.inputTokens: must be at least 0; /,
    );
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
  });

  it('bounds the batch: 1 to 500 records, at most 1 MB', async () => {
    const ledger = new InMemoryLedger();
    expect(await errorOf(recordBatch(ledger, recorderA, []))).toBe(
      'INVALID_ARGUMENT: records: must be an array of 1 to 500 interactions',
    );
    expect(await errorOf(recordBatch(ledger, recorderA, { records: [] }))).toBe(
      'INVALID_ARGUMENT: records: must be an array of 1 to 500 interactions',
    );
    const many = Array.from({ length: 501 }, (_, index) => interaction({ id: `HospitalAMSP:m-${index}` }));
    expect(await errorOf(recordBatch(ledger, recorderA, many))).toBe(
      'INVALID_ARGUMENT: records: must be an array of 1 to 500 interactions',
    );
    const big = Array.from({ length: 500 }, (_, index) =>
      interaction({
        id: `HospitalAMSP:big-${index}`,
        tags: Array.from({ length: 32 }, (_, tag) => testReference('tags', `t-${tag}`)),
      }),
    );
    expect(await errorOf(recordBatch(ledger, recorderA, big))).toBe(
      'INVALID_ARGUMENT: records: must be at most 1048576 bytes of JSON',
    );
    expect(await recordBatch(ledger, recorderA, many.slice(0, 500))).toHaveLength(500);
  });

  it('returns already stored records unchanged, stores the new ones, and refuses the batch on any conflict naming its index', async () => {
    const ledger = new InMemoryLedger();
    const old = await record(ledger, recorderA, interaction({ id: 'HospitalAMSP:old' }));
    const stored = await recordBatch(ledger, recorderA, [
      interaction({ id: 'HospitalAMSP:old' }),
      interaction({ id: 'HospitalAMSP:new' }),
    ]);
    expect(stored[0]).toEqual(old);
    expect(ledger.events.at(-1)?.payload).toEqual({ ids: ['HospitalAMSP:new'], violations: [] });
    const before = snapshot(ledger);
    expect(
      await errorOf(
        recordBatch(ledger, recorderA, [
          interaction({ id: 'HospitalAMSP:fresh' }),
          interaction({ id: 'HospitalAMSP:old', latencyMs: 7 }),
        ]),
      ),
    ).toBe('CONFLICT: [1] interaction HospitalAMSP:old already exists with different content');
    expect(snapshot(ledger)).toEqual(before);
  });
});

describe('Interactions: consent verdict at commit time', () => {
  async function withConsent(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    const consent = {
      id: 'HospitalAMSP:c-1',
      subjectRef: 'HospitalAMSP:subj-1',
      grantees: ['HospitalAMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z', end: '2026-03-01T00:00:00Z' },
      policyCommitment: COMMITMENT,
    };
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    await ledger.submit(managerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify(consent)));
    await ledger.submit(managerA, (ctx) =>
      consents.GrantConsent(
        ctx,
        JSON.stringify({ ...consent, id: 'HospitalAMSP:c-app', grantees: ['AIProviderMSP:summary-app'] }),
      ),
    );
    return ledger;
  }

  it('stores an allowed verdict naming the consent', async () => {
    const ledger = await withConsent();
    const stored = await record(
      ledger,
      recorderA,
      interaction({ subjectRef: 'HospitalAMSP:subj-1', purpose: 'ai-inference' }),
    );
    expect(stored.consentCheck).toEqual({
      allowed: true,
      consentId: 'HospitalAMSP:c-1',
      reason: 'consent HospitalAMSP:c-1 permits ai-inference for HospitalAMSP or HospitalAMSP:triage-app',
    });
    expect(ledger.events.at(-1)?.name).toBe('InteractionRecorded');
  });

  it('accepts a consent granted to the recording org’s application (`<MSP id>:<applicationId>`) rather than the org', async () => {
    const ledger = await withConsent();
    const stored = await record(
      ledger,
      recorderP,
      interaction({
        id: 'AIProviderMSP:i-app',
        applicationId: 'summary-app',
        subjectRef: 'HospitalAMSP:subj-1',
        purpose: 'ai-inference',
      }),
    );
    expect(stored.consentCheck).toMatchObject({ allowed: true, consentId: 'HospitalAMSP:c-app' });
  });

  it('keeps a record whose check fails, flags it, and emits ConsentViolation with the reason', async () => {
    const ledger = await withConsent();
    const stored = await recordBatch(
      ledger,
      recorderA,
      [
        interaction({ id: 'HospitalAMSP:ok-1', subjectRef: 'HospitalAMSP:subj-1', purpose: 'ai-inference' }),
        interaction({ id: 'HospitalAMSP:bad-1', subjectRef: 'HospitalAMSP:subj-1', purpose: 'model-training' }),
        interaction({ id: 'HospitalAMSP:bad-2', consentId: 'HospitalAMSP:c-1', purpose: 'ai-inference' }),
        interaction({ id: 'HospitalAMSP:none' }),
      ],
      '2026-04-01T00:00:00.000Z',
    );
    expect(stored.map((entry) => entry.consentCheck)).toEqual([
      {
        allowed: false,
        reason:
          'no active consent of the subject covers ai-inference for HospitalAMSP or HospitalAMSP:triage-app (HospitalAMSP:c-1 is expired)',
      },
      {
        allowed: false,
        reason: 'no consent of the subject covers model-training for HospitalAMSP or HospitalAMSP:triage-app',
      },
      {
        allowed: false,
        consentId: 'HospitalAMSP:c-1',
        reason: 'consent HospitalAMSP:c-1 is expired at 2026-04-01T00:00:00.000Z',
      },
      undefined,
    ]);
    expect(JSON.parse(ledger.get('\u0000interaction\u0000HospitalAMSP:bad-1\u0000') ?? '{}')).toMatchObject({
      consentCheck: { allowed: false },
    });
    expect(ledger.events.at(-1)).toEqual({
      name: 'ConsentViolation',
      payload: {
        ids: ['HospitalAMSP:ok-1', 'HospitalAMSP:bad-1', 'HospitalAMSP:bad-2', 'HospitalAMSP:none'],
        violations: [
          {
            id: 'HospitalAMSP:ok-1',
            reason:
              'no active consent of the subject covers ai-inference for HospitalAMSP or HospitalAMSP:triage-app (HospitalAMSP:c-1 is expired)',
          },
          {
            id: 'HospitalAMSP:bad-1',
            reason: 'no consent of the subject covers model-training for HospitalAMSP or HospitalAMSP:triage-app',
          },
          { id: 'HospitalAMSP:bad-2', reason: 'consent HospitalAMSP:c-1 is expired at 2026-04-01T00:00:00.000Z' },
        ],
      },
      txId: stored[0]?.txId,
    });
  });

  it('refuses after revocation and lets a deny win over a permit', async () => {
    const ledger = await withConsent();
    await ledger.submit(managerA, (ctx) =>
      consents.GrantConsent(
        ctx,
        JSON.stringify({
          id: 'HospitalAMSP:c-deny',
          subjectRef: 'HospitalAMSP:subj-1',
          grantees: ['HospitalAMSP:triage-app'],
          decision: 'deny',
          purposes: ['ai-inference'],
          period: { start: '2026-01-01T00:00:00Z' },
          policyCommitment: COMMITMENT,
        }),
      ),
    );
    const stored = await record(
      ledger,
      recorderA,
      interaction({ subjectRef: 'HospitalAMSP:subj-1', consentId: 'HospitalAMSP:c-1', purpose: 'ai-inference' }),
    );
    expect(stored.consentCheck).toEqual({
      allowed: false,
      consentId: 'HospitalAMSP:c-deny',
      reason: 'consent HospitalAMSP:c-deny denies ai-inference for HospitalAMSP or HospitalAMSP:triage-app',
    });
  });
});

describe('Interactions: a consent is judged for the recording org, never for a claimed application', () => {
  const subjectRef = 'HospitalAMSP:subj-1';
  async function withConsents(...grants: Json[]): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await registerSubject(ledger, 'HospitalAMSP', subjectRef);
    const base = {
      subjectRef,
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z' },
      policyCommitment: COMMITMENT,
    };
    for (const grant of grants)
      await ledger.submit(managerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify({ ...base, ...grant })));
    return ledger;
  }
  const use = (id: string, applicationId: string): Json =>
    interaction({ id, applicationId, subjectRef, purpose: 'ai-inference' });

  it('another member recording under the hospital’s application name, or under an MSP id, borrows nothing', async () => {
    const ledger = await withConsents(
      { id: 'HospitalAMSP:c-hospital-app', grantees: ['HospitalAMSP:triage-app'] },
      { id: 'HospitalAMSP:c-hospital', grantees: ['HospitalAMSP'] },
    );
    const stored = await recordBatch(ledger, recorderP, [
      use('AIProviderMSP:p-1', 'triage-app'),
      use('AIProviderMSP:p-2', 'HospitalAMSP'),
      use('AIProviderMSP:p-3', 'HospitalAMSP:triage-app'),
    ]);
    expect(stored.map((entry) => entry.consentCheck)).toEqual([
      {
        allowed: false,
        reason: 'no consent of the subject covers ai-inference for AIProviderMSP or AIProviderMSP:triage-app',
      },
      {
        allowed: false,
        reason: 'no consent of the subject covers ai-inference for AIProviderMSP or AIProviderMSP:HospitalAMSP',
      },
      {
        allowed: false,
        reason:
          'no consent of the subject covers ai-inference for AIProviderMSP or AIProviderMSP:HospitalAMSP:triage-app',
      },
    ]);
    expect(ledger.events.at(-1)?.name).toBe('ConsentViolation');
    // The hospital itself is covered, through its application and as an org.
    expect((await record(ledger, recorderA, use('HospitalAMSP:a-1', 'triage-app'))).consentCheck).toMatchObject({
      allowed: true,
      consentId: 'HospitalAMSP:c-hospital',
    });
  });

  it('a bare application id in a consent matches nobody', async () => {
    const ledger = await withConsents({ id: 'HospitalAMSP:c-bare', grantees: ['triage-app'] });
    expect((await record(ledger, recorderA, use('HospitalAMSP:a-1', 'triage-app'))).consentCheck).toEqual({
      allowed: false,
      reason: 'no consent of the subject covers ai-inference for HospitalAMSP or HospitalAMSP:triage-app',
    });
    expect((await record(ledger, recorderP, use('AIProviderMSP:p-1', 'triage-app'))).consentCheck).toMatchObject({
      allowed: false,
    });
  });

  it('a deny naming the hospital’s application binds that application and cannot be dodged by another org’s recording claiming it', async () => {
    const ledger = await withConsents(
      { id: 'HospitalAMSP:c-permit', grantees: ['HospitalAMSP', 'AIProviderMSP'] },
      { id: 'HospitalAMSP:c-deny', grantees: ['HospitalAMSP:triage-app'], decision: 'deny' },
    );
    expect((await record(ledger, recorderA, use('HospitalAMSP:a-1', 'triage-app'))).consentCheck).toEqual({
      allowed: false,
      consentId: 'HospitalAMSP:c-deny',
      reason: 'consent HospitalAMSP:c-deny denies ai-inference for HospitalAMSP or HospitalAMSP:triage-app',
    });
    expect((await record(ledger, recorderA, use('HospitalAMSP:a-2', 'summary-app'))).consentCheck).toMatchObject({
      allowed: true,
      consentId: 'HospitalAMSP:c-permit',
    });
    // The provider's own use is judged for the provider: the hospital app's deny is not the provider's.
    expect((await record(ledger, recorderP, use('AIProviderMSP:p-1', 'triage-app'))).consentCheck).toMatchObject({
      allowed: true,
      consentId: 'HospitalAMSP:c-permit',
    });
  });
});

describe('Interactions: "now" is the state read at commit', () => {
  it('a consent revoked in state is revoked for a recording whose timestamp is earlier than the revocation', async () => {
    const ledger = new InMemoryLedger();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    const consent = {
      id: 'HospitalAMSP:c-1',
      subjectRef: 'HospitalAMSP:subj-1',
      grantees: ['HospitalAMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z' },
      policyCommitment: COMMITMENT,
    };
    await ledger.submit(managerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify(consent)), {
      txTime: '2026-02-01T00:00:00.000Z',
    });
    await ledger.submit(managerA, (ctx) => consents.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'subject-request'), {
      txTime: '2026-03-01T00:00:30.000Z',
    });
    // Dated 30 s before the revocation (a skew every endorser accepts), committed after it.
    const stored = await record(
      ledger,
      recorderA,
      interaction({ subjectRef: 'HospitalAMSP:subj-1', consentId: 'HospitalAMSP:c-1', purpose: 'ai-inference' }),
      '2026-03-01T00:00:00.000Z',
    );
    expect(stored.consentCheck).toEqual({
      allowed: false,
      consentId: 'HospitalAMSP:c-1',
      reason: 'consent HospitalAMSP:c-1 is revoked at 2026-03-01T00:00:00.000Z',
    });
  });
});

describe('Interactions: records naming an erased subject are refused', () => {
  it('refuses RecordInteraction and the whole RecordInteractions batch, naming each record, and writes nothing', async () => {
    const ledger = new InMemoryLedger();
    const subjects = new SubjectsContract();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-2', 'another patient');
    await record(
      ledger,
      recorderA,
      interaction({ id: 'HospitalAMSP:before', subjectRef: 'HospitalAMSP:subj-1', purpose: 'ai-inference' }),
    );
    await ledger.submit(adminA, (ctx) => subjects.EraseSubject(ctx, 'HospitalAMSP:subj-1'));
    await ledger.submit(adminA, (ctx) => subjects.RecordErasureReceipt(ctx, 'HospitalAMSP:subj-1'), {
      txTime: '2026-02-01T00:00:00.000Z',
    });
    const before = snapshot(ledger);
    const erased = 'subject HospitalAMSP:subj-1 was erased at 2026-02-01T00:00:00.000Z';
    expect(
      await refusalOf(
        record(
          ledger,
          recorderA,
          interaction({ id: 'HospitalAMSP:after', subjectRef: 'HospitalAMSP:subj-1', purpose: 'ai-inference' }),
        ),
      ),
    ).toEqual({
      code: 'PRECONDITION_FAILED',
      message: `records name erased subjects, whose data may no longer be used: subjectRef: ${erased}`,
      reasons: [{ path: 'subjectRef', reason: erased }],
    });
    const batch = recordBatch(ledger, recorderP, [
      interaction({ id: 'AIProviderMSP:b-0', subjectRef: 'HospitalAMSP:subj-2', purpose: 'ai-inference' }),
      interaction({ id: 'AIProviderMSP:b-1', subjectRef: 'HospitalAMSP:subj-1', purpose: 'ai-inference' }),
      interaction({ id: 'AIProviderMSP:b-2' }),
      interaction({ id: 'AIProviderMSP:b-3', subjectRef: 'HospitalAMSP:subj-1', purpose: 'research' }),
    ]);
    expect(await refusalOf(batch)).toMatchObject({
      code: 'PRECONDITION_FAILED',
      reasons: [
        { path: '[1].subjectRef', reason: erased },
        { path: '[3].subjectRef', reason: erased },
      ],
    });
    expect(snapshot(ledger)).toEqual(before);
    // The record made before the erasure is kept, and a retry of it still answers it.
    expect(
      (
        await record(
          ledger,
          recorderA,
          interaction({ id: 'HospitalAMSP:before', subjectRef: 'HospitalAMSP:subj-1', purpose: 'ai-inference' }),
        )
      ).id,
    ).toBe('HospitalAMSP:before');
  });
});

describe("Interactions: a record naming only a consent is judged by that consent's subject", () => {
  it("refuses a consentId-only record of an erased subject, and lets the subject's deny win over the named permit", async () => {
    const ledger = new InMemoryLedger();
    const subjects = new SubjectsContract();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-2', 'another patient');
    const base = {
      grantees: ['AIProviderMSP'],
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z' },
      policyCommitment: COMMITMENT,
    };
    const grants = [
      { ...base, id: 'HospitalAMSP:c-1', subjectRef: 'HospitalAMSP:subj-1', decision: 'permit' },
      { ...base, id: 'HospitalAMSP:c-2', subjectRef: 'HospitalAMSP:subj-2', decision: 'permit' },
      { ...base, id: 'HospitalAMSP:c-2-deny', subjectRef: 'HospitalAMSP:subj-2', decision: 'deny' },
    ];
    for (const grant of grants)
      await ledger.submit(managerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify(grant)), {
        txTime: '2026-01-15T00:00:00.000Z',
      });
    expect(
      (
        await record(
          ledger,
          recorderP,
          interaction({ id: 'AIProviderMSP:p-deny', consentId: 'HospitalAMSP:c-2', purpose: 'ai-inference' }),
        )
      ).consentCheck,
    ).toMatchObject({ allowed: false, consentId: 'HospitalAMSP:c-2-deny' });

    await ledger.submit(adminA, (ctx) => subjects.EraseSubject(ctx, 'HospitalAMSP:subj-1'));
    await ledger.submit(adminA, (ctx) => subjects.RecordErasureReceipt(ctx, 'HospitalAMSP:subj-1'), {
      txTime: '2026-02-01T00:00:00.000Z',
    });
    const before = snapshot(ledger);
    const erased = 'subject HospitalAMSP:subj-1 was erased at 2026-02-01T00:00:00.000Z';
    expect(
      await refusalOf(
        record(
          ledger,
          recorderP,
          interaction({ id: 'AIProviderMSP:p-erased', consentId: 'HospitalAMSP:c-1', purpose: 'ai-inference' }),
        ),
      ),
    ).toMatchObject({ code: 'PRECONDITION_FAILED', reasons: [{ path: 'consentId', reason: erased }] });
    expect(
      await refusalOf(
        recordBatch(ledger, recorderP, [
          interaction({ id: 'AIProviderMSP:pb-0' }),
          interaction({ id: 'AIProviderMSP:pb-1', consentId: 'HospitalAMSP:c-1', purpose: 'ai-inference' }),
        ]),
      ),
    ).toMatchObject({ code: 'PRECONDITION_FAILED', reasons: [{ path: '[1].consentId', reason: erased }] });
    expect(snapshot(ledger)).toEqual(before);
  });
});

describe('Interactions: reading and access', () => {
  async function twoOrgs(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await recordPreviousLayout(ledger, recorderA, interaction({ id: 'HospitalAMSP:a-1' }));
    await recordPreviousLayout(ledger, recorderP, interaction({ id: 'AIProviderMSP:p-1' }));
    return ledger;
  }

  it('lets auditors read every org’s records and every other role only its own org’s', async () => {
    const ledger = await twoOrgs();
    for (const who of [auditor, recorderA, adminA, managerA]) {
      expect(await evaluate(ledger, who, (ctx) => contract.GetInteraction(ctx, 'HospitalAMSP:a-1'))).toMatchObject({
        id: 'HospitalAMSP:a-1',
        org: 'HospitalAMSP',
      });
      expect(await evaluate(ledger, who, (ctx) => contract.GetAnnotations(ctx, 'HospitalAMSP:a-1'))).toEqual({
        records: [],
      });
    }
    expect(await evaluate(ledger, auditor, (ctx) => contract.GetInteraction(ctx, 'AIProviderMSP:p-1'))).toMatchObject({
      org: 'AIProviderMSP',
    });
    for (const who of [recorderA, adminA, managerA]) {
      expect(await errorOf(evaluate(ledger, who, (ctx) => contract.GetInteraction(ctx, 'AIProviderMSP:p-1')))).toBe(
        "ACCESS_DENIED: access denied: HospitalAMSP may read only its own org's interactions",
      );
      expect(await errorOf(evaluate(ledger, who, (ctx) => contract.GetAnnotations(ctx, 'AIProviderMSP:p-1')))).toMatch(
        /^ACCESS_DENIED: /,
      );
    }
    // A hospital's auditor is no auditor org's (AAL_AUDITOR_ORGS names the regulator): it reads its own org's only.
    expect(await evaluate(ledger, auditorA, (ctx) => contract.GetInteraction(ctx, 'HospitalAMSP:a-1'))).toMatchObject({
      org: 'HospitalAMSP',
    });
    expect(await errorOf(evaluate(ledger, auditorA, (ctx) => contract.GetInteraction(ctx, 'AIProviderMSP:p-1')))).toBe(
      "ACCESS_DENIED: access denied: HospitalAMSP may read only its own org's interactions",
    );
    expect(await errorOf(evaluate(ledger, peer, (ctx) => contract.GetInteraction(ctx, 'HospitalAMSP:a-1')))).toMatch(
      /^ACCESS_DENIED: /,
    );
    expect(await errorOf(evaluate(ledger, auditor, (ctx) => contract.GetInteraction(ctx, 'missing')))).toBe(
      'NOT_FOUND: interaction missing does not exist',
    );
    expect(await errorOf(evaluate(ledger, auditor, (ctx) => contract.GetInteraction(ctx, 'bad id')))).toMatch(
      /^INVALID_ARGUMENT: id: /,
    );
  });

  it('queries only the caller’s org for non-auditors, across orgs for auditors, and refuses another org’s by-org query', async () => {
    const ledger = await twoOrgs();
    const ids = async (who: TestIdentity, filter: Json): Promise<string[]> =>
      (await query(ledger, who, filter)).records.map((entry) => entry.id);
    expect(await ids(auditor, { by: 'requestModel', value: 'gpt-4o' })).toEqual([
      'HospitalAMSP:a-1',
      'AIProviderMSP:p-1',
    ]);
    expect(await ids(recorderA, { by: 'requestModel', value: 'gpt-4o' })).toEqual(['HospitalAMSP:a-1']);
    expect(await ids(recorderP, { by: 'applicationId', value: 'triage-app' })).toEqual(['AIProviderMSP:p-1']);
    expect(await ids(auditor, { by: 'org', value: 'AIProviderMSP' })).toEqual(['AIProviderMSP:p-1']);
    expect(await ids(managerA, { by: 'org', value: 'HospitalAMSP' })).toEqual(['HospitalAMSP:a-1']);
    expect(await errorOf(ids(recorderA, { by: 'org', value: 'AIProviderMSP' }))).toMatch(/^ACCESS_DENIED: /);
    expect(await errorOf(ids(peer, { by: 'org', value: 'HospitalAMSP' }))).toMatch(/^ACCESS_DENIED: /);
  });

  it('validates the filter, naming every bad field', async () => {
    const ledger = await twoOrgs();
    expect(
      await errorOf(
        query(ledger, auditor, { by: 'model', value: '', order: 'up', pageSize: 1001, from: 'yesterday', extra: 1 }),
      ),
    ).toBe(
      'INVALID_ARGUMENT: by: must be one of org, requestModel, actorRef, subjectRef, consentId, applicationId; value: must be 1 to 256 characters; from: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z); order: must be one of asc, desc; pageSize: must be an integer from 1 to 1000; extra: is not a known field',
    );
    expect(
      await errorOf(
        query(ledger, auditor, { by: 'org', value: 'x', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      ),
    ).toBe('INVALID_ARGUMENT: to: must not be before from');
  });
});

describe('Interactions: QueryInteractions pagination and time ranges', () => {
  async function series(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    for (let index = 0; index < 7; index++) {
      await recordPreviousLayout(
        ledger,
        recorderA,
        interaction({ id: `HospitalAMSP:s-${index}`, subjectRef: 'subj-9', purpose: 'ai-inference' }),
        `2026-01-0${index + 1}T00:00:00.000Z`,
      );
    }
    return ledger;
  }

  async function walk(ledger: InMemoryLedger, who: TestIdentity, filter: Json): Promise<string[][]> {
    const pages: string[][] = [];
    let bookmark = '';
    do {
      const page = await query(ledger, who, { ...filter, bookmark });
      pages.push(page.records.map((entry) => entry.id));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    return pages;
  }

  it('pages oldest first and newest first with bookmarks, without gaps or repeats', async () => {
    const ledger = await series();
    expect(await walk(ledger, recorderA, { by: 'subjectRef', value: 'subj-9', pageSize: 3 })).toEqual([
      ['HospitalAMSP:s-0', 'HospitalAMSP:s-1', 'HospitalAMSP:s-2'],
      ['HospitalAMSP:s-3', 'HospitalAMSP:s-4', 'HospitalAMSP:s-5'],
      ['HospitalAMSP:s-6'],
    ]);
    expect(await walk(ledger, auditor, { by: 'subjectRef', value: 'subj-9', pageSize: 3, order: 'desc' })).toEqual([
      ['HospitalAMSP:s-6', 'HospitalAMSP:s-5', 'HospitalAMSP:s-4'],
      ['HospitalAMSP:s-3', 'HospitalAMSP:s-2', 'HospitalAMSP:s-1'],
      ['HospitalAMSP:s-0'],
    ]);
    expect(await walk(ledger, auditor, { by: 'org', value: 'HospitalAMSP', pageSize: 7 })).toEqual([
      [
        'HospitalAMSP:s-0',
        'HospitalAMSP:s-1',
        'HospitalAMSP:s-2',
        'HospitalAMSP:s-3',
        'HospitalAMSP:s-4',
        'HospitalAMSP:s-5',
        'HospitalAMSP:s-6',
      ],
    ]);
  });

  it('bounds txTime inclusively at both ends, in both orders, whatever the bounds’ time zone', async () => {
    const ledger = await series();
    const ids = async (filter: Json): Promise<string[]> =>
      (await query(ledger, recorderA, { by: 'org', value: 'HospitalAMSP', ...filter })).records.map(
        (entry) => entry.id,
      );
    const range = { from: '2026-01-02T00:00:00Z', to: '2026-01-04T00:00:00.000Z' };
    expect(await ids(range)).toEqual(['HospitalAMSP:s-1', 'HospitalAMSP:s-2', 'HospitalAMSP:s-3']);
    expect(await ids({ ...range, order: 'desc' })).toEqual([
      'HospitalAMSP:s-3',
      'HospitalAMSP:s-2',
      'HospitalAMSP:s-1',
    ]);
    expect(await ids({ from: '2026-01-02T00:00:00.001Z', to: '2026-01-03T23:59:59.999Z' })).toEqual([
      'HospitalAMSP:s-2',
    ]);
    expect(await ids({ from: '2026-01-02T00:00:00.001Z', to: '2026-01-03T23:59:59.999Z', order: 'desc' })).toEqual([
      'HospitalAMSP:s-2',
    ]);
    expect(await ids({ from: '2026-01-02T01:00:00+01:00', to: '2026-01-02T01:00:00+01:00' })).toEqual([
      'HospitalAMSP:s-1',
    ]);
    expect(await ids({ from: '2026-01-06T00:00:00Z' })).toEqual(['HospitalAMSP:s-5', 'HospitalAMSP:s-6']);
    expect(await ids({ to: '2026-01-01T00:00:00Z', order: 'desc' })).toEqual(['HospitalAMSP:s-0']);
    // Bounds before 1970, after 2286 and outside years 0000–9999 keep their meaning in both orders.
    const all = await ids({});
    for (const order of ['asc', 'desc'])
      for (const [bounds, expected] of [
        [{ from: '1960-01-01T00:00:00Z' }, all.length],
        [{ to: '1960-01-01T00:00:00Z' }, 0],
        [{ from: '2300-01-01T00:00:00Z' }, 0],
        [{ to: '2300-01-01T00:00:00Z' }, all.length],
        [{ from: '9999-12-31T23:00:00-05:00' }, 0],
        [{ from: '0000-01-01T00:00:00+01:00', to: '9999-12-31T23:00:00-05:00' }, all.length],
      ] as const)
        expect({ order, bounds, found: (await ids({ ...bounds, order })).length }).toEqual({
          order,
          bounds,
          found: expected,
        });
  });

  it('refuses a bookmark that belongs to another query (another org’s index)', async () => {
    const ledger = await series();
    const page = await query(ledger, auditor, { by: 'org', value: 'HospitalAMSP', pageSize: 2 });
    expect(page.bookmark).not.toBe('');
    expect(
      await errorOf(query(ledger, recorderP, { by: 'org', value: 'AIProviderMSP', bookmark: page.bookmark })),
    ).toBe('INVALID_ARGUMENT: bookmark: does not belong to this query');
  });
});

describe('Interactions: annotations', () => {
  const annotation = (overrides: Json = {}): Json => ({
    id: 'HospitalAMSP:n-1',
    kind: 'flag',
    severity: 'high',
    labels: ['hallucination'],
    noteCommitment: COMMITMENT,
    ...overrides,
  });
  const annotate = (ledger: InMemoryLedger, who: TestIdentity, interactionId: string, input: Json): Promise<Json> =>
    ledger.submit(
      who,
      async (ctx) => JSON.parse(await contract.AnnotateInteraction(ctx, interactionId, JSON.stringify(input))) as Json,
    );

  it('links annotations to the caller’s own interaction without changing it, idempotently', async () => {
    const ledger = new InMemoryLedger();
    const original = await record(ledger, recorderA, interaction());
    const stored = await annotate(ledger, recorderA, 'HospitalAMSP:i-1', annotation());
    expect(stored).toMatchObject({
      ...annotation(),
      interactionId: 'HospitalAMSP:i-1',
      org: 'HospitalAMSP',
      annotatedBy: 'app-recorder',
    });
    await annotate(
      ledger,
      adminA,
      'HospitalAMSP:i-1',
      annotation({ id: 'HospitalAMSP:n-2', kind: 'resolution', severity: undefined }),
    );
    expect(await evaluate(ledger, recorderA, (ctx) => contract.GetInteraction(ctx, 'HospitalAMSP:i-1'))).toEqual(
      original,
    );
    const before = snapshot(ledger);
    expect(await annotate(ledger, recorderA, 'HospitalAMSP:i-1', annotation())).toEqual(stored);
    expect(snapshot(ledger)).toEqual(before);
    expect(await errorOf(annotate(ledger, recorderA, 'HospitalAMSP:i-1', annotation({ kind: 'review' })))).toBe(
      'CONFLICT: annotation HospitalAMSP:n-1 of interaction HospitalAMSP:i-1 already exists with different content',
    );
    const listed = await evaluate<{ records: Json[] }>(ledger, auditor, (ctx) =>
      contract.GetAnnotations(ctx, 'HospitalAMSP:i-1'),
    );
    expect(listed.records.map((entry) => entry.id)).toEqual(['HospitalAMSP:n-1', 'HospitalAMSP:n-2']);
  });

  it('refuses other orgs, auditors and consent-managers, unknown interactions and free text', async () => {
    const ledger = new InMemoryLedger();
    await record(ledger, recorderA, interaction());
    expect(
      await errorOf(annotate(ledger, recorderP, 'HospitalAMSP:i-1', annotation({ id: 'AIProviderMSP:n-1' }))),
    ).toBe("ACCESS_DENIED: access denied: AIProviderMSP may read only its own org's interactions");
    expect(await errorOf(annotate(ledger, auditor, 'HospitalAMSP:i-1', annotation()))).toMatch(/^ACCESS_DENIED: /);
    expect(await errorOf(annotate(ledger, managerA, 'HospitalAMSP:i-1', annotation()))).toMatch(/^ACCESS_DENIED: /);
    expect(await errorOf(annotate(ledger, recorderA, 'nope', annotation()))).toBe(
      'NOT_FOUND: interaction nope does not exist',
    );
    expect(
      await errorOf(annotate(ledger, recorderA, 'HospitalAMSP:i-1', annotation({ note: 'patient John Doe' }))),
    ).toBe('INVALID_ARGUMENT: note: is not a known field');
    expect(ledger.keys().filter((key) => key.includes('annotation'))).toEqual([]);
  });
});

describe('Interactions: annotations of batched records', () => {
  const batches = new BatchesContract();
  const flag = (id: string): Json => ({ id, kind: 'flag', severity: 'high' });
  const annotate = (ledger: InMemoryLedger, who: TestIdentity, interactionId: string, input: Json): Promise<Json> =>
    ledger.submit(
      who,
      async (ctx) => JSON.parse(await contract.AnnotateInteraction(ctx, interactionId, JSON.stringify(input))) as Json,
    );
  const annotationsOf = async (ledger: InMemoryLedger, who: TestIdentity, id: string): Promise<string[]> =>
    (await evaluate<{ records: Json[] }>(ledger, who, (ctx) => contract.GetAnnotations(ctx, id))).records.map(
      (entry) => entry.id as string,
    );
  async function batchedRecords(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await ledger.submit(recorderA, (ctx) =>
      batches.RecordBatch(ctx, JSON.stringify([interaction({ id: 'HospitalAMSP:b-1' })])),
    );
    await ledger.submit(recorderP, (ctx) =>
      batches.RecordBatch(ctx, JSON.stringify([interaction({ id: 'AIProviderMSP:b-2' })])),
    );
    return ledger;
  }

  it('annotates a lean batched record of the caller’s org, the org taken from its batch header', async () => {
    const ledger = await batchedRecords();
    // The lean layout keeps no record under the single-record key: only the batch's marker names the org.
    expect(ledger.keys().filter((key) => key.startsWith('\u0000interaction\u0000'))).toEqual([]);
    expect(await annotate(ledger, recorderA, 'HospitalAMSP:b-1', flag('HospitalAMSP:n-1'))).toMatchObject({
      id: 'HospitalAMSP:n-1',
      interactionId: 'HospitalAMSP:b-1',
      org: 'HospitalAMSP',
    });
    for (const who of [recorderA, adminA, managerA, auditor]) {
      expect(await annotationsOf(ledger, who, 'HospitalAMSP:b-1')).toEqual(['HospitalAMSP:n-1']);
    }
  });

  it('refuses another org’s batched record to annotators and to readers other than auditors', async () => {
    const ledger = await batchedRecords();
    expect(await errorOf(annotate(ledger, recorderA, 'AIProviderMSP:b-2', flag('HospitalAMSP:n-1')))).toBe(
      "ACCESS_DENIED: access denied: HospitalAMSP may read only its own org's batches",
    );
    expect(await errorOf(annotate(ledger, adminA, 'AIProviderMSP:b-2', flag('HospitalAMSP:n-1')))).toMatch(
      /^ACCESS_DENIED: /,
    );
    expect(await errorOf(annotate(ledger, auditor, 'AIProviderMSP:b-2', flag('RegulatorMSP:n-1')))).toMatch(
      /^ACCESS_DENIED: /,
    );
    expect(await errorOf(annotate(ledger, recorderA, 'HospitalAMSP:b-9', flag('HospitalAMSP:n-1')))).toBe(
      'NOT_FOUND: interaction HospitalAMSP:b-9 does not exist',
    );
    for (const who of [recorderA, adminA, managerA, auditorA]) {
      expect(await errorOf(annotationsOf(ledger, who, 'AIProviderMSP:b-2'))).toMatch(/^ACCESS_DENIED: /);
    }
    expect(await annotationsOf(ledger, auditor, 'AIProviderMSP:b-2')).toEqual([]);
    expect(ledger.keys().filter((key) => key.includes('annotation'))).toEqual([]);
  });
});

describe('Interactions: record ids are in the recording org’s namespace', () => {
  it('refuses an id in no namespace (INVALID_ARGUMENT) and in another org’s (CONFLICT) before reading state, alone and in a batch', async () => {
    const ledger = new InMemoryLedger();
    expect(await refusalOf(record(ledger, recorderA, interaction({ id: 'i-1' })))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: "id: must be in the caller's namespace ('HospitalAMSP:…')",
      violations: [{ path: 'id', rule: "must be in the caller's namespace ('HospitalAMSP:…')" }],
    });
    // Refused the same whether the id exists or not: the refusal reveals nothing about HospitalA's records.
    const squat = interaction({ id: 'HospitalAMSP:i-1' });
    const refusalBefore = await errorOf(record(ledger, recorderP, squat));
    await record(ledger, recorderA, interaction());
    expect(await errorOf(record(ledger, recorderP, squat))).toBe(refusalBefore);
    expect(refusalBefore).toBe(
      "CONFLICT: id: interaction id HospitalAMSP:i-1 belongs to HospitalAMSP: AIProviderMSP creates interactions only in its own namespace ('AIProviderMSP:…')",
    );
    expect(
      await refusalOf(
        recordBatch(ledger, recorderP, [
          interaction({ id: 'AIProviderMSP:ok' }),
          interaction({ id: 'bare' }),
          interaction({ id: 'HospitalAMSP:x' }),
        ]),
      ),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ path: '[1].id' }] });
    expect(
      await errorOf(
        recordBatch(ledger, recorderP, [
          interaction({ id: 'AIProviderMSP:ok' }),
          interaction({ id: 'HospitalAMSP:x' }),
        ]),
      ),
    ).toBe(
      "CONFLICT: [1].id: interaction id HospitalAMSP:x belongs to HospitalAMSP: AIProviderMSP creates interactions only in its own namespace ('AIProviderMSP:…')",
    );
    expect(ledger.keys().filter((key) => key.includes('AIProviderMSP'))).toEqual([]);
  });

  it('refuses an annotation id outside the caller’s namespace', async () => {
    const ledger = new InMemoryLedger();
    await record(ledger, recorderA, interaction());
    const before = snapshot(ledger);
    const annotate = (id: string): Promise<string> =>
      ledger.submit(recorderA, (ctx) =>
        contract.AnnotateInteraction(ctx, 'HospitalAMSP:i-1', JSON.stringify({ id, kind: 'flag' })),
      );
    expect(await refusalOf(annotate('n-1'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ path: 'id', rule: "must be in the caller's namespace ('HospitalAMSP:…')" }],
    });
    expect(await errorOf(annotate('AIProviderMSP:n-1'))).toMatch(
      /^CONFLICT: id: annotation id AIProviderMSP:n-1 belongs to AIProviderMSP/,
    );
    expect(snapshot(ledger)).toEqual(before);
  });
});
