import type { StoredConsent } from '@aal/ledger-contract';
import { InMemoryLedger } from '../testing/in-memory-ledger';
import { errorOf } from '../testing/refusal';
import { evaluateConsent } from './consent-check';
import { writeConsent } from './consent-store';

const manager = { mspId: 'HospitalAMSP', role: 'consent-manager' };
const COMMITMENT = `hmac-sha256:${'a'.repeat(64)}`;

function consent(overrides: Partial<StoredConsent> & { id: string }): StoredConsent {
  return {
    subjectRef: 's-1',
    grantees: ['AIProviderMSP'],
    decision: 'permit',
    purposes: ['ai-inference'],
    period: { start: '2026-01-01T00:00:00Z', end: '2026-12-31T23:59:59Z' },
    policyCommitment: COMMITMENT,
    controller: 'HospitalAMSP',
    grantedBy: 'app-consent-manager',
    grantedAt: '2026-01-01T00:00:00.000Z',
    txId: 'tx',
    ...overrides,
  };
}

async function ledgerWith(...consents: StoredConsent[]): Promise<InMemoryLedger> {
  const ledger = new InMemoryLedger();
  for (const stored of consents)
    await ledger.submit(manager, (ctx) => writeConsent(ctx, stored, { withIndexes: true }));
  return ledger;
}

const AT = '2026-06-01T00:00:00Z';
const ask = { purpose: 'ai-inference', grantees: ['AIProviderMSP'], moment: { at: AT } };

describe('evaluateConsent', () => {
  it('permits a use covered by an active permit of the subject and names the consent', async () => {
    const ledger = await ledgerWith(consent({ id: 'c-1' }));
    const verdict = await ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, { ...ask, subjectRef: 's-1' }));
    expect(verdict).toEqual({
      allowed: true,
      consentId: 'c-1',
      reason: 'consent c-1 permits ai-inference for AIProviderMSP',
    });
  });

  it('lets a matching deny win over a permit, also when the permit is named', async () => {
    const ledger = await ledgerWith(consent({ id: 'c-1' }), consent({ id: 'c-2', decision: 'deny' }));
    const searched = await ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, { ...ask, subjectRef: 's-1' }));
    expect(searched).toMatchObject({ allowed: false, consentId: 'c-2' });
    const named = await ledger.evaluate(manager, (ctx) =>
      evaluateConsent(ctx, { ...ask, subjectRef: 's-1', consentId: 'c-1' }),
    );
    expect(named).toMatchObject({ allowed: false, consentId: 'c-2' });
  });

  it("lets the subject's deny win when the request names only the permit, not the subject", async () => {
    const ledger = await ledgerWith(consent({ id: 'c-1' }), consent({ id: 'c-2', decision: 'deny' }));
    const named = await ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, { ...ask, consentId: 'c-1' }));
    expect(named).toMatchObject({ allowed: false, consentId: 'c-2' });
  });

  it('refuses other purposes, other grantees, other subjects and times outside the period', async () => {
    const ledger = await ledgerWith(consent({ id: 'c-1' }));
    const verdict = (request: Parameters<typeof evaluateConsent>[1]) =>
      ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, request));
    expect(await verdict({ ...ask, subjectRef: 's-1', purpose: 'research' })).toEqual({
      allowed: false,
      reason: 'no consent of the subject covers research for AIProviderMSP',
    });
    expect((await verdict({ ...ask, subjectRef: 's-1', grantees: ['HospitalBMSP'] })).allowed).toBe(false);
    expect((await verdict({ ...ask, subjectRef: 's-2' })).allowed).toBe(false);
    expect(await verdict({ ...ask, subjectRef: 's-1', moment: { at: '2027-01-01T00:00:00Z' } })).toEqual({
      allowed: false,
      reason: 'no active consent of the subject covers ai-inference for AIProviderMSP (c-1 is expired)',
    });
    expect((await verdict({ ...ask, subjectRef: 's-1', moment: { now: '2025-12-31T23:59:59Z' } })).reason).toContain(
      'c-1 is pending',
    );
    expect((await verdict({ ...ask, subjectRef: 's-1', moment: { at: '2026-12-31T23:59:59Z' } })).allowed).toBe(true);
  });

  it('judges a named consent on its own: existence, subject, revocation at the time asked', async () => {
    const ledger = await ledgerWith(
      consent({
        id: 'c-1',
        revokedAt: '2026-03-01T00:00:00.000Z',
        revokedBy: 'x',
        revocationReason: 'subject-request',
      }),
    );
    const verdict = (request: Parameters<typeof evaluateConsent>[1]) =>
      ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, request));
    expect(await verdict({ ...ask, consentId: 'nope' })).toEqual({
      allowed: false,
      consentId: 'nope',
      reason: 'consent nope does not exist',
    });
    expect(await verdict({ ...ask, consentId: 'c-1', subjectRef: 's-9' })).toMatchObject({
      allowed: false,
      reason: 'consent c-1 is for another subject',
    });
    expect(await verdict({ ...ask, consentId: 'c-1', moment: { at: '2026-02-01T00:00:00Z' } })).toMatchObject({
      allowed: true,
      consentId: 'c-1',
    });
    expect(await verdict({ ...ask, consentId: 'c-1' })).toEqual({
      allowed: false,
      consentId: 'c-1',
      reason: 'consent c-1 is revoked at 2026-06-01T00:00:00Z',
    });
  });

  it('refuses a request without subject or consent, and an unreadable time', async () => {
    const ledger = await ledgerWith();
    await expect(ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, ask))).resolves.toEqual({
      allowed: false,
      reason: 'neither subjectRef nor consentId was given',
    });
    expect(
      await errorOf(
        ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, { ...ask, subjectRef: 's-1', moment: { at: 'soon' } })),
      ),
    ).toContain('INVALID_ARGUMENT: at');
  });

  it('judges now by the state read: a revocation in state counts even when its revokedAt is later than the transaction time', async () => {
    // A member backdating its proposal (within the skew the endorsers allow) must not revive a revoked consent.
    const ledger = await ledgerWith(
      consent({
        id: 'c-1',
        revokedAt: '2026-06-01T00:00:30.000Z',
        revokedBy: 'x',
        revocationReason: 'subject-request',
      }),
    );
    const verdict = (request: Parameters<typeof evaluateConsent>[1]) =>
      ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, request));
    expect(await verdict({ ...ask, subjectRef: 's-1', moment: { now: AT } })).toEqual({
      allowed: false,
      reason: 'no active consent of the subject covers ai-inference for AIProviderMSP (c-1 is revoked)',
    });
    expect(await verdict({ ...ask, consentId: 'c-1', moment: { now: AT } })).toEqual({
      allowed: false,
      consentId: 'c-1',
      reason: `consent c-1 is revoked at ${AT}`,
    });
    // A question about that past moment still gets the answer as it stood then.
    expect(await verdict({ ...ask, subjectRef: 's-1', moment: { at: AT } })).toMatchObject({
      allowed: true,
      consentId: 'c-1',
    });
  });

  it('answers not-granted for a moment before the grant, even when the period started earlier', async () => {
    const ledger = await ledgerWith(consent({ id: 'c-1', grantedAt: '2026-05-01T00:00:00.000Z' }));
    const verdict = (request: Parameters<typeof evaluateConsent>[1]) =>
      ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, request));
    expect(await verdict({ ...ask, subjectRef: 's-1', moment: { at: '2026-04-30T23:59:59.999Z' } })).toEqual({
      allowed: false,
      reason: 'no active consent of the subject covers ai-inference for AIProviderMSP (c-1 is not-granted)',
    });
    expect(await verdict({ ...ask, consentId: 'c-1', moment: { at: '2026-02-01T00:00:00Z' } })).toEqual({
      allowed: false,
      consentId: 'c-1',
      reason: 'consent c-1 is not-granted at 2026-02-01T00:00:00Z',
    });
    expect(await verdict({ ...ask, subjectRef: 's-1', moment: { at: '2026-05-01T00:00:00.000Z' } })).toMatchObject({
      allowed: true,
      consentId: 'c-1',
    });
  });

  it('matches grantees exactly: an application is named `<MSP id>:<applicationId>`, a bare application id matches nothing', async () => {
    const ledger = await ledgerWith(
      consent({ id: 'c-app', grantees: ['HospitalAMSP:triage-app'] }),
      consent({ id: 'c-bare', subjectRef: 's-2', grantees: ['triage-app'] }),
    );
    const verdict = (request: Parameters<typeof evaluateConsent>[1]) =>
      ledger.evaluate(manager, (ctx) => evaluateConsent(ctx, request));
    expect(
      await verdict({ ...ask, subjectRef: 's-1', grantees: ['HospitalAMSP', 'HospitalAMSP:triage-app'] }),
    ).toMatchObject({ allowed: true, consentId: 'c-app' });
    expect(
      (await verdict({ ...ask, subjectRef: 's-1', grantees: ['AIProviderMSP', 'AIProviderMSP:triage-app'] })).allowed,
    ).toBe(false);
    expect(await verdict({ ...ask, subjectRef: 's-2', grantees: ['HospitalAMSP', 'HospitalAMSP:triage-app'] })).toEqual(
      {
        allowed: false,
        reason: 'no consent of the subject covers ai-inference for HospitalAMSP or HospitalAMSP:triage-app',
      },
    );
  });
});
