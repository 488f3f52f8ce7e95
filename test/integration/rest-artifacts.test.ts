import { createHash } from 'node:crypto';
import { conformanceProblems } from '../support/openapi-conformance';
import { bearer, loadTestEnvironment } from '../support/test-network';

const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const aiProvider = environment.apps.AIProvider ?? '';
const regulator = environment.apps.Regulator ?? '';
const A = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let openApi: unknown;

async function call(
  app: string,
  org: string,
  role: 'recorder' | 'consent-manager' | 'auditor' | 'admin',
  method: string,
  path: string,
  template: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
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
  return { status: response.status, body: parsed };
}

/** HospitalA registers a subject and grants AIProvider a consent for `purposes`; answers the consent id. */
async function consentFor(purposes: string[]): Promise<string> {
  const { body } = await call(
    hospitalA,
    'HospitalA',
    'consent-manager',
    'POST',
    `${A}/subjects`,
    '/api/v1/channels/{channel}/subjects',
    { identifier: unique('MRN') },
  );
  const id = unique('consent');
  const granted = await call(
    hospitalA,
    'HospitalA',
    'consent-manager',
    'POST',
    `${A}/consents`,
    '/api/v1/channels/{channel}/consents',
    {
      id,
      subjectRef: body.subjectRef,
      grantees: ['AIProviderMSP'],
      decision: 'permit',
      purposes,
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'2'.repeat(64)}`,
    },
  );
  expect(granted.status).toBe(201);
  return `HospitalAMSP:${id}`;
}

describe('artifacts and training runs over HTTP against the real network', () => {
  beforeAll(async () => {
    openApi = await (await fetch(`${aiProvider}/openapi.json`)).json();
  });

  it('registers artifacts, verifies digests, refuses a training run with one reason per failing dataset, then accepts it', async () => {
    const training = await consentFor(['model-training']);
    const researchOnly = await consentFor(['research']);
    const name = unique('notes');
    const artifact = (id: string, kind: string, consentIds?: string[]) => ({
      id,
      kind,
      name,
      version: '1.0',
      sha256: sha256(id),
      uri: `s3://bucket/${id}`,
      ...(consentIds ? { consentIds } : {}),
    });
    const model = `AIProviderMSP:${unique('model')}`;
    const good = `HospitalAMSP:${unique('ds-good')}`;
    const bad = `HospitalAMSP:${unique('ds-bad')}`;
    // A dataset lists only its registering org's consents: the AIProvider may not list HospitalA's …
    const borrowed = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'POST',
      `${A}/artifacts`,
      '/api/v1/channels/{channel}/artifacts',
      artifact(unique('ds-borrowed'), 'dataset', [researchOnly, training]),
    );
    expect(borrowed.status).toBe(422);
    expect((borrowed.body.errors as { field: string }[]).map((error) => error.field)).toEqual([
      'consentIds[0]',
      'consentIds[1]',
    ]);
    // … so HospitalA, the controller, registers its datasets; the AIProvider its model.
    for (const [app, org, registeredBy, body] of [
      [aiProvider, 'AIProvider', 'AIProviderMSP', artifact(model, 'model')],
      [hospitalA, 'HospitalA', 'HospitalAMSP', artifact(good, 'dataset', [training])],
      [hospitalA, 'HospitalA', 'HospitalAMSP', artifact(bad, 'dataset', [researchOnly])],
    ] as const) {
      const registered = await call(
        app,
        org,
        'recorder',
        'POST',
        `${A}/artifacts`,
        '/api/v1/channels/{channel}/artifacts',
        body,
      );
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ id: body.id, registeredBy });
    }
    // Same content again: the stored artifact; other content under the same id: 409.
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'admin',
          'POST',
          `${A}/artifacts`,
          '/api/v1/channels/{channel}/artifacts',
          artifact(model, 'model'),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'recorder',
          'POST',
          `${A}/artifacts`,
          '/api/v1/channels/{channel}/artifacts',
          { ...artifact(model, 'model'), version: '2.0' },
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'consent-manager',
          'POST',
          `${A}/artifacts`,
          '/api/v1/channels/{channel}/artifacts',
          artifact(unique('x'), 'other'),
        )
      ).status,
    ).toBe(403);

    const match = await call(
      regulator,
      'Regulator',
      'auditor',
      'POST',
      `${A}/artifacts/${good}/verify`,
      '/api/v1/channels/{channel}/artifacts/{id}/verify',
      { sha256: sha256(good) },
    );
    expect(match.body).toMatchObject({ id: good, match: true });
    const mismatch = await call(
      regulator,
      'Regulator',
      'auditor',
      'POST',
      `${A}/artifacts/${good}/verify`,
      '/api/v1/channels/{channel}/artifacts/{id}/verify',
      { sha256: sha256('tampered') },
    );
    expect(mismatch.body).toMatchObject({ match: false, registeredSha256: sha256(good) });
    expect(
      (
        await call(
          regulator,
          'Regulator',
          'auditor',
          'POST',
          `${A}/artifacts/${unique('absent')}/verify`,
          '/api/v1/channels/{channel}/artifacts/{id}/verify',
          { sha256: sha256('x') },
        )
      ).status,
    ).toBe(404);

    const byName = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'GET',
      `${A}/artifacts?by=name&value=${name}&pageSize=2`,
      '/api/v1/channels/{channel}/artifacts',
    );
    expect((byName.body.records as { id: string }[]).map((record) => record.id)).toEqual([model, good]);
    expect(byName.body.nextCursor).toEqual(expect.any(String));
    const rest = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'GET',
      `${A}/artifacts?by=name&value=${name}&pageSize=2&cursor=${encodeURIComponent(String(byName.body.nextCursor))}`,
      '/api/v1/channels/{channel}/artifacts',
    );
    expect((rest.body.records as { id: string }[]).map((record) => record.id)).toEqual([bad]);

    const runId = `AIProviderMSP:${unique('run')}`;
    const refused = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'POST',
      `${A}/training-runs`,
      '/api/v1/channels/{channel}/training-runs',
      { id: runId, modelArtifactId: model, datasetArtifactIds: [good, bad] },
    );
    expect(refused.status).toBe(422);
    const errors = refused.body.errors as { field: string; message: string }[];
    expect(errors.map((error) => error.field)).toEqual(['datasetArtifactIds[1]']);
    expect(errors[0]?.message).toContain(`dataset ${bad}:`);
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'auditor',
          'GET',
          `${A}/training-runs/${runId}`,
          '/api/v1/channels/{channel}/training-runs/{id}',
        )
      ).status,
    ).toBe(404);

    const accepted = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'POST',
      `${A}/training-runs`,
      '/api/v1/channels/{channel}/training-runs',
      {
        id: runId,
        modelArtifactId: model,
        datasetArtifactIds: [good],
        notesCommitment: `hmac-sha256:${'7'.repeat(64)}`,
      },
    );
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({
      id: runId,
      org: 'AIProviderMSP',
      consentCoverage: [{ datasetArtifactId: good, consentIds: [training] }],
    });
    const read = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${A}/training-runs/${runId}`,
      '/api/v1/channels/{channel}/training-runs/{id}',
    );
    expect(read.body).toMatchObject({ id: runId, txId: accepted.body.txId });
  });
});
