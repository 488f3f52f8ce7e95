import type { StoredConsent } from '@aal/ledger-contract';
import { mayReadConsent } from './consent-access';

const consent = (grantees: string[]): StoredConsent => ({
  id: 'c-1',
  subjectRef: 'HospitalAMSP:subj-1',
  grantees,
  decision: 'permit',
  purposes: ['ai-inference'],
  period: { start: '2026-01-01T00:00:00Z' },
  policyCommitment: `hmac-sha256:${'a'.repeat(64)}`,
  controller: 'HospitalAMSP',
  grantedBy: 'app-consent-manager',
  grantedAt: '2026-01-01T00:00:00.000Z',
  txId: 'tx',
});
const recorderOf = (mspId: string) => ({ mspId, role: 'recorder' as const, enrollmentId: 'app-recorder' });

describe('mayReadConsent', () => {
  it('lets the controller and every org the consent names read it, also when it names only one of their applications', () => {
    expect(mayReadConsent(recorderOf('HospitalAMSP'), consent(['AIProviderMSP']))).toBe(true);
    expect(mayReadConsent(recorderOf('AIProviderMSP'), consent(['AIProviderMSP']))).toBe(true);
    expect(mayReadConsent(recorderOf('AIProviderMSP'), consent(['AIProviderMSP:summary-app']))).toBe(true);
  });

  it('refuses an org neither controlling nor named, whatever its applications are called', () => {
    expect(mayReadConsent(recorderOf('HospitalBMSP'), consent(['AIProviderMSP:summary-app']))).toBe(false);
    expect(mayReadConsent(recorderOf('AIProviderMSP'), consent(['HospitalBMSP:AIProviderMSP']))).toBe(false);
  });
});
