import { bearer, loadTestEnvironment } from '../support/test-network';

/**
 * The whole privacy promise over HTTP: a subject's interaction verifies against its content until the
 * subject is erased; after erasure the same content answers `erased` (crypto-shredding), the record
 * itself is unchanged on the ledger, and no new consent can be granted about the subject.
 */
const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const CHANNEL = '/api/v1/channels/hospital-a';
const PROMPT = 'Summarise the discharge letter of the patient in bed 12';
const OUTPUT = 'Discharged in good health; follow-up in two weeks.';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

async function call(
  role: 'recorder' | 'consent-manager' | 'auditor' | 'admin',
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hospitalA}${CHANNEL}${path}`, {
    method,
    headers: {
      ...bearer(environment, 'HospitalA', role),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('erasure over HTTP: commitments stop verifying, the record stays as it was', () => {
  it('verifies content before erasure, answers erased after it, and refuses new consents about the erased subject', async () => {
    const registered = await call('consent-manager', 'POST', '/subjects', { identifier: unique('MRN') });
    expect(registered.status).toBe(201);
    const subjectRef = String(registered.body.subjectRef);

    const consentId = unique('consent');
    const consent = {
      id: consentId,
      subjectRef,
      grantees: ['HospitalAMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'2'.repeat(64)}`,
    };
    expect((await call('consent-manager', 'POST', '/consents', consent)).status).toBe(201);

    const id = unique('ix');
    const recorded = await call('recorder', 'POST', '/interactions', {
      id,
      startTime: '2026-01-01T10:00:00Z',
      endTime: '2026-01-01T10:00:02Z',
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      usage: { inputTokens: 40, outputTokens: 12, source: 'provider' },
      cost: { status: 'priced', amountMinor: 3, currency: 'EUR' },
      latencyMs: 2000,
      status: 'ok',
      applicationId: 'discharge-assistant',
      subjectRef,
      consentId,
      purpose: 'ai-inference',
      prompt: PROMPT,
      output: OUTPUT,
    });
    expect(recorded.status).toBe(201);
    const stored = recorded.body.interaction as Record<string, unknown>;
    // The consent was granted bare through HospitalA's app: it is HospitalA's qualified id.
    expect(stored.consentCheck).toMatchObject({ allowed: true, consentId: `HospitalAMSP:${consentId}` });

    expect(
      (await call('auditor', 'POST', `/interactions/${id}/verify`, { prompt: PROMPT, output: OUTPUT })).body,
    ).toEqual({ interactionId: `HospitalAMSP:${id}`, prompt: 'match', output: 'match' });
    expect(
      (await call('auditor', 'POST', `/interactions/${id}/verify`, { prompt: `${PROMPT}.`, output: OUTPUT })).body,
    ).toEqual({ interactionId: `HospitalAMSP:${id}`, prompt: 'mismatch', output: 'match' });

    const erased = await call('admin', 'DELETE', `/subjects/${encodeURIComponent(subjectRef)}`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ subjectRef, org: 'HospitalAMSP' });
    expect(JSON.stringify(erased.body)).not.toMatch(/MRN-/);

    expect(
      (await call('auditor', 'POST', `/interactions/${id}/verify`, { prompt: PROMPT, output: OUTPUT })).body,
    ).toEqual({ interactionId: `HospitalAMSP:${id}`, prompt: 'erased', output: 'erased' });
    const after = await call('auditor', 'GET', `/interactions/${id}`);
    expect(after.status).toBe(200);
    expect(after.body.interaction).toEqual(stored);

    const refused = await call('consent-manager', 'POST', '/consents', { ...consent, id: unique('consent') });
    expect(refused.status).toBe(422);
    expect(String(refused.body.detail)).toContain(`subject ${subjectRef} was erased at`);
  });
});
