import type { StoredConsent } from '@aal/ledger-contract';
import { mayAskAboutConsent, mayReadConsent } from './consent-access';

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

describe('mayAskAboutConsent', () => {
  const subject = 'HospitalAMSP:subj-1';

  it('lets the subject’s owner ask about any grantee, and any org ask for itself or one of its applications', () => {
    for (const grantee of ['AIProviderMSP', 'HospitalBMSP:triage-app', 'HospitalAMSP:triage-app', 'triage-app'])
      expect(mayAskAboutConsent(recorderOf('HospitalAMSP'), subject, grantee)).toBe(true);
    expect(mayAskAboutConsent(recorderOf('AIProviderMSP'), subject, 'AIProviderMSP')).toBe(true);
    expect(mayAskAboutConsent(recorderOf('AIProviderMSP'), subject, 'AIProviderMSP:summary-app')).toBe(true);
  });

  it('lets the configured auditor org’s auditors ask anything, and no other role of it, nor another org’s auditors', () => {
    const regulator = { mspId: 'RegulatorMSP', role: 'auditor' as const, enrollmentId: 'app-auditor' };
    expect(mayAskAboutConsent(regulator, subject, 'AIProviderMSP')).toBe(true);
    expect(mayAskAboutConsent(recorderOf('RegulatorMSP'), subject, 'AIProviderMSP')).toBe(false);
    expect(mayAskAboutConsent({ ...regulator, mspId: 'HospitalBMSP' }, subject, 'AIProviderMSP')).toBe(false);
  });

  it('refuses an org asking about another org’s subject for another org, its applications or a bare name', () => {
    for (const grantee of ['HospitalAMSP', 'HospitalAMSP:triage-app', 'HospitalBMSP:AIProviderMSP', 'triage-app'])
      expect(mayAskAboutConsent(recorderOf('AIProviderMSP'), subject, grantee)).toBe(false);
    // A subject reference without a namespace belongs to no org.
    expect(mayAskAboutConsent(recorderOf('AIProviderMSP'), 'AIProviderMSP', 'HospitalAMSP')).toBe(false);
  });
});
