import type { z } from 'zod';
import type { FieldViolation } from '../errors/contract-error';
import {
  REVOCATION_REASONS,
  consentInputSchema,
  granteesJudgedFor,
  recordingGrantees,
  revocationReasonSchema,
} from './consent';
import { collectViolations } from './validate';

function violationsOf(schema: z.ZodType, value: unknown): string[] {
  const violations: FieldViolation[] = [];
  collectViolations(schema, value, violations);
  return violations.map((violation) => `${violation.path}: ${violation.rule}`);
}

const consent = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'c-1',
  subjectRef: 'HospitalAMSP:subj-1',
  grantees: ['AIProviderMSP', 'HospitalAMSP:triage-app'],
  decision: 'permit',
  purposes: ['ai-inference'],
  period: { start: '2026-01-01T00:00:00Z', end: '2026-12-31T23:59:59Z' },
  policyCommitment: `hmac-sha256:${'a'.repeat(64)}`,
  ...overrides,
});

describe('consent input schema', () => {
  it('accepts a valid consent, with and without the optional fields', () => {
    expect(violationsOf(consentInputSchema, consent())).toEqual([]);
    expect(
      violationsOf(
        consentInputSchema,
        consent({
          dataCategories: ['labs'],
          jurisdiction: 'US-CA',
          collectionMethod: 'paper form',
          period: { start: '2026-01-01T00:00:00Z' },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a period that ends before (or when) it starts, at period.end', () => {
    expect(
      violationsOf(
        consentInputSchema,
        consent({ period: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } }),
      ),
    ).toEqual(['period.end: must be after period.start']);
    expect(
      violationsOf(
        consentInputSchema,
        consent({ period: { start: '2026-02-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }),
      ),
    ).toEqual(['period.end: must be after period.start']);
  });

  it('names every bad field, unknown fields included, and every missing one', () => {
    expect(
      violationsOf(
        consentInputSchema,
        consent({
          grantees: [],
          decision: 'maybe',
          purposes: ['ai-inference', 'ai-inference'],
          jurisdiction: 'Germany',
          period: { start: 'soon', until: 'x' },
          controller: 'HospitalBMSP',
        }),
      ),
    ).toEqual([
      'grantees: must have 1 to 32 items',
      'decision: must be one of permit, deny',
      'purposes: must not contain duplicates',
      'period.start: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)',
      'period.until: is not a known field',
      'jurisdiction: must be an ISO 3166 code such as DE or US-CA',
      'controller: is not a known field',
    ]);
    expect(violationsOf(consentInputSchema, { id: 'c-1' })).toEqual([
      'subjectRef: is required',
      'grantees: is required',
      'decision: is required',
      'purposes: is required',
      'period: is required',
      'policyCommitment: is required',
    ]);
  });

  it('takes a revocation reason only as a code from the closed list, never free text', () => {
    for (const code of REVOCATION_REASONS) expect(violationsOf(revocationReasonSchema, code)).toEqual([]);
    const rule =
      ': must be one of subject-request, withdrawn-by-controller, expired-policy, entered-in-error, legal-requirement, other';
    expect(violationsOf(revocationReasonSchema, 'patient withdrew consent')).toEqual([rule]);
    expect(violationsOf(revocationReasonSchema, 'Subject-Request')).toEqual([rule]);
    expect(violationsOf(revocationReasonSchema, '')).toEqual([rule]);
  });
});

describe('grantees judged for a use', () => {
  it('binds a recording to the recording org: the org and `<org>:<applicationId>`, never the application id alone', () => {
    expect(recordingGrantees('HospitalAMSP', 'triage-app')).toEqual(['HospitalAMSP', 'HospitalAMSP:triage-app']);
    // Whatever a client puts in applicationId stays inside its own org's namespace.
    expect(recordingGrantees('AIProviderMSP', 'HospitalAMSP')).toEqual(['AIProviderMSP', 'AIProviderMSP:HospitalAMSP']);
    expect(recordingGrantees('AIProviderMSP', 'HospitalAMSP:triage-app')).toEqual([
      'AIProviderMSP',
      'AIProviderMSP:HospitalAMSP:triage-app',
    ]);
  });

  it('judges a CheckConsent question about an application for its org too, as a recording is judged', () => {
    expect(granteesJudgedFor('HospitalAMSP:triage-app')).toEqual(['HospitalAMSP', 'HospitalAMSP:triage-app']);
    expect(granteesJudgedFor('AIProviderMSP')).toEqual(['AIProviderMSP']);
  });
});
