import { TRANSACTIONS, type ConsentVerdict, type StoredInteraction } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  runSuffix,
  submitJson,
  type Json,
} from '../support/deviating-member';
import { eventually } from '../support/eventually';
import { registerSubjectOnLedger } from '../support/registered-subject';
import { bearer, loadTestEnvironment } from '../support/test-network';

/**
 * Borrowed consent: HospitalA's patient consented to HospitalA's triage application. The AIProvider,
 * acting alone with its own recorder identity, records uses of that patient's data under the
 * hospital's application name (bare, namespaced, or the hospital's MSP id) hoping the ledger judges
 * them covered. The ledger judges exactly [recording MSP, `<recording MSP>:<applicationId>`], both
 * from the certificate: the records are stored, flagged not allowed, and show up in violation scans
 * (the apps' audit index, built from the blocks: the chaincode's query entries are gone).
 */
const run = runSuffix();
const clients = new MemberClients();
const environment = loadTestEnvironment();
const subjectRef = `HospitalAMSP:adv-borrow-${run}`;
const consentId = `HospitalAMSP:adv-borrow-${run}`;

beforeAll(async () => {
  await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
  await submitJson(
    clients.contract(HOSPITAL_A, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(
      consentRecord(consentId, subjectRef, { grantees: ['HospitalAMSP:triage-app'], purposes: ['ai-inference'] }),
    ),
  );
});

afterAll(() => clients.close());

describe('borrowed consent (a member recording under another org’s application name)', () => {
  const borrowedNames = ['triage-app', 'HospitalAMSP:triage-app', 'HospitalAMSP'];
  const ids = borrowedNames.map((_, index) => `AIProviderMSP:adv-borrow-${run}-p${index}`);

  it('stores each AIProvider record with consentCheck.allowed === false, judged for the AIProvider and its own application only', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    for (const [index, applicationId] of borrowedNames.entries()) {
      const id = ids[index] ?? '';
      const stored = await submitJson<StoredInteraction>(
        provider,
        TRANSACTIONS.recordInteraction,
        JSON.stringify(interactionRecord(id, { subjectRef, purpose: 'ai-inference', applicationId })),
      );
      expect({ applicationId, org: stored.org, allowed: stored.consentCheck?.allowed }).toEqual({
        applicationId,
        org: AI_PROVIDER.mspId,
        allowed: false,
      });
      // The grantees judged, as the verdict names them: the certificate's MSP and that MSP's application.
      expect(stored.consentCheck?.reason).toContain(`for AIProviderMSP or AIProviderMSP:${applicationId}`);
      expect(stored.consentCheck?.consentId).toBeUndefined();
    }
  });

  it('keeps them on the ledger as stored, visible to the regulator’s violation scan of the subject', async () => {
    // Point reads: the verdict stored with each record at commit time.
    const auditor = clients.contract(REGULATOR, 'auditor');
    for (const id of ids) {
      expect(await evaluateJsonArgs<StoredInteraction>(auditor, TRANSACTIONS.getInteraction, id)).toMatchObject({
        id,
        org: AI_PROVIDER.mspId,
        consentCheck: { allowed: false },
      });
    }
    // The scan of the subject: the Regulator's app answers from its audit index (rows built from the
    // blocks, with the stored verdict), once the index holds every record written above.
    const regulator = `${environment.apps[REGULATOR.name] ?? ''}/api/v1/channels/${HOSPITAL_A_CHANNEL}`;
    const get = async (path: string): Promise<Json> => {
      const response = await fetch(`${regulator}${path}`, { headers: bearer(environment, REGULATOR.name, 'auditor') });
      expect(response.status).toBe(200);
      return (await response.json()) as Json;
    };
    const listed = await eventually(
      'the Regulator’s index holds the borrowed-consent records',
      async () => (await get(`/interactions?by=subjectRef&value=${subjectRef}`))['records'] as StoredInteraction[],
      (records) => ids.every((id) => records.some((row) => row.id === id)),
      60_000,
    );
    const notAllowed = listed.filter((row) => row.consentCheck?.allowed === false).map((row) => row.id);
    expect(notAllowed.sort()).toEqual([...ids].sort());
    const violations = (await get(`/audit/violations?by=subjectRef&value=${subjectRef}`))['records'] as {
      id: string;
    }[];
    expect(violations.map((row) => row.id).sort()).toEqual([...ids].sort());
  });

  it('allows HospitalA’s own recording with applicationId triage-app (the consent works for whom it names)', async () => {
    const id = `HospitalAMSP:adv-borrow-${run}-h`;
    const stored = await submitJson<StoredInteraction>(
      clients.contract(HOSPITAL_A, 'recorder'),
      TRANSACTIONS.recordInteraction,
      JSON.stringify(interactionRecord(id, { subjectRef, purpose: 'ai-inference', applicationId: 'triage-app' })),
    );
    expect(stored.consentCheck).toEqual({
      allowed: true,
      consentId,
      reason: `consent ${consentId} permits ai-inference for HospitalAMSP or HospitalAMSP:triage-app`,
    });
  });

  it('CheckConsent matches exactly the names a consent lists: a bare application id matches nothing', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    const check = (grantee: string): Promise<ConsentVerdict> =>
      evaluateJsonArgs<ConsentVerdict>(provider, TRANSACTIONS.checkConsent, subjectRef, 'ai-inference', grantee, '');
    // Asking on the hospital's behalf is not the AIProvider's question to ask (consent-disclosure.test.ts).
    for (const grantee of ['HospitalAMSP:triage-app', 'triage-app'])
      expect({ grantee, code: (await codedRefusal(check(grantee))).code }).toEqual({ grantee, code: 'ACCESS_DENIED' });
    expect(
      await evaluateJsonArgs<ConsentVerdict>(
        clients.contract(HOSPITAL_A, 'recorder'),
        TRANSACTIONS.checkConsent,
        subjectRef,
        'ai-inference',
        'HospitalAMSP:triage-app',
        '',
      ),
    ).toMatchObject({ allowed: true, consentId });
    // The owner may ask about a bare application id: the consent does not cover it.
    expect(
      await evaluateJsonArgs<ConsentVerdict>(
        clients.contract(HOSPITAL_A, 'recorder'),
        TRANSACTIONS.checkConsent,
        subjectRef,
        'ai-inference',
        'triage-app',
        '',
      ),
    ).toMatchObject({ allowed: false });
    // For itself, under the hospital's application name too, it is covered by nothing.
    for (const grantee of ['AIProviderMSP', 'AIProviderMSP:triage-app'])
      expect({ grantee, ...(await check(grantee)) }).toMatchObject({ grantee, allowed: false });
  });
});
