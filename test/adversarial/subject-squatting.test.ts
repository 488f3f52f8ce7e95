import { randomBytes } from 'node:crypto';
import { TRANSACTIONS, type StoredConsent } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import { submitTransaction } from '../support/chaincode-calls';
import {
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Squatting of subjects: the AIProvider, alone, tries to take over a HospitalA patient's pseudonym —
 * register it as its own, grant consents about it, or publish an erasure receipt for it. A subject
 * belongs to the org whose namespace its reference is in (`HospitalAMSP:…`), which every endorser
 * judges from the reference itself.
 */
const run = runSuffix();
const clients = new MemberClients();
const hospitalSubject = `HospitalAMSP:adv-squat-${run}`;
/** In HospitalA's namespace but not (yet) registered by anyone: squatting ahead of the owner. */
const unclaimedSubject = `HospitalAMSP:adv-squat-${run}-unclaimed`;
let hospitalSecrets: { identifier: string; subjectKey: string };

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const randomHex = (): string => randomBytes(32).toString('hex');

beforeAll(async () => {
  hospitalSecrets = await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, hospitalSubject);
  // The AIProvider's own org keys exist, so nothing but subject ownership stands in its way below.
  await submitTransaction(clients.contract(AI_PROVIDER, 'admin'), TRANSACTIONS.initOrgKeys, {
    transientData: { contentKey: utf8(randomHex()), lookupPepper: utf8(randomHex()) },
    endorsingOrganizations: [AI_PROVIDER.mspId],
  });
});

afterAll(() => clients.close());

describe('squatting of subjects', () => {
  it('the AIProvider cannot register a subjectRef in HospitalA’s namespace, registered or not (CONFLICT)', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    for (const subjectRef of [hospitalSubject, unclaimedSubject]) {
      const refusal = await codedRefusal(
        provider.submit(TRANSACTIONS.registerSubject, {
          transientData: {
            identifier: utf8(`squatter-${subjectRef}`),
            subjectRef: utf8(subjectRef),
            subjectKey: utf8(randomHex()),
          },
          endorsingOrganizations: [AI_PROVIDER.mspId],
        }),
      );
      expect({ subjectRef, code: refusal.code }).toEqual({ subjectRef, code: 'CONFLICT' });
      // Nothing of it reached the AIProvider's own collection either: no key, no identifier mapping.
      expect({ subjectRef, read: await readRefusalCode(provider, TRANSACTIONS.getSubjectKey, subjectRef) }).toEqual({
        subjectRef,
        read: 'NOT_FOUND',
      });
      const lookup = await codedRefusal(
        provider.evaluate(TRANSACTIONS.lookupSubject, {
          transientData: { identifier: utf8(`squatter-${subjectRef}`) },
        }),
      );
      expect({ subjectRef, lookup: lookup.code }).toEqual({ subjectRef, lookup: 'NOT_FOUND' });
    }
    // HospitalA's registration is untouched.
    expect(
      await evaluateJsonArgs(clients.contract(HOSPITAL_A, 'recorder'), TRANSACTIONS.getSubjectKey, hospitalSubject),
    ).toEqual({ subjectKey: hospitalSecrets.subjectKey });
  });

  it('the AIProvider cannot grant a consent about HospitalA’s subject (ACCESS_DENIED), and none is stored', async () => {
    const manager = clients.contract(AI_PROVIDER, 'consent-manager');
    for (const subjectRef of [hospitalSubject, unclaimedSubject]) {
      const consentId = `AIProviderMSP:adv-squat-${run}-${subjectRef === hospitalSubject ? 'registered' : 'unclaimed'}`;
      const consent = consentRecord(consentId, subjectRef, {
        grantees: ['AIProviderMSP'],
        purposes: ['ai-inference', 'model-training'],
      });
      expect({
        subjectRef,
        code: (await codedRefusal(manager.submitTransaction(TRANSACTIONS.grantConsent, JSON.stringify(consent)))).code,
      }).toEqual({ subjectRef, code: 'ACCESS_DENIED' });
      expect(await readRefusalCode(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getConsent, consentId)).toBe(
        'NOT_FOUND',
      );
    }
    const page = await evaluateJsonArgs<{ records: StoredConsent[] }>(
      clients.contract(REGULATOR, 'auditor'),
      TRANSACTIONS.queryConsents,
      JSON.stringify({ by: 'subjectRef', value: hospitalSubject }),
    );
    expect(page.records).toEqual([]);
  });

  it('the AIProvider cannot record an erasure receipt for HospitalA’s subject (ACCESS_DENIED); the subject stays usable by its owner', async () => {
    const admin = clients.contract(AI_PROVIDER, 'admin');
    for (const subjectRef of [hospitalSubject, unclaimedSubject]) {
      expect({
        subjectRef,
        code: (await codedRefusal(admin.submitTransaction(TRANSACTIONS.recordErasureReceipt, subjectRef))).code,
      }).toEqual({ subjectRef, code: 'ACCESS_DENIED' });
      expect(
        await readRefusalCode(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getErasureReceipt, subjectRef),
      ).toBe('NOT_FOUND');
    }
    expect(
      await evaluateJsonArgs(clients.contract(HOSPITAL_A, 'recorder'), TRANSACTIONS.getSubjectKey, hospitalSubject),
    ).toEqual({ subjectKey: hospitalSecrets.subjectKey });
    const consentId = `HospitalAMSP:adv-squat-${run}-owner`;
    expect(
      await submitJson<StoredConsent>(
        clients.contract(HOSPITAL_A, 'consent-manager'),
        TRANSACTIONS.grantConsent,
        JSON.stringify(consentRecord(consentId, hospitalSubject)),
      ),
    ).toMatchObject({
      id: consentId,
      controller: HOSPITAL_A.mspId,
    });
  });
});
