import { TRANSACTIONS, type ConsentVerdict, type StoredConsent } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  MemberClients,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Late grants: a controller grants a consent today whose period starts a year ago, so that uses
 * recorded without consent in the past would look covered when checked afterwards. Before the
 * ledger's time of the grant (`grantedAt`) the consent is `not-granted`, whatever its period says.
 */
const run = runSuffix();
const clients = new MemberClients();
const subjectRef = `HospitalAMSP:adv-late-${run}`;
const consentId = `HospitalAMSP:adv-late-${run}`;
const DAY_MS = 24 * 3600 * 1000;
let granted: StoredConsent;

beforeAll(async () => {
  await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
  granted = await submitJson<StoredConsent>(
    clients.contract(HOSPITAL_A, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(
      consentRecord(consentId, subjectRef, { period: { start: new Date(Date.now() - 365 * DAY_MS).toISOString() } }),
    ),
  );
});

afterAll(() => clients.close());

describe('late grants', () => {
  it('CheckConsent a month ago answers not allowed: before its grant the consent was not-granted', async () => {
    const monthAgo = new Date(Date.parse(granted.grantedAt) - 30 * DAY_MS).toISOString();
    expect(Date.parse(granted.period.start)).toBeLessThan(Date.parse(monthAgo));
    for (const [org, role] of [
      [AI_PROVIDER, 'recorder'],
      [HOSPITAL_A, 'consent-manager'],
      [REGULATOR, 'auditor'],
    ] as const) {
      const verdict = await evaluateJsonArgs<ConsentVerdict>(
        clients.contract(org, role),
        TRANSACTIONS.checkConsent,
        subjectRef,
        'ai-inference',
        'AIProviderMSP',
        monthAgo,
      );
      expect({ org: org.mspId, allowed: verdict.allowed }).toEqual({ org: org.mspId, allowed: false });
      expect(verdict.reason).toContain(`${consentId} is not-granted`);
    }
  });

  it('from the grant on, the same question is allowed (the consent itself is valid)', async () => {
    const auditor = clients.contract(REGULATOR, 'auditor');
    expect(
      await evaluateJsonArgs<ConsentVerdict>(
        auditor,
        TRANSACTIONS.checkConsent,
        subjectRef,
        'ai-inference',
        'AIProviderMSP',
        granted.grantedAt,
      ),
    ).toMatchObject({ allowed: true, consentId });
    expect(
      await evaluateJsonArgs<ConsentVerdict>(
        auditor,
        TRANSACTIONS.checkConsent,
        subjectRef,
        'ai-inference',
        'AIProviderMSP',
        '',
      ),
    ).toMatchObject({ allowed: true, consentId });
  });
});
