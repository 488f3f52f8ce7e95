import {
  ContractError,
  ROLES,
  TRANSACTIONS,
  ValidationError,
  subjectErasedRefusal,
  type Role,
} from '@aal/ledger-contract';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { compositeKey, testBlock } from '../../testing/block-builder';
import type { RecordedLedgerCall } from '../../testing/fake-ledger-client';

const BASE = '/api/v1/channels/hospital-a';
const COMMITMENT = `hmac-sha256:${'a'.repeat(64)}`;
const consent = {
  id: 'c-1',
  subjectRef: 'sub_1',
  grantees: ['AIProviderMSP'],
  decision: 'permit',
  purposes: ['ai-inference'],
  period: { start: '2026-01-01T00:00:00Z' },
  policyCommitment: COMMITMENT,
};
const storedConsent = {
  ...consent,
  id: 'HospitalAMSP:c-1',
  controller: 'HospitalAMSP',
  grantedBy: 'app-consent-manager',
  grantedAt: '2026-01-01T00:00:00.000Z',
  txId: 'c'.repeat(64),
  status: 'active',
};
const artifact = {
  id: 'ds-1',
  kind: 'dataset',
  name: 'notes',
  version: '1',
  sha256: 'b'.repeat(64),
  consentIds: ['c-1'],
};
const storedArtifact = {
  ...artifact,
  registeredBy: 'AIProviderMSP',
  registeredByUser: 'app-recorder',
  txId: 'c'.repeat(64),
  txTime: '2026-01-01T00:00:00.000Z',
};
const receipt = {
  subjectRef: 'sub_1',
  org: 'HospitalAMSP',
  erasedAt: '2026-01-01T00:00:00.000Z',
  erasedBy: 'app-admin',
  txId: 'd'.repeat(64),
};

/** Answers every transaction these routes call the way the chaincode does on success. */
function scriptLedger(app: AppHarness): void {
  const answers: Record<string, (call: RecordedLedgerCall) => unknown> = {
    [TRANSACTIONS.initOrgKeys]: () => ({ created: true, initialised: true }),
    [TRANSACTIONS.registerSubject]: (call) => ({ subjectRef: call.options?.transient?.subjectRef, created: true }),
    [TRANSACTIONS.lookupSubject]: () => ({ subjectRef: 'sub_1' }),
    [TRANSACTIONS.getSubjectKey]: () => ({ subjectKey: 'e'.repeat(64) }),
    [TRANSACTIONS.eraseSubject]: () => ({ subjectRef: 'sub_1', purged: true }),
    [TRANSACTIONS.recordErasureReceipt]: () => receipt,
    [TRANSACTIONS.getErasureReceipt]: () => receipt,
    [TRANSACTIONS.grantConsent]: () => storedConsent,
    [TRANSACTIONS.revokeConsent]: () => ({
      ...storedConsent,
      status: 'revoked',
      revokedAt: '2026-02-01T00:00:00.000Z',
      revokedBy: 'app-consent-manager',
      revocationReason: 'subject-request',
      revocationTxId: 'f'.repeat(64),
    }),
    [TRANSACTIONS.getConsent]: () => storedConsent,
    [TRANSACTIONS.getConsentHistory]: () => ({
      records: [{ txId: 'c'.repeat(64), txTime: '2026-01-01T00:00:00.000Z', isDelete: false, consent: storedConsent }],
    }),
    [TRANSACTIONS.queryConsents]: () => ({ records: [storedConsent], bookmark: 'next-page' }),
    [TRANSACTIONS.checkConsent]: () => ({ allowed: true, consentId: 'c-1', reason: 'permitted by consent c-1' }),
    [TRANSACTIONS.exportConsentFhir]: () => ({ resourceType: 'Consent', status: 'active' }),
    [TRANSACTIONS.registerArtifact]: () => storedArtifact,
    [TRANSACTIONS.getArtifact]: () => storedArtifact,
    [TRANSACTIONS.queryArtifacts]: () => ({ records: [storedArtifact], bookmark: '' }),
    [TRANSACTIONS.verifyArtifact]: (call) => ({
      id: call.args[0],
      match: call.args[1] === artifact.sha256,
      registeredSha256: artifact.sha256,
    }),
    [TRANSACTIONS.recordTrainingRun]: () => ({
      id: 'run-1',
      modelArtifactId: 'm-1',
      datasetArtifactIds: ['ds-1'],
      org: 'AIProviderMSP',
      recordedBy: 'app-recorder',
      txId: 'c'.repeat(64),
      txTime: '2026-01-01T00:00:00.000Z',
      consentCoverage: [],
    }),
    [TRANSACTIONS.getTrainingRun]: () => ({ id: 'run-1' }),
  };
  for (const [transaction, answer] of Object.entries(answers))
    app.ledger.handlers.set(transaction, (call) => JSON.stringify(answer(call)));
}

interface RouteCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly allowed: readonly Role[];
  readonly okStatus: number;
  /** Answered from the audit index (no ledger call). */
  readonly fromIndex?: boolean;
}

const ROUTES: readonly RouteCase[] = [
  {
    name: 'register subject',
    method: 'POST',
    path: `${BASE}/subjects`,
    body: { identifier: 'MRN-1' },
    allowed: ['recorder', 'consent-manager', 'admin'],
    okStatus: 201,
  },
  {
    name: 'look up subject',
    method: 'POST',
    path: `${BASE}/subjects/lookup`,
    body: { identifier: 'MRN-1' },
    allowed: ROLES,
    okStatus: 200,
  },
  { name: 'subject status', method: 'GET', path: `${BASE}/subjects/sub_1`, allowed: ROLES, okStatus: 200 },
  { name: 'erase subject', method: 'DELETE', path: `${BASE}/subjects/sub_1`, allowed: ['admin'], okStatus: 200 },
  { name: 'erasure receipt', method: 'GET', path: `${BASE}/subjects/sub_1/erasure`, allowed: ROLES, okStatus: 200 },
  {
    name: 'grant consent',
    method: 'POST',
    path: `${BASE}/consents`,
    body: consent,
    allowed: ['consent-manager'],
    okStatus: 201,
  },
  {
    name: 'revoke consent',
    method: 'POST',
    path: `${BASE}/consents/c-1/revoke`,
    body: { reason: 'subject-request' },
    allowed: ['consent-manager'],
    okStatus: 200,
  },
  {
    name: 'check consent',
    method: 'GET',
    path: `${BASE}/consents/check?subjectRef=sub_1&purpose=ai-inference&grantee=AIProviderMSP`,
    allowed: ROLES,
    okStatus: 200,
  },
  {
    name: 'query consents',
    method: 'GET',
    path: `${BASE}/consents?by=subjectRef&value=sub_1&pageSize=10`,
    allowed: ROLES,
    okStatus: 200,
    fromIndex: true,
  },
  { name: 'read consent', method: 'GET', path: `${BASE}/consents/c-1`, allowed: ROLES, okStatus: 200 },
  {
    name: 'consent history',
    method: 'GET',
    path: `${BASE}/consents/c-1/history`,
    allowed: ROLES,
    okStatus: 200,
    fromIndex: true,
  },
  { name: 'consent FHIR', method: 'GET', path: `${BASE}/consents/c-1/fhir`, allowed: ROLES, okStatus: 200 },
  {
    name: 'register artifact',
    method: 'POST',
    path: `${BASE}/artifacts`,
    body: artifact,
    allowed: ['recorder', 'admin'],
    okStatus: 201,
  },
  {
    name: 'query artifacts',
    method: 'GET',
    path: `${BASE}/artifacts?by=kind&value=dataset`,
    allowed: ROLES,
    okStatus: 200,
  },
  { name: 'read artifact', method: 'GET', path: `${BASE}/artifacts/ds-1`, allowed: ROLES, okStatus: 200 },
  {
    name: 'verify artifact',
    method: 'POST',
    path: `${BASE}/artifacts/ds-1/verify`,
    body: { sha256: 'b'.repeat(64) },
    allowed: ROLES,
    okStatus: 200,
  },
  {
    name: 'record training run',
    method: 'POST',
    path: `${BASE}/training-runs`,
    body: { id: 'run-1', modelArtifactId: 'm-1', datasetArtifactIds: ['ds-1'] },
    allowed: ['recorder', 'admin'],
    okStatus: 201,
  },
  { name: 'read training run', method: 'GET', path: `${BASE}/training-runs/run-1`, allowed: ROLES, okStatus: 200 },
];

async function problemOf(
  response: Response,
  status: number,
): Promise<{ title: string; detail: string; errors?: { field: string; message: string }[] }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { title: string; detail: string; errors?: { field: string; message: string }[] };
}

describe('subject, consent and artifact routes (fake ledger)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness();
    // The audit index holds consent HospitalAMSP:c-1 (block 0), as its peer's first block would deliver it.
    await app.auditIndex.ingest(
      'hospital-a',
      testBlock(0, [
        {
          txId: storedConsent.txId,
          writes: [
            {
              key: compositeKey('consent', 'HospitalAMSP:c-1'),
              value: JSON.stringify({ ...storedConsent, status: undefined }),
            },
          ],
        },
      ]),
    );
    scriptLedger(app);
  });
  afterEach(() => app.close());

  describe.each(ROUTES)('$name', (route) => {
    it.each(ROLES)('as %s', async (role) => {
      const response = await app.request(route.method, route.path, {
        key: app.keys[role],
        ...(route.body === undefined ? {} : { body: route.body }),
      });
      if (route.allowed.includes(role)) {
        expect(response.status).toBe(route.okStatus);
        if (route.fromIndex === true) {
          expect(app.ledger.calls).toEqual([]);
          return;
        }
        expect(app.ledger.calls.length).toBeGreaterThan(0);
        // The ledger is called with the caller's own role's identity (org-key initialisation aside, which is the admin's).
        expect(
          app.ledger.calls
            .filter((call) => call.transaction !== TRANSACTIONS.initOrgKeys)
            .every((call) => call.role === role),
        ).toBe(true);
      } else {
        await problemOf(response, 403);
        expect(app.ledger.calls).toEqual([]);
      }
    });
  });

  it('registers a subject with a fresh random ref and key in the transient map, after initialising org keys once as admin', async () => {
    const first = await app.request('POST', `${BASE}/subjects`, {
      key: app.keys.recorder,
      body: { identifier: 'MRN-secret-1' },
    });
    expect(first.status).toBe(201);
    const { subjectRef } = (await first.json()) as { subjectRef: string };
    expect(subjectRef).toMatch(/^HospitalAMSP:sub_[0-9a-f]{32}$/);
    await app.request('POST', `${BASE}/subjects`, { key: app.keys.recorder, body: { identifier: 'MRN-secret-2' } });

    const init = app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.initOrgKeys);
    expect(init).toHaveLength(1);
    expect(init[0]?.role).toBe('admin');
    expect(init[0]?.args).toEqual([]);
    const keys = init[0]?.options?.transient ?? {};
    expect(keys.contentKey).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.lookupPepper).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.contentKey).not.toBe(keys.lookupPepper);

    const registrations = app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.registerSubject);
    expect(registrations.map((call) => call.args)).toEqual([[], []]);
    const [a, b] = registrations.map((call) => call.options?.transient ?? {});
    expect(a).toMatchObject({ identifier: 'MRN-secret-1', subjectRef });
    expect(a?.subjectKey).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.subjectRef).not.toBe(a?.subjectRef);
    expect(b?.subjectKey).not.toBe(a?.subjectKey);
    expect(app.logLines.join('\n')).not.toContain('MRN-secret');
  });

  it('answers 200 with created false for an identifier already registered, and 404 for an unknown one', async () => {
    app.ledger.handlers.set(TRANSACTIONS.registerSubject, () =>
      JSON.stringify({ subjectRef: 'sub_existing', created: false }),
    );
    const again = await app.request('POST', `${BASE}/subjects`, {
      key: app.keys['consent-manager'],
      body: { identifier: 'MRN-1' },
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ subjectRef: 'sub_existing', created: false });
    app.ledger.handlers.set(TRANSACTIONS.lookupSubject, () => {
      throw new ContractError({ code: 'NOT_FOUND', message: 'no subject is registered for this identifier' });
    });
    await problemOf(
      await app.request('POST', `${BASE}/subjects/lookup`, {
        key: app.keys.auditor,
        body: { identifier: 'MRN-unknown' },
      }),
      404,
    );
    const lookup = app.ledger.calls.find((call) => call.transaction === TRANSACTIONS.lookupSubject);
    expect(lookup?.args).toEqual([]);
    expect(lookup?.options?.transient).toEqual({ identifier: 'MRN-unknown' });
  });

  it('refuses identifiers that are empty, too long or hold control characters, before the ledger', async () => {
    for (const identifier of ['', 'x'.repeat(257), 'MRN\n1', 42]) {
      const problem = await problemOf(
        await app.request('POST', `${BASE}/subjects/lookup`, { key: app.keys.recorder, body: { identifier } }),
        400,
      );
      expect(problem.errors?.map((error) => error.field)).toEqual(['identifier']);
    }
    expect(app.ledger.calls).toEqual([]);
  });

  it('erases, retrying the receipt until the purge is visible to the other endorsers', async () => {
    let refusals = 2;
    app.ledger.handlers.set(TRANSACTIONS.recordErasureReceipt, () => {
      if (refusals-- > 0)
        throw new ContractError({ code: 'PRECONDITION_FAILED', message: 'the key of subject sub_1 is still present' });
      return JSON.stringify(receipt);
    });
    const response = await app.request('DELETE', `${BASE}/subjects/sub_1`, { key: app.keys.admin });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(receipt);
    // The receipt's block, so a client can read its erasure back from the audit index (minBlock).
    expect(response.headers.get('x-block-number')).toMatch(/^[1-9][0-9]*$/);
    expect(app.ledger.calls.map((call) => call.transaction)).toEqual([
      TRANSACTIONS.eraseSubject,
      TRANSACTIONS.recordErasureReceipt,
      TRANSACTIONS.recordErasureReceipt,
      TRANSACTIONS.recordErasureReceipt,
    ]);
  });

  it('answers a subject status of erased once its key is gone, never the key', async () => {
    const registered = await app.request('GET', `${BASE}/subjects/sub_1`, { key: app.keys.auditor });
    expect(await registered.json()).toEqual({ subjectRef: 'sub_1', status: 'registered' });
    app.ledger.handlers.set(TRANSACTIONS.getSubjectKey, () => {
      throw new ContractError(subjectErasedRefusal('sub_1'));
    });
    const erased = await app.request('GET', `${BASE}/subjects/sub_1`, { key: app.keys.auditor });
    expect(await erased.json()).toEqual({ subjectRef: 'sub_1', status: 'erased' });
    app.ledger.handlers.set(TRANSACTIONS.getSubjectKey, () => {
      throw new ContractError({ code: 'NOT_FOUND', message: 'subject sub_2 does not exist' });
    });
    await problemOf(await app.request('GET', `${BASE}/subjects/sub_2`, { key: app.keys.auditor }), 404);
  });

  it('refuses an invalid consent naming every failing field, before the ledger', async () => {
    const problem = await problemOf(
      await app.request('POST', `${BASE}/consents`, {
        key: app.keys['consent-manager'],
        body: {
          ...consent,
          grantees: [],
          decision: 'maybe',
          period: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
          policyCommitment: 'sha256:x',
          extra: 1,
        },
      }),
      400,
    );
    expect(problem.errors?.map((error) => error.field).sort()).toEqual([
      'decision',
      'extra',
      'grantees',
      'policyCommitment',
    ]);
    // The rule between fields (the contract's) is checked once every field is valid on its own.
    const period = await problemOf(
      await app.request('POST', `${BASE}/consents`, {
        key: app.keys['consent-manager'],
        body: { ...consent, period: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } },
      }),
      400,
    );
    expect(period.errors).toEqual([{ field: 'period.end', message: 'must be after period.start' }]);
    expect(app.ledger.calls).toEqual([]);
  });

  it('passes the consent, the revocation and the check to the chaincode as it documents them, and queries the index', async () => {
    await app.request('POST', `${BASE}/consents`, { key: app.keys['consent-manager'], body: consent });
    await app.request('POST', `${BASE}/consents/c-1/revoke`, {
      key: app.keys['consent-manager'],
      body: { reason: 'subject-request' },
    });
    await app.request(
      'GET',
      `${BASE}/consents/check?subjectRef=sub_1&purpose=ai-inference&grantee=AIProviderMSP&at=2026-01-02T00:00:00Z`,
      { key: app.keys.recorder },
    );
    const page = await app.request(
      'GET',
      `${BASE}/consents?by=grantee&value=AIProviderMSP&status=active&pageSize=5&cursor=abc`,
      { key: app.keys.auditor },
    );
    // The index holds c-1 (granted to AIProviderMSP, active now) as of block 0; a cursor is the index's own.
    expect(page.status).toBe(400);
    const first = await app.request('GET', `${BASE}/consents?by=grantee&value=AIProviderMSP&status=active&pageSize=5`, {
      key: app.keys.auditor,
    });
    expect(await first.json()).toEqual({
      records: [{ ...storedConsent, status: 'active' }],
      nextCursor: null,
      asOfBlock: '0',
    });
    expect(app.ledger.calls.map((call) => [call.transaction, call.args])).toEqual([
      // Bare ids name this org's consent: passed on qualified with the app's MSP id.
      [TRANSACTIONS.grantConsent, [JSON.stringify({ ...consent, id: 'HospitalAMSP:c-1' })]],
      [TRANSACTIONS.revokeConsent, ['HospitalAMSP:c-1', 'subject-request']],
      [TRANSACTIONS.checkConsent, ['sub_1', 'ai-inference', 'AIProviderMSP', '2026-01-02T00:00:00Z']],
    ]);
    expect(app.ledger.calls.every((call) => call.options?.transient === undefined)).toBe(true);
  });

  it('refuses bad query parameters with 400', async () => {
    const check = await problemOf(
      await app.request('GET', `${BASE}/consents/check?subjectRef=sub_1&at=yesterday`, { key: app.keys.recorder }),
      400,
    );
    expect(check.errors?.map((error) => error.field).sort()).toEqual(['at', 'grantee', 'purpose']);
    const query = await problemOf(
      await app.request('GET', `${BASE}/consents?by=colour&value=x&pageSize=0`, { key: app.keys.auditor }),
      400,
    );
    expect(query.errors?.map((error) => error.field).sort()).toEqual(['by', 'pageSize']);
    expect(app.ledger.calls).toEqual([]);
  });

  it('maps chaincode refusals to problem statuses', async () => {
    const cases: [ContractError, number][] = [
      [new ContractError({ code: 'NOT_FOUND', message: 'consent c-1 does not exist' }), 404],
      [
        new ContractError({ code: 'ACCESS_DENIED', message: 'access denied: HospitalBMSP may not read consent c-1' }),
        403,
      ],
      [new ContractError({ code: 'CONFLICT', message: 'consent c-1 already exists with different content' }), 409],
      [new ValidationError([{ path: 'period.start', rule: 'must be an RFC 3339 date-time' }]), 422],
    ];
    for (const [refusal, status] of cases) {
      app.ledger.failures.push(refusal);
      const problem = await problemOf(
        await app.request('GET', `${BASE}/consents/c-1`, { key: app.keys.auditor }),
        status,
      );
      expect(problem.detail).toBe(refusal.detail);
      expect(problem.errors).toEqual(
        refusal.violations.length > 0
          ? refusal.violations.map((violation) => ({ field: violation.path, message: violation.rule }))
          : undefined,
      );
    }
  });

  it('exports FHIR as application/fhir+json', async () => {
    const response = await app.request('GET', `${BASE}/consents/c-1/fhir`, { key: app.keys.auditor });
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await response.json()).toEqual({ resourceType: 'Consent', status: 'active' });
  });

  it('answers a refused training run with 422 and one error per failing input, as the chaincode names them', async () => {
    const reasons = [
      { path: 'datasetArtifactIds[0]', reason: 'dataset ds-1: consent c-1 does not cover model-training' },
      { path: 'datasetArtifactIds[1]', reason: 'dataset ds-2 lists no consents, so nothing covers model-training' },
      { path: '', reason: 'the datasets list more than 5000 consents: split the run' },
    ];
    app.ledger.handlers.set(TRANSACTIONS.recordTrainingRun, () => {
      throw new ContractError({ code: 'PRECONDITION_FAILED', message: 'training run run-1 refused', reasons });
    });
    const problem = await problemOf(
      await app.request('POST', `${BASE}/training-runs`, {
        key: app.keys.recorder,
        body: { id: 'run-1', modelArtifactId: 'm-1', datasetArtifactIds: ['ds-1', 'ds-2'] },
      }),
      422,
    );
    expect(problem).toMatchObject({ title: 'Training run refused', detail: 'training run run-1 refused' });
    expect(problem.errors).toEqual([
      { field: 'datasetArtifactIds[0]', message: 'dataset ds-1: consent c-1 does not cover model-training' },
      { field: 'datasetArtifactIds[1]', message: 'dataset ds-2 lists no consents, so nothing covers model-training' },
      { field: '', message: 'the datasets list more than 5000 consents: split the run' },
    ]);
  });

  it('verifies digests: a mismatch is an answer, a malformed digest a 400', async () => {
    const mismatch = await app.request('POST', `${BASE}/artifacts/ds-1/verify`, {
      key: app.keys.auditor,
      body: { sha256: 'c'.repeat(64) },
    });
    expect(await mismatch.json()).toMatchObject({ match: false });
    await problemOf(
      await app.request('POST', `${BASE}/artifacts/ds-1/verify`, {
        key: app.keys.auditor,
        body: { sha256: 'C'.repeat(64) },
      }),
      400,
    );
  });

  it('refuses an artifact naming itself as parent, and duplicates in lists', async () => {
    const problem = await problemOf(
      await app.request('POST', `${BASE}/artifacts`, {
        key: app.keys.recorder,
        body: { ...artifact, parents: ['ds-1'], consentIds: ['c-1', 'c-1'] },
      }),
      400,
    );
    expect(problem.errors?.map((error) => error.field).sort()).toEqual(['consentIds', 'parents']);
  });

  it('lists every route in the OpenAPI document with its roles', async () => {
    const document = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { 'x-roles': string[]; responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    expect(document.paths['/api/v1/channels/{channel}/consents']?.post?.['x-roles']).toEqual(['consent-manager']);
    expect(document.paths['/api/v1/channels/{channel}/subjects/{subjectRef}']?.delete?.['x-roles']).toEqual(['admin']);
    expect(
      Object.keys(
        document.paths['/api/v1/channels/{channel}/consents/{id}/fhir']?.get?.responses['200']?.content ?? {},
      ),
    ).toEqual(['application/fhir+json']);
    expect(
      Object.keys(document.paths['/api/v1/channels/{channel}/events']?.get?.responses['200']?.content ?? {}),
    ).toEqual(['text/event-stream']);
  });
});
