import { createHash, createHmac } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { errorOf, refusalOf } from '../testing/refusal';
import { SubjectsContract } from './subjects-contract';

const contract = new SubjectsContract();
const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const as = (mspId: string, role?: string): TestIdentity => ({ mspId, role });
const adminA = as(A, 'admin');
const recorderA = as(A, 'recorder');
const collectionA = `_implicit_org_${A}`;

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');
const CONTENT_KEY = hex('content-key');
const PEPPER = hex('pepper');
const SUBJECT_KEY = hex('subject-key-1');
const IDENTIFIER = 'MRN-000042';

/** The same call as seen by a peer of another org (the in-memory peer is always the caller's). */
const onPeerOf = (ctx: Context, peerMspId: string): Context => ({
  ...ctx,
  stub: { ...ctx.stub, getMspID: () => peerMspId },
});

async function initKeys(
  ledger: InMemoryLedger,
  mspId = A,
  contentKey = CONTENT_KEY,
  lookupPepper = PEPPER,
): Promise<string> {
  return ledger.submit(as(mspId, 'admin'), (ctx) => contract.InitOrgKeys(ctx), {
    transient: { contentKey, lookupPepper },
  });
}

async function register(
  ledger: InMemoryLedger,
  input: { identifier?: string; subjectRef?: string; subjectKey?: string } = {},
  identity = recorderA,
): Promise<{ subjectRef: string; created: boolean }> {
  const transient = { identifier: IDENTIFIER, subjectRef: 'HospitalAMSP:s-1', subjectKey: SUBJECT_KEY, ...input };
  return JSON.parse(await ledger.submit(identity, (ctx) => contract.RegisterSubject(ctx), { transient })) as {
    subjectRef: string;
    created: boolean;
  };
}

const subjectKeyOf = async (ledger: InMemoryLedger, subjectRef: string, identity = recorderA): Promise<string> =>
  (
    JSON.parse(await ledger.evaluate(identity, (ctx) => contract.GetSubjectKey(ctx, subjectRef))) as {
      subjectKey: string;
    }
  ).subjectKey;

/** Everything any other org or an observer of blocks can see: public state, events, private keys (as names). */
function publicTrace(ledger: InMemoryLedger): string {
  return JSON.stringify([ledger.keys(), ledger.keys().map((key) => ledger.get(key)), ledger.events]);
}

async function setUp(): Promise<InMemoryLedger> {
  const ledger = new InMemoryLedger();
  await initKeys(ledger);
  return ledger;
}

describe('Subjects:InitOrgKeys', () => {
  it('stores both keys in the caller org’s implicit collection only and returns no key', async () => {
    const ledger = new InMemoryLedger();
    const result = await initKeys(ledger);
    expect(JSON.parse(result)).toEqual({ created: true, initialised: true });
    expect(result).not.toContain(CONTENT_KEY);
    expect(ledger.privateKeys(collectionA)).toEqual(['org-keys']);
    expect(ledger.getPrivate(collectionA, 'org-keys')).toContain(PEPPER);
    expect(ledger.keys()).toEqual([]);
    expect(ledger.privateKeys(`_implicit_org_${B}`)).toEqual([]);
  });

  it('keeps the first keys when called again (idempotent), so existing mappings stay reachable', async () => {
    const ledger = await setUp();
    expect(JSON.parse(await initKeys(ledger, A, hex('other-content'), hex('other-pepper')))).toEqual({
      created: false,
      initialised: true,
    });
    const answer = await ledger.evaluate(recorderA, (ctx) => contract.GetOrgContentKey(ctx));
    expect(JSON.parse(answer)).toEqual({ contentKey: CONTENT_KEY });
  });

  it('is for admins only', async () => {
    const ledger = new InMemoryLedger();
    for (const role of ['recorder', 'consent-manager', 'auditor', undefined]) {
      expect(
        await errorOf(
          ledger.submit(as(A, role), (ctx) => contract.InitOrgKeys(ctx), {
            transient: { contentKey: CONTENT_KEY, lookupPepper: PEPPER },
          }),
        ),
      ).toMatch(/^ACCESS_DENIED: /);
    }
    expect(ledger.privateKeys(collectionA)).toEqual([]);
  });

  it('refuses missing, malformed, unknown and equal transient keys, naming each field and never a value', async () => {
    const ledger = new InMemoryLedger();
    expect(await errorOf(ledger.submit(adminA, (ctx) => contract.InitOrgKeys(ctx)))).toContain(
      'INVALID_ARGUMENT: transient.contentKey: is required; transient.lookupPepper: is required',
    );
    const bad = ledger.submit(adminA, (ctx) => contract.InitOrgKeys(ctx), {
      transient: { contentKey: CONTENT_KEY.toUpperCase(), lookupPepper: 'abc', extra: 'x' },
    });
    expect(await errorOf(bad)).toMatch(/transient\.extra: is not a known field/);
    expect(await errorOf(bad)).toMatch(/transient\.contentKey: must be 64 lowercase hex/);
    expect(await errorOf(bad)).toMatch(
      /transient\.lookupPepper: must be 64 lowercase hex characters \(32 random bytes\)/,
    );
    expect(await errorOf(bad)).not.toContain(CONTENT_KEY.toUpperCase());
    expect(await errorOf(initKeys(ledger, A, PEPPER, PEPPER))).toBe(
      'INVALID_ARGUMENT: transient.lookupPepper: must differ from contentKey',
    );
    expect(ledger.privateKeys(collectionA)).toEqual([]);
  });
});

describe('Subjects: repeats still write to the own collection', () => {
  // On a peer, a submit that writes nothing to the collection is judged by the chaincode's MAJORITY
  // policy, so a one-org-endorsed repeat would fail with ENDORSEMENT_POLICY_FAILURE.
  it('rewrites the org keys, the mapping and the tombstone unchanged when called again', async () => {
    const ledger = await setUp();
    const keysBefore = ledger.getPrivate(collectionA, ledger.privateKeys(collectionA)[0] ?? '');
    await initKeys(ledger, A, hex('other-content-key'), hex('other-pepper'));
    expect(ledger.lastPrivateWrites.length).toBe(1);
    expect(ledger.getPrivate(collectionA, ledger.privateKeys(collectionA)[0] ?? '')).toBe(keysBefore);

    await register(ledger);
    const stateAfterFirst = ledger.privateKeys(collectionA).map((key) => ledger.getPrivate(collectionA, key));
    expect(await register(ledger, { subjectRef: 'HospitalAMSP:s-other', subjectKey: hex('other') })).toEqual({
      created: false,
      subjectRef: 'HospitalAMSP:s-1',
    });
    expect(ledger.lastPrivateWrites).toEqual([
      expect.stringMatching(/^_implicit_org_HospitalAMSP\/subject-lookup:/) as unknown,
    ]);
    expect(ledger.privateKeys(collectionA).map((key) => ledger.getPrivate(collectionA, key))).toEqual(stateAfterFirst);

    await ledger.submit(adminA, (ctx) => contract.EraseSubject(ctx, 'HospitalAMSP:s-1'));
    await ledger.submit(adminA, (ctx) => contract.EraseSubject(ctx, 'HospitalAMSP:s-1'));
    expect(ledger.lastPrivateWrites).toEqual(['_implicit_org_HospitalAMSP/subject-erased:HospitalAMSP:s-1']);
  });
});

describe('Subjects:GetOrgContentKey', () => {
  it('gives every role its own org’s content key and nobody another org’s', async () => {
    const ledger = await setUp();
    await initKeys(ledger, B, hex('b-content'), hex('b-pepper'));
    for (const role of ['recorder', 'consent-manager', 'auditor', 'admin']) {
      expect(JSON.parse(await ledger.evaluate(as(A, role), (ctx) => contract.GetOrgContentKey(ctx)))).toEqual({
        contentKey: CONTENT_KEY,
      });
    }
    expect(JSON.parse(await ledger.evaluate(as(B, 'auditor'), (ctx) => contract.GetOrgContentKey(ctx)))).toEqual({
      contentKey: hex('b-content'),
    });
    expect(await errorOf(ledger.evaluate(as(A), (ctx) => contract.GetOrgContentKey(ctx)))).toMatch(/^ACCESS_DENIED/);
  });

  it('says the keys must be initialised first', async () => {
    expect(await errorOf(new InMemoryLedger().evaluate(recorderA, (ctx) => contract.GetOrgContentKey(ctx)))).toMatch(
      /^PRECONDITION_FAILED: the keys of HospitalAMSP are not initialised/,
    );
  });

  it('cannot tell the peer’s org when the chaincode process lacks CORE_PEER_LOCALMSPID, and then serves the caller’s own collection', async () => {
    const ledger = await setUp();
    const unknownPeer = (ctx: Context): Context => ({
      ...ctx,
      stub: {
        ...ctx.stub,
        getMspID: () => {
          throw new Error('CORE_PEER_LOCALMSPID is unset in chaincode process');
        },
      },
    });
    expect(JSON.parse(await ledger.evaluate(recorderA, (ctx) => contract.GetOrgContentKey(unknownPeer(ctx))))).toEqual({
      contentKey: CONTENT_KEY,
    });
  });

  it('refuses to answer on another org’s peer', async () => {
    const ledger = await setUp();
    expect(
      await errorOf(ledger.evaluate(recorderA, (ctx) => contract.GetOrgContentKey(onPeerOf(ctx, 'AIProviderMSP')))),
    ).toMatch(/^ACCESS_DENIED: .*only served by its own peers, not by AIProviderMSP's/);
  });
});

describe('Subjects:RegisterSubject', () => {
  it('keys the mapping by HMAC(pepper, identifier) in the own collection and leaves no trace in shared state, events or the result', async () => {
    const ledger = await setUp();
    const submitResult = await ledger.submit(recorderA, (ctx) => contract.RegisterSubject(ctx), {
      transient: { identifier: IDENTIFIER, subjectRef: 'HospitalAMSP:s-1', subjectKey: SUBJECT_KEY },
    });
    expect(JSON.parse(submitResult)).toEqual({ created: true, subjectRef: 'HospitalAMSP:s-1' });
    for (const secret of [IDENTIFIER, SUBJECT_KEY, PEPPER]) expect(submitResult).not.toContain(secret);

    const lookupKey = createHmac('sha256', Buffer.from(PEPPER, 'hex')).update(IDENTIFIER).digest('hex');
    expect(ledger.privateKeys(collectionA)).toEqual([
      'org-keys',
      'subject-lookup:' + lookupKey,
      'subject:HospitalAMSP:s-1',
    ]);
    const allPrivateKeys = ledger.privateKeys(collectionA).join(' ');
    expect(allPrivateKeys).not.toContain(IDENTIFIER);
    expect(allPrivateKeys).not.toContain(createHash('sha256').update(IDENTIFIER).digest('hex'));
    expect(ledger.getPrivate(collectionA, `subject-lookup:${lookupKey}`)).toBe('{"subjectRef":"HospitalAMSP:s-1"}');
    expect(ledger.getPrivate(collectionA, 'subject:HospitalAMSP:s-1')).not.toContain(IDENTIFIER);

    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
    expect(publicTrace(ledger)).not.toContain(IDENTIFIER);
    for (const other of ['_implicit_org_HospitalBMSP', '_implicit_org_AIProviderMSP', '_implicit_org_RegulatorMSP']) {
      expect(ledger.privateKeys(other)).toEqual([]);
    }
  });

  it('is idempotent: the existing mapping and key win over a new subjectRef and key', async () => {
    const ledger = await setUp();
    await register(ledger);
    expect(await register(ledger, { subjectRef: 'HospitalAMSP:s-2', subjectKey: hex('other') })).toEqual({
      created: false,
      subjectRef: 'HospitalAMSP:s-1',
    });
    expect(await subjectKeyOf(ledger, 'HospitalAMSP:s-1')).toBe(SUBJECT_KEY);
    expect(await errorOf(subjectKeyOf(ledger, 'HospitalAMSP:s-2'))).toContain(
      'NOT_FOUND: subject HospitalAMSP:s-2 does not exist',
    );
  });

  it('normalises the identifier (NFC), so composed and decomposed forms find one subject', async () => {
    const ledger = await setUp();
    await register(ledger, { identifier: 'Zo\u00e9 1' });
    expect(await register(ledger, { identifier: 'Zoe\u0301 1', subjectRef: 'HospitalAMSP:s-2' })).toEqual({
      created: false,
      subjectRef: 'HospitalAMSP:s-1',
    });
  });

  it('refuses a subjectRef already used by another identifier', async () => {
    const ledger = await setUp();
    await register(ledger);
    expect(await errorOf(register(ledger, { identifier: 'MRN-999' }))).toMatch(
      /^CONFLICT: subjectRef HospitalAMSP:s-1 already exists/,
    );
    expect(
      await errorOf(
        ledger.evaluate(recorderA, (ctx) => contract.LookupSubject(ctx), { transient: { identifier: 'MRN-999' } }),
      ),
    ).toMatch(/^NOT_FOUND/);
  });

  it('lets recorders, consent managers and admins register; not auditors or role-less identities', async () => {
    const ledger = await setUp();
    for (const [index, role] of ['recorder', 'consent-manager', 'admin'].entries()) {
      expect(
        (await register(ledger, { identifier: `id-${role}`, subjectRef: `HospitalAMSP:s-${index}` }, as(A, role)))
          .created,
      ).toBe(true);
    }
    for (const role of ['auditor', undefined]) {
      expect(
        await errorOf(register(ledger, { identifier: 'id-x', subjectRef: 'HospitalAMSP:s-x' }, as(A, role))),
      ).toMatch(/^ACCESS_DENIED/);
    }
  });

  it('needs the org keys first', async () => {
    expect(await errorOf(register(new InMemoryLedger()))).toMatch(
      /^PRECONDITION_FAILED: the keys of HospitalAMSP are not initialised/,
    );
  });

  it('validates every transient input and refuses missing ones by name, without echoing values', async () => {
    const ledger = await setUp();
    expect(await errorOf(ledger.submit(recorderA, (ctx) => contract.RegisterSubject(ctx)))).toContain(
      'INVALID_ARGUMENT: transient.identifier: is required; transient.subjectRef: is required; transient.subjectKey: is required',
    );
    const tooLong = 'x'.repeat(257);
    const bad = register(ledger, { identifier: tooLong, subjectRef: 'bad ref!', subjectKey: SUBJECT_KEY.slice(2) });
    expect(await errorOf(bad)).toMatch(/transient\.identifier: must be 1 to 256 characters/);
    expect(await errorOf(bad)).toMatch(/transient\.subjectRef: must match/);
    expect(await errorOf(bad)).toMatch(
      /transient\.subjectKey: must be 64 lowercase hex characters \(32 random bytes\)/,
    );
    expect(await errorOf(bad)).not.toContain(tooLong);
    expect(await errorOf(register(ledger, { identifier: 'MRN\n1' }))).toContain(
      'transient.identifier: must not contain control characters',
    );
    expect(await register(ledger, { identifier: 'x'.repeat(256) })).toEqual({
      created: true,
      subjectRef: 'HospitalAMSP:s-1',
    });
  });

  it('refuses to run on another org’s peer, so transient data sent there is never stored', async () => {
    const ledger = await setUp();
    expect(
      await errorOf(
        ledger.submit(recorderA, (ctx) => contract.RegisterSubject(onPeerOf(ctx, 'RegulatorMSP')), {
          transient: { identifier: IDENTIFIER, subjectRef: 'HospitalAMSP:s-1', subjectKey: SUBJECT_KEY },
        }),
      ),
    ).toMatch(/^ACCESS_DENIED/);
    expect(ledger.privateKeys(collectionA)).toEqual(['org-keys']);
  });

  it('keeps orgs apart: the same identifier at another org is another subject in that org’s collection', async () => {
    const ledger = await setUp();
    await initKeys(ledger, B, hex('b-content'), hex('b-pepper'));
    await register(ledger);
    expect(
      await register(ledger, { subjectRef: 'HospitalBMSP:b-1', subjectKey: hex('b-key') }, as(B, 'recorder')),
    ).toEqual({ created: true, subjectRef: 'HospitalBMSP:b-1' });
    expect(await errorOf(subjectKeyOf(ledger, 'HospitalAMSP:s-1', as(B, 'auditor')))).toContain(
      'NOT_FOUND: subject HospitalAMSP:s-1 does not exist',
    );
    expect(await subjectKeyOf(ledger, 'HospitalBMSP:b-1', as(B, 'auditor'))).toBe(hex('b-key'));
    expect(
      ledger
        .privateKeys(`_implicit_org_${B}`)
        .some((key) => ledger.privateKeys(collectionA).includes(key) && key !== 'org-keys'),
    ).toBe(false);
  });

  it('derives the same private keys on every endorsement (deterministic)', async () => {
    const first = await setUp();
    const second = await setUp();
    await register(first);
    await register(second);
    expect(second.privateKeys(collectionA)).toEqual(first.privateKeys(collectionA));
    for (const key of first.privateKeys(collectionA))
      expect(second.getPrivate(collectionA, key)).toBe(first.getPrivate(collectionA, key));
  });
});

describe('Subjects:LookupSubject and GetSubjectKey', () => {
  it('finds the subjectRef from the identifier and the key from the subjectRef, for every role of the org', async () => {
    const ledger = await setUp();
    await register(ledger);
    for (const role of ['recorder', 'consent-manager', 'auditor', 'admin']) {
      const found = await ledger.evaluate(as(A, role), (ctx) => contract.LookupSubject(ctx), {
        transient: { identifier: IDENTIFIER },
      });
      expect(JSON.parse(found)).toEqual({ subjectRef: 'HospitalAMSP:s-1' });
      expect(await subjectKeyOf(ledger, 'HospitalAMSP:s-1', as(A, role))).toBe(SUBJECT_KEY);
    }
    expect(
      await errorOf(
        ledger.evaluate(as(A), (ctx) => contract.LookupSubject(ctx), { transient: { identifier: IDENTIFIER } }),
      ),
    ).toMatch(/^ACCESS_DENIED/);
    expect(await errorOf(subjectKeyOf(ledger, 'HospitalAMSP:s-1', as(A)))).toMatch(/^ACCESS_DENIED/);
  });

  it('answers NOT_FOUND for an unknown identifier without echoing it, and for another org', async () => {
    const ledger = await setUp();
    await initKeys(ledger, B, hex('b-content'), hex('b-pepper'));
    await register(ledger);
    const unknown = ledger.evaluate(recorderA, (ctx) => contract.LookupSubject(ctx), {
      transient: { identifier: 'MRN-unknown' },
    });
    expect(await errorOf(unknown)).toContain('NOT_FOUND: no subject of HospitalAMSP is registered for this identifier');
    expect(
      await errorOf(
        ledger.evaluate(as(B, 'auditor'), (ctx) => contract.LookupSubject(ctx), {
          transient: { identifier: IDENTIFIER },
        }),
      ),
    ).toMatch(/^NOT_FOUND/);
  });

  it('validates the subjectRef and the transient identifier', async () => {
    const ledger = await setUp();
    expect(await errorOf(subjectKeyOf(ledger, '../x'))).toMatch(/^INVALID_ARGUMENT: subjectRef: must match/);
    expect(await errorOf(ledger.evaluate(recorderA, (ctx) => contract.LookupSubject(ctx)))).toContain(
      'INVALID_ARGUMENT: transient.identifier: is required',
    );
  });
});

describe('Subjects erasure', () => {
  async function registered(): Promise<InMemoryLedger> {
    const ledger = await setUp();
    await register(ledger);
    await register(ledger, { identifier: 'MRN-other', subjectRef: 'HospitalAMSP:s-other', subjectKey: hex('other') });
    return ledger;
  }
  const erase = (ledger: InMemoryLedger, subjectRef = 'HospitalAMSP:s-1', identity = adminA): Promise<string> =>
    ledger.submit(identity, (ctx) => contract.EraseSubject(ctx, subjectRef));
  const receipt = (
    ledger: InMemoryLedger,
    subjectRef = 'HospitalAMSP:s-1',
    identity = adminA,
    transient?: Record<string, string>,
  ): Promise<string> =>
    ledger.submit(identity, (ctx) => contract.RecordErasureReceipt(ctx, subjectRef), transient ? { transient } : {});

  it('EraseSubject purges the mapping and the subject key, leaves a private tombstone and writes nothing shared', async () => {
    const ledger = await registered();
    const before = ledger.privateKeys(collectionA);
    const result = await erase(ledger);
    expect(JSON.parse(result)).toEqual({ purged: true, subjectRef: 'HospitalAMSP:s-1' });
    const after = ledger.privateKeys(collectionA);
    expect(after.filter((key) => !before.includes(key))).toEqual(['subject-erased:HospitalAMSP:s-1']);
    expect(before.filter((key) => !after.includes(key)).sort()).toEqual(
      [
        `subject-lookup:${createHmac('sha256', Buffer.from(PEPPER, 'hex')).update(IDENTIFIER).digest('hex')}`,
        'subject:HospitalAMSP:s-1',
      ].sort(),
    );
    expect(JSON.stringify(after.map((key) => ledger.getPrivate(collectionA, key)))).not.toContain(SUBJECT_KEY);
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
    expect(await subjectKeyOf(ledger, 'HospitalAMSP:s-other')).toBe(hex('other'));
  });

  it('after erasure GetSubjectKey says erased, LookupSubject finds nothing, and the subjectRef cannot be reused', async () => {
    const ledger = await registered();
    await erase(ledger);
    expect(await refusalOf(subjectKeyOf(ledger, 'HospitalAMSP:s-1'))).toEqual({
      code: 'NOT_FOUND',
      message: 'subject HospitalAMSP:s-1 erased',
      reasons: [{ path: 'subjectRef', reason: 'erased' }],
    });
    expect(
      await errorOf(
        ledger.evaluate(recorderA, (ctx) => contract.LookupSubject(ctx), { transient: { identifier: IDENTIFIER } }),
      ),
    ).toMatch(/^NOT_FOUND/);
    expect(await errorOf(register(ledger, { identifier: 'MRN-new' }))).toContain(
      'CONFLICT: subjectRef HospitalAMSP:s-1 was erased and cannot be reused',
    );
    expect(await register(ledger, { subjectRef: 'HospitalAMSP:s-new', subjectKey: hex('new') })).toEqual({
      created: true,
      subjectRef: 'HospitalAMSP:s-new',
    });
  });

  it('EraseSubject is for admins of the org only, is idempotent, and refuses unknown subjects', async () => {
    const ledger = await registered();
    for (const role of ['recorder', 'consent-manager', 'auditor'])
      expect(await errorOf(erase(ledger, 'HospitalAMSP:s-1', as(A, role)))).toMatch(/^ACCESS_DENIED/);
    await initKeys(ledger, B, hex('b-content'), hex('b-pepper'));
    expect(await errorOf(erase(ledger, 'HospitalAMSP:s-1', as(B, 'admin')))).toContain(
      'NOT_FOUND: subject HospitalAMSP:s-1 does not exist',
    );
    expect(await subjectKeyOf(ledger, 'HospitalAMSP:s-1')).toBe(SUBJECT_KEY);
    await erase(ledger);
    expect(JSON.parse(await erase(ledger))).toEqual({ purged: true, subjectRef: 'HospitalAMSP:s-1' });
    expect(await errorOf(erase(ledger, 'never'))).toContain('NOT_FOUND: subject never does not exist');
  });

  it('RecordErasureReceipt refuses while the subject key is still present, and for a subject never erased', async () => {
    const ledger = await registered();
    expect(await errorOf(receipt(ledger))).toMatch(
      /^PRECONDITION_FAILED: the key of subject HospitalAMSP:s-1 is still present in _implicit_org_HospitalAMSP/,
    );
    expect(await errorOf(receipt(ledger, 'HospitalAMSP:never-registered'))).toMatch(
      /^PRECONDITION_FAILED: subject HospitalAMSP:never-registered has not been erased by HospitalAMSP/,
    );
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
  });

  it('RecordErasureReceipt writes the receipt and one SubjectErased event, with no personal data, verified from hashes on any peer', async () => {
    const ledger = await registered();
    await erase(ledger);
    // Runs on a peer of another org: it checks hashes, which every peer of the channel holds.
    const json = await ledger.submit(
      adminA,
      (ctx) => contract.RecordErasureReceipt(onPeerOf(ctx, 'RegulatorMSP'), 'HospitalAMSP:s-1'),
      {
        txTime: '2026-03-01T10:00:00.000Z',
      },
    );
    const stored = JSON.parse(json) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['erasedAt', 'erasedBy', 'org', 'subjectRef', 'txId']);
    expect(stored).toMatchObject({
      subjectRef: 'HospitalAMSP:s-1',
      org: A,
      erasedAt: '2026-03-01T10:00:00.000Z',
      erasedBy: 'app-admin',
    });
    expect(stored.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.events).toEqual([{ name: 'SubjectErased', payload: stored, txId: stored.txId }]);
    expect(ledger.keys().map((key) => ledger.get(key))).toEqual([json]);
    for (const secret of [IDENTIFIER, SUBJECT_KEY, PEPPER, CONTENT_KEY])
      expect(publicTrace(ledger)).not.toContain(secret);

    for (const role of ['recorder', 'consent-manager', 'auditor', 'admin']) {
      expect(
        await ledger.evaluate(as('RegulatorMSP', role), (ctx) => contract.GetErasureReceipt(ctx, 'HospitalAMSP:s-1')),
      ).toBe(json);
    }
    expect(await errorOf(subjectKeyOf(ledger, 'HospitalAMSP:s-1'))).toContain(
      'NOT_FOUND: subject HospitalAMSP:s-1 erased',
    );
  });

  it('RecordErasureReceipt is idempotent for the org, refused for another org, admins only, and carries no transient data', async () => {
    const ledger = await registered();
    await erase(ledger);
    expect(await errorOf(receipt(ledger, 'HospitalAMSP:s-1', as(A, 'recorder')))).toMatch(/^ACCESS_DENIED/);
    expect(await errorOf(receipt(ledger, 'HospitalAMSP:s-1', adminA, { identifier: IDENTIFIER }))).toMatch(
      /^INVALID_ARGUMENT: transient\.identifier: must not be sent/,
    );
    const first = await receipt(ledger);
    expect(await receipt(ledger)).toBe(first);
    expect(ledger.events).toHaveLength(1);
    expect(await errorOf(receipt(ledger, 'HospitalAMSP:s-1', as(B, 'admin')))).toMatch(
      /^ACCESS_DENIED: access denied: only the org that owns subject HospitalAMSP:s-1 \(HospitalAMSP\)/,
    );
  });

  it('GetErasureReceipt answers NOT_FOUND before a receipt and validates the subjectRef', async () => {
    const ledger = await registered();
    expect(
      await errorOf(ledger.evaluate(as(A, 'auditor'), (ctx) => contract.GetErasureReceipt(ctx, 'HospitalAMSP:s-1'))),
    ).toContain('NOT_FOUND: erasure receipt for HospitalAMSP:s-1 does not exist');
    expect(await errorOf(ledger.evaluate(as(A, 'auditor'), (ctx) => contract.GetErasureReceipt(ctx, '')))).toMatch(
      /^INVALID_ARGUMENT: subjectRef/,
    );
    expect(await errorOf(ledger.evaluate(as(A), (ctx) => contract.GetErasureReceipt(ctx, 'HospitalAMSP:s-1')))).toMatch(
      /^ACCESS_DENIED/,
    );
  });
});

describe('Subjects: a subject belongs to the org whose namespace its reference is in', () => {
  const adminB = as(B, 'admin');

  it('RegisterSubject refuses another org’s subjectRef (CONFLICT) and one in no namespace, and writes nothing', async () => {
    const ledger = await setUp();
    await initKeys(ledger, B, hex('b-content'), hex('b-pepper'));
    const keysBefore = ledger.privateKeys(`_implicit_org_${B}`);
    expect(await refusalOf(register(ledger, { subjectRef: 'HospitalAMSP:s-1' }, as(B, 'recorder')))).toEqual({
      code: 'CONFLICT',
      message:
        "subjectRef HospitalAMSP:s-1 belongs to HospitalAMSP: HospitalBMSP registers subjects only in its own namespace ('HospitalBMSP:…')",
    });
    expect(await errorOf(register(ledger, { subjectRef: 's-1' }, as(B, 'recorder')))).toBe(
      "INVALID_ARGUMENT: transient.subjectRef: must be in the caller's namespace ('HospitalBMSP:…')",
    );
    expect(ledger.privateKeys(`_implicit_org_${B}`)).toEqual(keysBefore);
    expect(ledger.keys()).toEqual([]);
  });

  it('RecordErasureReceipt is refused to another org even when its own collection holds a hand-made tombstone for the subject', async () => {
    const ledger = await setUp();
    await register(ledger);
    // A deviating member endorses its own implicit collection alone, so it can put anything there.
    await ledger.submit(adminB, (ctx) =>
      ctx.stub.putPrivateData(
        `_implicit_org_${B}`,
        'subject-erased:HospitalAMSP:s-1',
        Buffer.from('{"subjectRef":"HospitalAMSP:s-1"}'),
      ),
    );
    expect(
      await refusalOf(ledger.submit(adminB, (ctx) => contract.RecordErasureReceipt(ctx, 'HospitalAMSP:s-1'))),
    ).toEqual({
      code: 'ACCESS_DENIED',
      message:
        "access denied: only the org that owns subject HospitalAMSP:s-1 (HospitalAMSP) may record its erasure; HospitalBMSP owns only 'HospitalBMSP:…'",
    });
    expect(await errorOf(ledger.submit(adminA, (ctx) => contract.RecordErasureReceipt(ctx, 's-legacy')))).toMatch(
      /^ACCESS_DENIED: access denied: only the org that owns subject s-legacy \(none/,
    );
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
    // The owner still records its own receipt once it has erased the subject.
    await ledger.submit(adminA, (ctx) => contract.EraseSubject(ctx, 'HospitalAMSP:s-1'));
    expect(
      JSON.parse(await ledger.submit(adminA, (ctx) => contract.RecordErasureReceipt(ctx, 'HospitalAMSP:s-1'))),
    ).toMatchObject({ org: A, subjectRef: 'HospitalAMSP:s-1' });
  });
});
