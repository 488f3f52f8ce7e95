import { orgNamespaceOf } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { errorOf, refusalOf } from '../testing/refusal';
import { registerSubject } from '../testing/registered-subject';
import { SubjectsContract } from '../subjects/subjects-contract';
import { ConsentContract } from './consent-contract';
import type { FhirConsent } from './fhir-consent';

const contract = new ConsentContract();
const subjects = new SubjectsContract();
const managerA: TestIdentity = { mspId: 'HospitalAMSP', role: 'consent-manager' };
const managerB: TestIdentity = { mspId: 'HospitalBMSP', role: 'consent-manager' };
const providerManager: TestIdentity = { mspId: 'AIProviderMSP', role: 'consent-manager' };
const providerRecorder: TestIdentity = { mspId: 'AIProviderMSP', role: 'recorder' };
const recorderA: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder' };
const recorderB: TestIdentity = { mspId: 'HospitalBMSP', role: 'recorder' };
const auditor: TestIdentity = { mspId: 'RegulatorMSP', role: 'auditor' };
const peer: TestIdentity = { mspId: 'HospitalAMSP' };
const COMMITMENT = `hmac-sha256:${'b'.repeat(64)}`;

type Json = Record<string, unknown>;

function consentInput(overrides: Json = {}): Json {
  return {
    id: 'HospitalAMSP:c-1',
    subjectRef: 'HospitalAMSP:subj-1',
    grantees: ['AIProviderMSP'],
    decision: 'permit',
    purposes: ['ai-inference'],
    period: { start: '2026-01-01T00:00:00Z', end: '2026-06-30T23:59:59Z' },
    policyCommitment: COMMITMENT,
    ...overrides,
  };
}

/** Grants as `who`, after its owner org (its namespace) registered the subject as a real application would. */
async function grant(ledger: InMemoryLedger, who: TestIdentity, input: Json, txTime?: string): Promise<Json> {
  // Invalid subjectRefs go straight to GrantConsent, whose validation must name them.
  if (typeof input.subjectRef === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(input.subjectRef)) {
    await registerSubject(ledger, orgNamespaceOf(input.subjectRef) ?? who.mspId, input.subjectRef);
  }
  return ledger.submit(
    who,
    async (ctx) => JSON.parse(await contract.GrantConsent(ctx, JSON.stringify(input))) as Json,
    txTime ? { txTime } : {},
  );
}
const read = <T = Json>(
  ledger: InMemoryLedger,
  who: TestIdentity,
  call: (ctx: Context) => Promise<string>,
  txTime?: string,
): Promise<T> => ledger.evaluate(who, async (ctx) => JSON.parse(await call(ctx)) as T, txTime ? { txTime } : {});

describe('Consents: an org grants only about subjects in its own namespace that it registered', () => {
  it('refuses a grant about another org’s subject (ACCESS_DENIED), even with a copy of its entry in the granting org’s own collection', async () => {
    const ledger = new InMemoryLedger();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    // Registering a copy of the hospital's public subjectRef is refused outright …
    expect(await errorOf(registerSubject(ledger, 'AIProviderMSP', 'HospitalAMSP:subj-1', 'made-up'))).toMatch(
      /^CONFLICT: subjectRef HospitalAMSP:subj-1 belongs to HospitalAMSP/,
    );
    // … and a deviating member that writes one into its own implicit collection (its own peers alone endorse that) gains nothing.
    await ledger.submit(providerManager, (ctx) =>
      ctx.stub.putPrivateData('_implicit_org_AIProviderMSP', 'subject:HospitalAMSP:subj-1', Buffer.from('{}')),
    );
    const refused = await refusalOf(
      ledger.submit(providerManager, (ctx) =>
        contract.GrantConsent(
          ctx,
          JSON.stringify(
            consentInput({ id: 'AIProviderMSP:c-1', grantees: ['AIProviderMSP'], purposes: ['model-training'] }),
          ),
        ),
      ),
    );
    expect(refused).toEqual({
      code: 'ACCESS_DENIED',
      message:
        "access denied: only the org that owns subject HospitalAMSP:subj-1 (HospitalAMSP) may grant consents about it; AIProviderMSP owns only 'AIProviderMSP:…'",
    });
    expect(ledger.keys().filter((key) => key.includes('HospitalAMSP:c-1'))).toEqual([]);
    await ledger.submit(managerA, (ctx) => contract.GrantConsent(ctx, JSON.stringify(consentInput())));
  });

  it('refuses a grant about a subject in its namespace that it never registered', async () => {
    const ledger = new InMemoryLedger();
    const refused = await refusalOf(
      ledger.submit(managerA, (ctx) => contract.GrantConsent(ctx, JSON.stringify(consentInput()))),
    );
    expect(refused).toEqual({
      code: 'PRECONDITION_FAILED',
      message:
        'subject HospitalAMSP:subj-1 is not registered by HospitalAMSP (or was erased): only the org that registered a subject (Subjects:RegisterSubject) may grant consents about it',
      reasons: [{ path: 'subjectRef', reason: 'is not registered by HospitalAMSP (or was erased)' }],
    });
    expect(ledger.keys()).toEqual([]);
  });

  it('refuses new grants once the subject is erased, but keeps existing ones readable', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput());
    await ledger.submit({ mspId: 'HospitalAMSP', role: 'admin' }, (ctx) =>
      new SubjectsContract().EraseSubject(ctx, 'HospitalAMSP:subj-1'),
    );
    const refused = await errorOf(
      ledger.submit(managerA, (ctx) =>
        contract.GrantConsent(ctx, JSON.stringify(consentInput({ id: 'HospitalAMSP:c-2' }))),
      ),
    );
    expect(refused).toMatch(
      /^PRECONDITION_FAILED: subject HospitalAMSP:subj-1 is not registered by HospitalAMSP \(or was erased\)/,
    );
    expect(await read(ledger, auditor, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'))).toMatchObject({
      id: 'HospitalAMSP:c-1',
    });
  });
});

describe('Consents: GrantConsent', () => {
  it('stores the consent with the caller as controller and the tx time, indexes it and emits ConsentGranted without personal data', async () => {
    const ledger = new InMemoryLedger();
    const stored = await grant(ledger, managerA, consentInput(), '2026-01-02T10:00:00.000Z');
    expect(stored).toMatchObject({
      controller: 'HospitalAMSP',
      grantedBy: 'app-consent-manager',
      grantedAt: '2026-01-02T10:00:00.000Z',
    });
    expect(typeof stored.txId).toBe('string');
    const key = ledger.keys().find((candidate) => candidate.startsWith('\u0000consent\u0000')) ?? '';
    expect(JSON.parse(ledger.get(key) ?? '{}')).toEqual(stored);
    expect(ledger.keys().filter((candidate) => candidate.startsWith('consent-by-'))).toEqual([
      'consent-by-grantee\u0000AIProviderMSP\u0000HospitalAMSP:c-1\u0000',
      'consent-by-purpose\u0000ai-inference\u0000HospitalAMSP:c-1\u0000',
      'consent-by-subjectRef\u0000HospitalAMSP:subj-1\u0000HospitalAMSP:c-1\u0000',
    ]);
    expect(ledger.events).toEqual([
      {
        name: 'ConsentGranted',
        payload: {
          controller: 'HospitalAMSP',
          decision: 'permit',
          id: 'HospitalAMSP:c-1',
          txTime: '2026-01-02T10:00:00.000Z',
        },
        txId: stored.txId,
      },
    ]);
    expect(JSON.stringify(ledger.events)).not.toContain('HospitalAMSP:subj-1');
  });

  it.each([recorderA, auditor, { mspId: 'HospitalAMSP', role: 'admin' }, peer])(
    'refuses role %p and writes nothing',
    async (who) => {
      const ledger = new InMemoryLedger();
      expect(await errorOf(grant(ledger, who, consentInput()))).toMatch(/^ACCESS_DENIED: /);
      expect(ledger.keys()).toEqual([]);
    },
  );

  it('names every invalid field and refuses unknown fields, writing nothing', async () => {
    const ledger = new InMemoryLedger();
    const message = await errorOf(
      grant(ledger, managerA, {
        id: 'bad id',
        subjectRef: '',
        grantees: [],
        decision: 'maybe',
        purposes: ['ai-inference', 'ai-inference'],
        dataCategories: 'labs',
        period: { start: '2026-01-01' },
        policyCommitment: 'sha256:abc',
        jurisdiction: 'de',
        controller: 'HospitalBMSP',
      }),
    );
    expect(message).toMatch(/^INVALID_ARGUMENT: /);
    for (const field of [
      'controller: is not a known field',
      'id: must match',
      'subjectRef: must match',
      'grantees: must have 1 to 32 items',
      'decision: must be one of permit, deny',
      'purposes: must not contain duplicates',
      'dataCategories: must be an array',
      'period.start: must be an RFC 3339',
      'policyCommitment: must be',
      'jurisdiction: must be an ISO 3166',
    ]) {
      expect(message).toContain(field);
    }
    expect(ledger.keys()).toEqual([]);
  });

  it('refuses a period that ends before it starts, prototype keys and oversized input', async () => {
    const ledger = new InMemoryLedger();
    expect(
      await errorOf(
        grant(
          ledger,
          managerA,
          consentInput({ period: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } }),
        ),
      ),
    ).toBe('INVALID_ARGUMENT: period.end: must be after period.start');
    const polluted = `{"__proto__":{"admin":true},${JSON.stringify(consentInput()).slice(1)}`;
    expect(await errorOf(ledger.submit(managerA, (ctx) => contract.GrantConsent(ctx, polluted)))).toBe(
      "INVALID_ARGUMENT: consent: must not contain the key '__proto__'",
    );
    expect(await errorOf(grant(ledger, managerA, consentInput({ collectionMethod: 'x'.repeat(17_000) })))).toContain(
      'consent: must be at most 16384 bytes',
    );
    expect(ledger.keys()).toEqual([]);
  });

  it('is idempotent for the same input in any key order, and refuses different content or another controller', async () => {
    const ledger = new InMemoryLedger();
    const first = await grant(ledger, managerA, consentInput());
    const reordered = Object.fromEntries(Object.entries(consentInput()).reverse());
    const keysBefore = ledger.keys().map((key) => [key, ledger.get(key)]);
    expect(await grant(ledger, managerA, reordered)).toEqual(first);
    expect(ledger.keys().map((key) => [key, ledger.get(key)])).toEqual(keysBefore);
    expect(ledger.events).toHaveLength(1);
    const history = await read<{ records: unknown[] }>(ledger, managerA, (ctx) =>
      contract.GetConsentHistory(ctx, 'HospitalAMSP:c-1'),
    );
    expect(history.records).toHaveLength(1);
    expect(await errorOf(grant(ledger, managerA, consentInput({ purposes: ['research'] })))).toBe(
      'CONFLICT: consent HospitalAMSP:c-1 already exists with different content',
    );
    // Another org cannot take the id: it is in HospitalA's namespace.
    expect(await errorOf(grant(ledger, managerB, consentInput()))).toBe(
      "CONFLICT: id: consent id HospitalAMSP:c-1 belongs to HospitalAMSP: HospitalBMSP creates consents only in its own namespace ('HospitalBMSP:…')",
    );
  });

  it('writes byte-identical state for the same input in a different key order', async () => {
    const one = new InMemoryLedger();
    const two = new InMemoryLedger();
    await grant(one, managerA, consentInput({ dataCategories: ['labs'], jurisdiction: 'DE' }));
    await grant(
      two,
      managerA,
      Object.fromEntries(Object.entries(consentInput({ jurisdiction: 'DE', dataCategories: ['labs'] })).reverse()),
    );
    expect(two.keys()).toEqual(one.keys());
    for (const key of one.keys()) expect(two.get(key)).toBe(one.get(key));
  });
});

describe('Consents: RevokeConsent and history', () => {
  it('lets only the controller’s consent-manager revoke, records who, when and why, and keeps every version', async () => {
    const ledger = new InMemoryLedger();
    const granted = await grant(ledger, managerA, consentInput(), '2026-01-02T00:00:00.000Z');
    expect(
      await errorOf(ledger.submit(providerManager, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'other'))),
    ).toMatch(/^ACCESS_DENIED: access denied: only the controller HospitalAMSP/);
    expect(
      await errorOf(ledger.submit(managerB, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'other'))),
    ).toMatch(/^ACCESS_DENIED: /);
    expect(
      await errorOf(ledger.submit(recorderA, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'other'))),
    ).toMatch(/^ACCESS_DENIED: /);
    const codes =
      'subject-request, withdrawn-by-controller, expired-policy, entered-in-error, legal-requirement, other';
    // Free text is refused: the shared ledger takes a reason code only.
    expect(
      await errorOf(
        ledger.submit(managerA, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'patient withdrew')),
      ),
    ).toBe(`INVALID_ARGUMENT: reason: must be one of ${codes}`);
    expect(
      await errorOf(ledger.submit(managerA, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'line\nbreak'))),
    ).toBe(`INVALID_ARGUMENT: reason: must be one of ${codes}`);
    expect(await errorOf(ledger.submit(managerA, (ctx) => contract.RevokeConsent(ctx, 'nope', 'other')))).toBe(
      'NOT_FOUND: consent nope does not exist',
    );

    const revoked = JSON.parse(
      await ledger.submit(managerA, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'subject-request'), {
        txTime: '2026-03-01T00:00:00.000Z',
      }),
    ) as Json;
    expect(revoked).toMatchObject({
      revokedAt: '2026-03-01T00:00:00.000Z',
      revokedBy: 'app-consent-manager',
      revocationReason: 'subject-request',
    });
    expect(ledger.events.at(-1)).toMatchObject({
      name: 'ConsentRevoked',
      payload: { controller: 'HospitalAMSP', id: 'HospitalAMSP:c-1', txTime: '2026-03-01T00:00:00.000Z' },
    });
    expect(
      await read(ledger, auditor, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'), '2026-03-01T00:00:00.000Z'),
    ).toMatchObject({ status: 'revoked' });
    // "Now" is the state read: a reader's earlier timestamp does not make a revoked consent active again.
    expect(
      await read(ledger, auditor, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'), '2026-02-28T23:59:59.999Z'),
    ).toMatchObject({ status: 'revoked' });
    expect(
      await read(ledger, auditor, (ctx) =>
        contract.CheckConsent(ctx, 'HospitalAMSP:subj-1', 'ai-inference', 'AIProviderMSP', '2026-02-28T23:59:59.999Z'),
      ),
    ).toMatchObject({
      allowed: true,
      consentId: 'HospitalAMSP:c-1',
    });

    const again = await ledger.submit(managerA, (ctx) =>
      contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'subject-request'),
    );
    expect(JSON.parse(again)).toEqual(revoked);
    expect(
      await errorOf(ledger.submit(managerA, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-1', 'other'))),
    ).toBe('CONFLICT: consent HospitalAMSP:c-1 is already revoked');

    const history = await read<{ records: { txId: string; txTime: string; isDelete: boolean; consent: Json }[] }>(
      ledger,
      auditor,
      (ctx) => contract.GetConsentHistory(ctx, 'HospitalAMSP:c-1'),
    );
    expect(history.records.map((entry) => [entry.txId, entry.txTime, entry.isDelete])).toEqual([
      [revoked.revocationTxId, '2026-03-01T00:00:00.000Z', false],
      [granted.txId, '2026-01-02T00:00:00.000Z', false],
    ]);
    expect(history.records[1]?.consent).toEqual(granted);
    expect(history.records[0]?.consent).toEqual(revoked);
  });
});

describe('Consents: reading', () => {
  async function twoConsents(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput());
    await grant(
      ledger,
      managerB,
      consentInput({ id: 'HospitalBMSP:c-b', subjectRef: 'HospitalBMSP:subj-b', grantees: ['AIProviderMSP', 'app-x'] }),
    );
    return ledger;
  }

  it('lets auditors, the controller org (any role) and grantee orgs read, and nobody else', async () => {
    const ledger = await twoConsents();
    for (const who of [auditor, managerA, recorderA, providerRecorder]) {
      expect(await read(ledger, who, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'))).toMatchObject({
        id: 'HospitalAMSP:c-1',
      });
      expect(await read(ledger, who, (ctx) => contract.ExportConsentFHIR(ctx, 'HospitalAMSP:c-1'))).toMatchObject({
        resourceType: 'Consent',
      });
      expect(await read(ledger, who, (ctx) => contract.GetConsentHistory(ctx, 'HospitalAMSP:c-1'))).toHaveProperty(
        'records',
      );
    }
    const reads: ((ctx: Context) => Promise<string>)[] = [
      (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'),
      (ctx) => contract.GetConsentHistory(ctx, 'HospitalAMSP:c-1'),
      (ctx) => contract.ExportConsentFHIR(ctx, 'HospitalAMSP:c-1'),
    ];
    for (const call of reads) {
      expect(await errorOf(read(ledger, recorderB, call))).toMatch(/^ACCESS_DENIED: /);
      expect(await errorOf(read(ledger, peer, call))).toMatch(/^ACCESS_DENIED: /);
    }
    expect(await errorOf(read(ledger, auditor, (ctx) => contract.GetConsent(ctx, 'missing')))).toBe(
      'NOT_FOUND: consent missing does not exist',
    );
  });

  it('derives the status at the transaction time: pending, active, expired (end inclusive)', async () => {
    const ledger = await twoConsents();
    const statusAt = async (txTime: string): Promise<unknown> =>
      (await read(ledger, auditor, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'), txTime)).status;
    expect(await statusAt('2025-12-31T23:59:59.999Z')).toBe('pending');
    expect(await statusAt('2026-01-01T00:00:00.000Z')).toBe('active');
    expect(await statusAt('2026-06-30T23:59:59.000Z')).toBe('active');
    expect(await statusAt('2026-06-30T23:59:59.001Z')).toBe('expired');
  });

  it('queries by subject, grantee and purpose, only what the caller may read, optionally by status', async () => {
    const ledger = await twoConsents();
    const query = async (who: TestIdentity, filter: Json, txTime?: string): Promise<string[]> =>
      (
        await read<{ records: { id: string }[] }>(
          ledger,
          who,
          (ctx) => contract.QueryConsents(ctx, JSON.stringify(filter)),
          txTime,
        )
      ).records.map((record) => record.id);
    expect(await query(auditor, { by: 'grantee', value: 'AIProviderMSP' })).toEqual([
      'HospitalAMSP:c-1',
      'HospitalBMSP:c-b',
    ]);
    expect(await query(providerRecorder, { by: 'purpose', value: 'ai-inference' })).toEqual([
      'HospitalAMSP:c-1',
      'HospitalBMSP:c-b',
    ]);
    expect(await query(recorderA, { by: 'grantee', value: 'AIProviderMSP' })).toEqual(['HospitalAMSP:c-1']);
    expect(await query(recorderB, { by: 'subjectRef', value: 'HospitalAMSP:subj-1' })).toEqual([]);
    expect(await query(auditor, { by: 'grantee', value: 'app-x' })).toEqual(['HospitalBMSP:c-b']);
    expect(
      await query(auditor, { by: 'purpose', value: 'ai-inference', status: 'expired' }, '2026-07-01T00:00:00.000Z'),
    ).toEqual(['HospitalAMSP:c-1', 'HospitalBMSP:c-b']);
    expect(
      await query(auditor, { by: 'purpose', value: 'ai-inference', status: 'active' }, '2026-07-01T00:00:00.000Z'),
    ).toEqual([]);
    expect(await errorOf(query(auditor, { by: 'controller', value: 'x', pageSize: 0 }))).toBe(
      'INVALID_ARGUMENT: by: must be one of subjectRef, grantee, purpose; pageSize: must be an integer from 1 to 1000',
    );
  });

  it('pages with bookmarks and refuses a bookmark from another query', async () => {
    const ledger = new InMemoryLedger();
    for (let index = 0; index < 5; index++)
      await grant(ledger, managerA, consentInput({ id: `HospitalAMSP:c-${index}` }));
    const pages: string[][] = [];
    let bookmark = '';
    do {
      const page = await read<{ records: { id: string }[]; bookmark: string }>(ledger, auditor, (ctx) =>
        contract.QueryConsents(
          ctx,
          JSON.stringify({ by: 'subjectRef', value: 'HospitalAMSP:subj-1', pageSize: 2, bookmark }),
        ),
      );
      pages.push(page.records.map((record) => record.id));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(pages).toEqual([
      ['HospitalAMSP:c-0', 'HospitalAMSP:c-1'],
      ['HospitalAMSP:c-2', 'HospitalAMSP:c-3'],
      ['HospitalAMSP:c-4'],
    ]);
    const foreign = 'consent-by-grantee\u0000AIProviderMSP\u0000c-0\u0000';
    expect(
      await errorOf(
        read(ledger, auditor, (ctx) =>
          contract.QueryConsents(
            ctx,
            JSON.stringify({ by: 'subjectRef', value: 'HospitalAMSP:subj-1', bookmark: foreign }),
          ),
        ),
      ),
    ).toBe('INVALID_ARGUMENT: bookmark: does not belong to this query');
  });
});

describe('Consents: QueryConsents bookmarks name only consents the caller may read', () => {
  it('hands out the key of the last consent returned and resumes strictly after it, reading on past consents the caller may not read', async () => {
    const ledger = new InMemoryLedger();
    // In purpose-index order: the AIProvider may read c-0, HospitalAMSP:c-2 and c-5, not the HospitalB-only ones.
    const providerIds = ['HospitalAMSP:c-0', 'HospitalAMSP:c-2', 'HospitalAMSP:c-5'];
    for (const id of [
      'HospitalAMSP:c-0',
      'HospitalAMSP:c-1h',
      'HospitalAMSP:c-2',
      'HospitalAMSP:c-3h',
      'HospitalAMSP:c-4h',
      'HospitalAMSP:c-5',
      'HospitalAMSP:c-6h',
    ])
      await grant(
        ledger,
        managerA,
        consentInput({ id, grantees: providerIds.includes(id) ? ['AIProviderMSP'] : ['HospitalBMSP'] }),
      );
    const walk = async (pageSize: number): Promise<{ pages: string[][]; bookmarks: string[] }> => {
      const pages: string[][] = [];
      const bookmarks: string[] = [];
      let bookmark = '';
      do {
        const page = await read<{ records: { id: string }[]; bookmark: string }>(ledger, providerRecorder, (ctx) =>
          contract.QueryConsents(ctx, JSON.stringify({ by: 'purpose', value: 'ai-inference', pageSize, bookmark })),
        );
        pages.push(page.records.map((record) => record.id));
        bookmark = page.bookmark;
        if (bookmark !== '') bookmarks.push(bookmark);
      } while (bookmark !== '' && pages.length < 20);
      return { pages, bookmarks };
    };
    const key = (id: string): string => `consent-by-purpose\u0000ai-inference\u0000${id}\u0000`;

    expect(await walk(1)).toEqual({
      pages: [['HospitalAMSP:c-0'], ['HospitalAMSP:c-2'], ['HospitalAMSP:c-5'], []],
      bookmarks: providerIds.map(key),
    });
    expect(await walk(2)).toEqual({
      pages: [['HospitalAMSP:c-0', 'HospitalAMSP:c-2'], ['HospitalAMSP:c-5']],
      bookmarks: [key('HospitalAMSP:c-2')],
    });
    // A reader of everything pages over every entry as before, each bookmark the last key it was given.
    const all = await read<{ records: { id: string }[]; bookmark: string }>(ledger, auditor, (ctx) =>
      contract.QueryConsents(ctx, JSON.stringify({ by: 'purpose', value: 'ai-inference', pageSize: 2 })),
    );
    expect([all.records.map((record) => record.id), all.bookmark]).toEqual([
      ['HospitalAMSP:c-0', 'HospitalAMSP:c-1h'],
      key('HospitalAMSP:c-1h'),
    ]);
  });
});

describe('Consents: CheckConsent', () => {
  it('answers with the deciding consent; a matching deny wins; revocation and `at` are honoured', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput());
    const check = (at = '', grantee = 'AIProviderMSP', who: TestIdentity = providerRecorder): Promise<Json> =>
      read(
        ledger,
        who,
        (ctx) => contract.CheckConsent(ctx, 'HospitalAMSP:subj-1', 'ai-inference', grantee, at),
        '2026-02-01T00:00:00.000Z',
      );
    expect(await check()).toEqual({
      allowed: true,
      consentId: 'HospitalAMSP:c-1',
      reason: 'consent HospitalAMSP:c-1 permits ai-inference for AIProviderMSP',
    });
    expect((await check('', 'HospitalBMSP', recorderA)).allowed).toBe(false);
    expect(await check('2026-07-01T00:00:00Z')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('c-1 is expired') as unknown,
    });

    await grant(
      ledger,
      managerA,
      consentInput({ id: 'HospitalAMSP:c-deny', decision: 'deny', period: { start: '2026-01-15T00:00:00Z' } }),
    );
    expect(await check()).toEqual({
      allowed: false,
      consentId: 'HospitalAMSP:c-deny',
      reason: 'consent HospitalAMSP:c-deny denies ai-inference for AIProviderMSP',
    });
    expect(await check('2026-01-10T00:00:00Z')).toMatchObject({ allowed: true, consentId: 'HospitalAMSP:c-1' });

    await ledger.submit(managerA, (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:c-deny', 'entered-in-error'), {
      txTime: '2026-01-20T00:00:00.000Z',
    });
    expect(await check()).toMatchObject({ allowed: true, consentId: 'HospitalAMSP:c-1' });
    expect(await check('2026-01-16T00:00:00Z')).toMatchObject({ allowed: false, consentId: 'HospitalAMSP:c-deny' });
    expect(await errorOf(check('yesterday'))).toMatch(/^INVALID_ARGUMENT: at: /);
    expect(await errorOf(check('', 'AIProviderMSP', peer))).toMatch(/^ACCESS_DENIED: /);
  });
});

describe('Consents: CheckConsent answers only who may ask', () => {
  const auditorB: TestIdentity = { mspId: 'HospitalBMSP', role: 'auditor' };
  const adminA: TestIdentity = { mspId: 'HospitalAMSP', role: 'admin' };
  const check = (
    ledger: InMemoryLedger,
    who: TestIdentity,
    options: { subjectRef?: string; grantee?: string; at?: string } = {},
  ): Promise<Json> =>
    read(
      ledger,
      who,
      (ctx) =>
        contract.CheckConsent(
          ctx,
          options.subjectRef ?? 'HospitalAMSP:subj-1',
          'ai-inference',
          options.grantee ?? 'AIProviderMSP',
          options.at ?? '',
        ),
      '2026-02-01T00:00:00.000Z',
    );
  const refusalFor = (mspId: string) => ({
    code: 'ACCESS_DENIED',
    message: `access denied: ${mspId} may check consent only about its own subjects or for itself (${mspId} or ${mspId}:<applicationId>)`,
  });

  it('refuses another member asking about another org’s subject for another org (any role, its auditors included), the same whatever the ledger holds', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput());
    await grant(
      ledger,
      managerA,
      consentInput({ id: 'HospitalAMSP:c-deny', subjectRef: 'HospitalAMSP:subj-2', decision: 'deny' }),
    );
    // HospitalB is co-grantee of a consent about subj-3, and still may not ask on the AIProvider's behalf.
    await grant(
      ledger,
      managerA,
      consentInput({
        id: 'HospitalAMSP:c-shared',
        subjectRef: 'HospitalAMSP:subj-3',
        grantees: ['AIProviderMSP', 'HospitalBMSP'],
      }),
    );
    await grant(ledger, managerA, consentInput({ id: 'HospitalAMSP:c-erased', subjectRef: 'HospitalAMSP:subj-4' }));
    await ledger.submit(adminA, (ctx) => subjects.EraseSubject(ctx, 'HospitalAMSP:subj-4'));
    await ledger.submit(adminA, (ctx) => subjects.RecordErasureReceipt(ctx, 'HospitalAMSP:subj-4'), {
      txTime: '2026-01-20T00:00:00.000Z',
    });
    const before = ledger.keys();
    for (const who of [recorderB, managerB, auditorB])
      for (const subjectRef of [1, 2, 3, 4, 'none'].map((n) => `HospitalAMSP:subj-${n}`))
        for (const grantee of ['AIProviderMSP', 'AIProviderMSP:summary-app', 'HospitalAMSP:triage-app', 'triage-app'])
          expect({
            who,
            subjectRef,
            grantee,
            ...(await refusalOf(check(ledger, who, { subjectRef, grantee }))),
          }).toEqual({
            who,
            subjectRef,
            grantee,
            ...refusalFor('HospitalBMSP'),
          });
    // The AIProvider may not ask about the hospital's own application (or a bare name) either.
    for (const grantee of ['HospitalAMSP:triage-app', 'HospitalAMSP', 'triage-app', 'HospitalBMSP'])
      expect(await refusalOf(check(ledger, providerRecorder, { grantee }))).toEqual(refusalFor('AIProviderMSP'));
    // …and GetConsent refuses the same callers: nothing of the consents reaches them.
    expect(await errorOf(read(ledger, recorderB, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1')))).toMatch(
      /^ACCESS_DENIED: /,
    );
    expect(ledger.keys()).toEqual(before);
  });

  it('answers the subject’s owner org, the grantee’s own org and the configured auditors with the deciding consent and the detailed reason', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput());
    for (const who of [recorderA, managerA, adminA, providerRecorder, providerManager, auditor]) {
      expect(await check(ledger, who)).toEqual({
        allowed: true,
        consentId: 'HospitalAMSP:c-1',
        reason: 'consent HospitalAMSP:c-1 permits ai-inference for AIProviderMSP',
      });
      expect(await check(ledger, who, { at: '2026-07-01T00:00:00Z' })).toEqual({
        allowed: false,
        reason: 'no active consent of the subject covers ai-inference for AIProviderMSP (HospitalAMSP:c-1 is expired)',
      });
      expect(await check(ledger, who, { subjectRef: 'HospitalAMSP:subj-none' })).toEqual({
        allowed: false,
        reason: 'no consent of the subject covers ai-inference for AIProviderMSP',
      });
    }
    // An org asking for itself, or one of its applications, about another org's subject.
    expect(await check(ledger, recorderB, { grantee: 'HospitalBMSP:triage-app' })).toEqual({
      allowed: false,
      reason: 'no consent of the subject covers ai-inference for HospitalBMSP or HospitalBMSP:triage-app',
    });
    expect(await check(ledger, providerRecorder, { grantee: 'AIProviderMSP:summary-app' })).toEqual({
      allowed: true,
      consentId: 'HospitalAMSP:c-1',
      reason: 'consent HospitalAMSP:c-1 permits ai-inference for AIProviderMSP or AIProviderMSP:summary-app',
    });
    // The owner asks about any grantee, its own applications included.
    expect(await check(ledger, recorderA, { grantee: 'HospitalBMSP' })).toEqual({
      allowed: false,
      reason: 'no consent of the subject covers ai-inference for HospitalBMSP',
    });
  });

  it('answers an erased subject to who may ask: its erasure receipt is public', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput());
    await ledger.submit(adminA, (ctx) => subjects.EraseSubject(ctx, 'HospitalAMSP:subj-1'));
    await ledger.submit(adminA, (ctx) => subjects.RecordErasureReceipt(ctx, 'HospitalAMSP:subj-1'), {
      txTime: '2026-01-20T00:00:00.000Z',
    });
    for (const who of [providerRecorder, recorderA, auditor])
      expect(await check(ledger, who)).toEqual({
        allowed: false,
        reason: 'subject HospitalAMSP:subj-1 was erased at 2026-01-20T00:00:00.000Z',
      });
    expect(await refusalOf(check(ledger, recorderB))).toEqual(refusalFor('HospitalBMSP'));
  });
});

describe('Consents: ExportConsentFHIR', () => {
  it('exports a FHIR R5 Consent with pseudonymous subject, controller, grantees, provision and the policy commitment', async () => {
    const ledger = new InMemoryLedger();
    await grant(
      ledger,
      managerA,
      consentInput({
        purposes: ['ai-inference', 'treatment'],
        dataCategories: ['labs'],
        jurisdiction: 'DE',
        collectionMethod: 'written',
      }),
      '2026-01-02T08:00:00.000Z',
    );
    const fhir = await read<FhirConsent>(
      ledger,
      auditor,
      (ctx) => contract.ExportConsentFHIR(ctx, 'HospitalAMSP:c-1'),
      '2026-02-01T00:00:00.000Z',
    );
    const grantee = { identifier: { system: 'urn:aal:grantee', value: 'AIProviderMSP' } };
    const subject = { type: 'Patient', identifier: { system: 'urn:aal:subject-ref', value: 'HospitalAMSP:subj-1' } };
    const period = { start: '2026-01-01T00:00:00Z', end: '2026-06-30T23:59:59Z' };
    expect(fhir).toEqual({
      resourceType: 'Consent',
      // No FHIR resource id: a qualified id's ':' is not allowed in one; the id is the identifier.
      meta: { lastUpdated: '2026-01-02T08:00:00.000Z' },
      identifier: [{ system: 'urn:aal:consent-id', value: 'HospitalAMSP:c-1' }],
      status: 'active',
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
      subject,
      date: '2026-01-02',
      period,
      grantor: [subject],
      grantee: [grantee],
      controller: [{ type: 'Organization', identifier: { system: 'urn:aal:msp-id', value: 'HospitalAMSP' } }],
      sourceReference: [
        { type: 'DocumentReference', identifier: { system: 'urn:aal:policy-commitment', value: COMMITMENT } },
      ],
      decision: 'permit',
      provision: [
        {
          period,
          actor: [
            {
              role: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                    code: 'IRCP',
                    display: 'information recipient',
                  },
                ],
              },
              reference: grantee,
            },
          ],
          purpose: [
            { system: 'urn:aal:purpose', code: 'ai-inference' },
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' },
          ],
          code: [{ coding: [{ system: 'urn:aal:data-category', code: 'labs' }] }],
        },
      ],
      extension: [
        { url: 'urn:aal:StructureDefinition/jurisdiction', valueCode: 'DE' },
        { url: 'urn:aal:StructureDefinition/collection-method', valueString: 'written' },
      ],
    });
  });

  it('marks revoked and expired consents inactive and leaves out an id FHIR would not accept', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput({ id: 'HospitalAMSP:consent_with_underscore' }));
    const expired = await read<FhirConsent>(
      ledger,
      auditor,
      (ctx) => contract.ExportConsentFHIR(ctx, 'HospitalAMSP:consent_with_underscore'),
      '2026-08-01T00:00:00.000Z',
    );
    expect(expired.status).toBe('inactive');
    expect(expired).not.toHaveProperty('id');
    expect(expired.identifier).toEqual([
      { system: 'urn:aal:consent-id', value: 'HospitalAMSP:consent_with_underscore' },
    ]);
    await ledger.submit(
      managerA,
      (ctx) => contract.RevokeConsent(ctx, 'HospitalAMSP:consent_with_underscore', 'withdrawn-by-controller'),
      { txTime: '2026-02-01T00:00:00.000Z' },
    );
    const revoked = await read<FhirConsent>(
      ledger,
      auditor,
      (ctx) => contract.ExportConsentFHIR(ctx, 'HospitalAMSP:consent_with_underscore'),
      '2026-03-01T00:00:00.000Z',
    );
    expect(revoked.status).toBe('inactive');
    expect(revoked.meta.lastUpdated).toBe('2026-02-01T00:00:00.000Z');
  });
});

describe('Consents: an erased subject’s consents stop applying', () => {
  const adminA: TestIdentity = { mspId: 'HospitalAMSP', role: 'admin' };

  async function erasedAfterGrant(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput(), '2026-01-02T00:00:00.000Z');
    await ledger.submit(adminA, (ctx) => subjects.EraseSubject(ctx, 'HospitalAMSP:subj-1'), {
      txTime: '2026-02-01T00:00:00.000Z',
    });
    await ledger.submit(adminA, (ctx) => subjects.RecordErasureReceipt(ctx, 'HospitalAMSP:subj-1'), {
      txTime: '2026-02-01T00:00:01.000Z',
    });
    return ledger;
  }

  it('answers status erased in GetConsent, QueryConsents (also as a filter) and an inactive FHIR export', async () => {
    const ledger = await erasedAfterGrant();
    const at = '2026-03-01T00:00:00.000Z';
    expect(await read(ledger, auditor, (ctx) => contract.GetConsent(ctx, 'HospitalAMSP:c-1'), at)).toMatchObject({
      id: 'HospitalAMSP:c-1',
      status: 'erased',
    });
    const query = async (filter: Json): Promise<Json[]> =>
      (
        await read<{ records: Json[] }>(
          ledger,
          providerRecorder,
          (ctx) => contract.QueryConsents(ctx, JSON.stringify(filter)),
          at,
        )
      ).records;
    expect((await query({ by: 'subjectRef', value: 'HospitalAMSP:subj-1' })).map((record) => record.status)).toEqual([
      'erased',
    ]);
    expect(
      (await query({ by: 'grantee', value: 'AIProviderMSP', status: 'erased' })).map((record) => record.id),
    ).toEqual(['HospitalAMSP:c-1']);
    expect(await query({ by: 'grantee', value: 'AIProviderMSP', status: 'active' })).toEqual([]);
    expect(
      (await read<FhirConsent>(ledger, auditor, (ctx) => contract.ExportConsentFHIR(ctx, 'HospitalAMSP:c-1'), at))
        .status,
    ).toBe('inactive');
  });

  it('CheckConsent answers not allowed because the subject was erased, and GrantConsent refuses new consents about it', async () => {
    const ledger = await erasedAfterGrant();
    const verdict = await read(
      ledger,
      providerRecorder,
      (ctx) => contract.CheckConsent(ctx, 'HospitalAMSP:subj-1', 'ai-inference', 'AIProviderMSP', ''),
      '2026-03-01T00:00:00.000Z',
    );
    expect(verdict).toEqual({
      allowed: false,
      reason: 'subject HospitalAMSP:subj-1 was erased at 2026-02-01T00:00:01.000Z',
    });
    const refused = await refusalOf(
      ledger.submit(managerA, (ctx) =>
        contract.GrantConsent(ctx, JSON.stringify(consentInput({ id: 'HospitalAMSP:c-2' }))),
      ),
    );
    expect(refused).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'subject HospitalAMSP:subj-1 was erased at 2026-02-01T00:00:01.000Z: no consent can be granted about it',
      reasons: [{ path: 'subjectRef', reason: 'subject HospitalAMSP:subj-1 was erased at 2026-02-01T00:00:01.000Z' }],
    });
    expect(ledger.keys().filter((key) => key.includes('HospitalAMSP:c-2'))).toEqual([]);
  });
});

describe('Consents: a consent applies only from its grant on', () => {
  it('is not-granted before grantedAt even when its period started earlier, so CheckConsent for that moment is not allowed', async () => {
    const ledger = new InMemoryLedger();
    // Granted on 1 March, with a period that claims to start on 1 January.
    await grant(ledger, managerA, consentInput(), '2026-03-01T00:00:00.000Z');
    const check = (at: string): Promise<Json> =>
      read(
        ledger,
        providerRecorder,
        (ctx) => contract.CheckConsent(ctx, 'HospitalAMSP:subj-1', 'ai-inference', 'AIProviderMSP', at),
        '2026-04-01T00:00:00.000Z',
      );
    expect(await check('2026-02-01T00:00:00Z')).toEqual({
      allowed: false,
      reason:
        'no active consent of the subject covers ai-inference for AIProviderMSP (HospitalAMSP:c-1 is not-granted)',
    });
    expect(await check('2026-02-28T23:59:59.999Z')).toMatchObject({ allowed: false });
    expect(await check('2026-03-01T00:00:00.000Z')).toMatchObject({ allowed: true, consentId: 'HospitalAMSP:c-1' });
    expect(await check('')).toMatchObject({ allowed: true, consentId: 'HospitalAMSP:c-1' });
  });
});

describe('Consents: CheckConsent judges an application as a recording is judged', () => {
  it('covers `<MSP id>:<applicationId>` by its org’s consents and its own, and a bare application id by nothing', async () => {
    const ledger = new InMemoryLedger();
    await grant(ledger, managerA, consentInput({ grantees: ['AIProviderMSP'] }));
    await grant(
      ledger,
      managerA,
      consentInput({
        id: 'HospitalAMSP:c-app',
        subjectRef: 'HospitalAMSP:subj-2',
        grantees: ['HospitalAMSP:triage-app'],
      }),
    );
    await grant(
      ledger,
      managerA,
      consentInput({ id: 'HospitalAMSP:c-bare', subjectRef: 'HospitalAMSP:subj-3', grantees: ['triage-app'] }),
    );
    const check = (subjectRef: string, grantee: string): Promise<Json> =>
      read(
        ledger,
        auditor,
        (ctx) => contract.CheckConsent(ctx, subjectRef, 'ai-inference', grantee, ''),
        '2026-02-01T00:00:00.000Z',
      );
    expect(await check('HospitalAMSP:subj-1', 'AIProviderMSP:summary-app')).toEqual({
      allowed: true,
      consentId: 'HospitalAMSP:c-1',
      reason: 'consent HospitalAMSP:c-1 permits ai-inference for AIProviderMSP or AIProviderMSP:summary-app',
    });
    expect(await check('HospitalAMSP:subj-2', 'HospitalAMSP:triage-app')).toMatchObject({
      allowed: true,
      consentId: 'HospitalAMSP:c-app',
    });
    expect((await check('HospitalAMSP:subj-2', 'AIProviderMSP:triage-app')).allowed).toBe(false);
    expect((await check('HospitalAMSP:subj-3', 'HospitalAMSP:triage-app')).allowed).toBe(false);
  });
});

describe('Consents: consent ids are in the granting org’s namespace', () => {
  it('refuses an id in no namespace (INVALID_ARGUMENT) and in another org’s (CONFLICT), writing nothing', async () => {
    const ledger = new InMemoryLedger();
    expect(await refusalOf(grant(ledger, managerA, consentInput({ id: 'c-1' })))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: "id: must be in the caller's namespace ('HospitalAMSP:…')",
      violations: [{ path: 'id', rule: "must be in the caller's namespace ('HospitalAMSP:…')" }],
    });
    expect(await errorOf(grant(ledger, managerA, consentInput({ id: 'HospitalBMSP:c-1' })))).toBe(
      "CONFLICT: id: consent id HospitalBMSP:c-1 belongs to HospitalBMSP: HospitalAMSP creates consents only in its own namespace ('HospitalAMSP:…')",
    );
    expect(ledger.keys().filter((key) => key.includes('c-1'))).toEqual([]);
  });
});
