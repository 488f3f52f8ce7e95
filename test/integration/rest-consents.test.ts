import { eventually } from '../support/eventually';
import { conformanceProblems } from '../support/openapi-conformance';
import { bearer, loadTestEnvironment } from '../support/test-network';

const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const hospitalB = environment.apps.HospitalB ?? '';
const aiProvider = environment.apps.AIProvider ?? '';
const regulator = environment.apps.Regulator ?? '';
const A = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const COMMITMENT = `hmac-sha256:${'1'.repeat(64)}`;

let openApi: unknown;

/** Calls an app and checks the answer against that app's OpenAPI document. */
async function call(
  app: string,
  org: string,
  role: 'recorder' | 'consent-manager' | 'auditor' | 'admin',
  method: string,
  path: string,
  template: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${app}${path}`, {
    method,
    headers: {
      ...bearer(environment, org, role),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  expect(
    conformanceProblems(openApi, method, template, response.status, response.headers.get('content-type') ?? '', parsed),
  ).toEqual([]);
  return { status: response.status, body: parsed, headers: response.headers };
}

describe('subjects and consents over HTTP against the real network', () => {
  beforeAll(async () => {
    openApi = await (await fetch(`${hospitalA}/openapi.json`)).json();
  });

  it('registers a subject, grants, checks, revokes, re-checks, and reads history, FHIR and queries — all over HTTP', async () => {
    const identifier = unique('MRN');
    const registered = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'POST',
      `${A}/subjects`,
      '/api/v1/channels/{channel}/subjects',
      { identifier },
    );
    expect(registered.status).toBe(201);
    const subjectRef = String(registered.body.subjectRef);
    expect(subjectRef).toMatch(/^HospitalAMSP:sub_[0-9a-f]{32}$/);
    const again = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${A}/subjects`,
      '/api/v1/channels/{channel}/subjects',
      { identifier },
    );
    expect(again).toMatchObject({ status: 200, body: { subjectRef, created: false } });
    const lookup = await call(
      hospitalA,
      'HospitalA',
      'auditor',
      'POST',
      `${A}/subjects/lookup`,
      '/api/v1/channels/{channel}/subjects/lookup',
      { identifier },
    );
    expect(lookup.body).toEqual({ subjectRef });

    const id = unique('consent');
    // Posted bare to HospitalA's app, stored and answered as HospitalA's qualified id.
    const consentRef = `HospitalAMSP:${id}`;
    const consent = {
      id,
      subjectRef,
      grantees: ['AIProviderMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: COMMITMENT,
      jurisdiction: 'DE',
    };
    const granted = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'POST',
      `${A}/consents`,
      '/api/v1/channels/{channel}/consents',
      consent,
    );
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ id: consentRef, controller: 'HospitalAMSP', subjectRef });
    expect(granted.headers.get('location')).toBe(`${A}/consents/${encodeURIComponent(consentRef)}`);

    const checkPath = `${A}/consents/check?subjectRef=${subjectRef}&purpose=ai-inference&grantee=AIProviderMSP`;
    const allowed = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'GET',
      checkPath,
      '/api/v1/channels/{channel}/consents/check',
    );
    expect(allowed.body).toMatchObject({ allowed: true, consentId: consentRef });
    // The AIProvider may ask for itself, not for another org: the chaincode refuses, the app answers 403.
    const forAnother = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'GET',
      `${A}/consents/check?subjectRef=${subjectRef}&purpose=ai-inference&grantee=HospitalAMSP`,
      '/api/v1/channels/{channel}/consents/check',
    );
    expect(forAnother).toMatchObject({ status: 403, body: { status: 403, title: 'Forbidden' } });

    const revoked = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'POST',
      `${A}/consents/${consentRef}/revoke`,
      '/api/v1/channels/{channel}/consents/{id}/revoke',
      { reason: 'subject-request' },
    );
    expect(revoked).toMatchObject({
      status: 200,
      body: { id: consentRef, revocationReason: 'subject-request', revokedBy: 'app-consent-manager' },
    });
    const refused = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'GET',
      checkPath,
      '/api/v1/channels/{channel}/consents/check',
    );
    expect(refused.body.allowed).toBe(false);
    // Asked about a moment before the revocation, the answer is as it stood then.
    const before = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'GET',
      `${checkPath}&at=${encodeURIComponent(String(granted.body.grantedAt))}`,
      '/api/v1/channels/{channel}/consents/check',
    );
    expect(before.body.allowed).toBe(true);

    // History and queries answer from each app's audit index: minBlock (the revocation's block) waits until it holds both versions.
    const revokedAt = revoked.headers.get('x-block-number') ?? '';
    const grantedAt = granted.headers.get('x-block-number') ?? '';
    expect(Number(revokedAt)).toBeGreaterThan(Number(grantedAt));
    const history = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${A}/consents/${consentRef}/history?minBlock=${revokedAt}`,
      '/api/v1/channels/{channel}/consents/{id}/history',
    );
    expect(history.status).toBe(200);
    expect(Number(history.body.asOfBlock)).toBeGreaterThanOrEqual(Number(revokedAt));
    expect(
      (history.body.records as { change: string; blockNumber: string; txId: string }[]).map((version) => [
        version.change,
        version.blockNumber,
        version.txId,
      ]),
    ).toEqual([
      ['revocation', revokedAt, revoked.headers.get('x-transaction-id')],
      ['grant', grantedAt, granted.headers.get('x-transaction-id')],
    ]);

    const fhir = await fetch(`${regulator}${A}/consents/${consentRef}/fhir`, {
      headers: bearer(environment, 'Regulator', 'auditor'),
    });
    expect(fhir.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await fhir.json()).toMatchObject({ resourceType: 'Consent', status: 'inactive' });

    const page = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'GET',
      `${A}/consents?by=subjectRef&value=${subjectRef}&status=revoked&pageSize=10&minBlock=${revokedAt}`,
      '/api/v1/channels/{channel}/consents',
    );
    expect(page.status).toBe(200);
    expect(Number(page.body.asOfBlock)).toBeGreaterThanOrEqual(Number(revokedAt));
    expect((page.body.records as { id: string }[]).map((record) => record.id)).toEqual([consentRef]);
    const read = await call(
      aiProvider,
      'AIProvider',
      'auditor',
      'GET',
      `${A}/consents/${consentRef}`,
      '/api/v1/channels/{channel}/consents/{id}',
    );
    expect(read.body).toMatchObject({ id: consentRef, status: 'revoked' });
  });

  it('refuses by role, by org and by channel membership', async () => {
    const { body } = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'POST',
      `${A}/subjects`,
      '/api/v1/channels/{channel}/subjects',
      { identifier: unique('MRN') },
    );
    const subjectRef = String(body.subjectRef);
    const consent = {
      id: unique('consent'),
      subjectRef,
      grantees: ['AIProviderMSP'],
      decision: 'permit',
      purposes: ['treatment'],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: COMMITMENT,
    };
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'POST',
          `${A}/consents`,
          '/api/v1/channels/{channel}/consents',
          consent,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call(hospitalA, 'HospitalA', 'auditor', 'POST', `${A}/subjects`, '/api/v1/channels/{channel}/subjects', {
          identifier: 'x',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'consent-manager',
          'POST',
          `${A}/consents`,
          '/api/v1/channels/{channel}/consents',
          consent,
        )
      ).status,
    ).toBe(201);
    // HospitalB is not on hospital-a: its app does not know the channel.
    expect(
      (
        await call(
          hospitalB,
          'HospitalB',
          'auditor',
          'GET',
          `${A}/consents/HospitalAMSP:${consent.id}`,
          '/api/v1/channels/{channel}/consents/{id}',
        )
      ).status,
    ).toBe(404);
    // The regulator's consent-manager is neither controller nor grantee: the chaincode refuses (once the
    // consent's block has reached the Regulator's peer: until then it does not exist there, 404).
    expect(
      (
        await eventually(
          "HospitalA's consent on the Regulator's peer",
          () =>
            call(
              regulator,
              'Regulator',
              'consent-manager',
              'GET',
              `${A}/consents/HospitalAMSP:${consent.id}`,
              '/api/v1/channels/{channel}/consents/{id}',
            ),
          (answer) => answer.status !== 404,
        )
      ).status,
    ).toBe(403);
    // Only the controller may revoke: AIProvider's consent manager gets 403 from the chaincode.
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'consent-manager',
          'POST',
          `${A}/consents/HospitalAMSP:${consent.id}/revoke`,
          '/api/v1/channels/{channel}/consents/{id}/revoke',
          { reason: 'other' },
        )
      ).status,
    ).toBe(403);
    // The same id with other content is a conflict.
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'consent-manager',
          'POST',
          `${A}/consents`,
          '/api/v1/channels/{channel}/consents',
          { ...consent, purposes: ['research'] },
        )
      ).status,
    ).toBe(409);
    // An identifier registered at HospitalA is unknown to AIProvider's private collection.
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'auditor',
          'GET',
          `${A}/subjects/${subjectRef}`,
          '/api/v1/channels/{channel}/subjects/{subjectRef}',
        )
      ).status,
    ).toBe(404);
  });

  it('erases a subject over HTTP: receipt for everyone, key answering erased, identifier no longer found', async () => {
    const identifier = unique('MRN-erase');
    const { body } = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${A}/subjects`,
      '/api/v1/channels/{channel}/subjects',
      { identifier },
    );
    const subjectRef = String(body.subjectRef);
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'auditor',
          'GET',
          `${A}/subjects/${subjectRef}`,
          '/api/v1/channels/{channel}/subjects/{subjectRef}',
        )
      ).body,
    ).toEqual({ subjectRef, status: 'registered' });
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'consent-manager',
          'DELETE',
          `${A}/subjects/${subjectRef}`,
          '/api/v1/channels/{channel}/subjects/{subjectRef}',
        )
      ).status,
    ).toBe(403);

    const erased = await call(
      hospitalA,
      'HospitalA',
      'admin',
      'DELETE',
      `${A}/subjects/${subjectRef}`,
      '/api/v1/channels/{channel}/subjects/{subjectRef}',
    );
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ subjectRef, org: 'HospitalAMSP', erasedBy: 'app-admin' });
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'GET',
          `${A}/subjects/${subjectRef}`,
          '/api/v1/channels/{channel}/subjects/{subjectRef}',
        )
      ).body,
    ).toEqual({ subjectRef, status: 'erased' });
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'recorder',
          'POST',
          `${A}/subjects/lookup`,
          '/api/v1/channels/{channel}/subjects/lookup',
          { identifier },
        )
      ).status,
    ).toBe(404);
    const receipt = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${A}/subjects/${subjectRef}/erasure`,
      '/api/v1/channels/{channel}/subjects/{subjectRef}/erasure',
    );
    expect(receipt.body).toEqual(erased.body);
    // Erasing again answers the same receipt.
    expect(
      (
        await call(
          hospitalA,
          'HospitalA',
          'admin',
          'DELETE',
          `${A}/subjects/${subjectRef}`,
          '/api/v1/channels/{channel}/subjects/{subjectRef}',
        )
      ).body,
    ).toEqual(erased.body);
  });
});
