import { TRANSACTIONS, type ConsentVerdict, type StoredInteraction } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  codedRefusal,
  consentRecord,
  eraseWithReceipt,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
  type Json,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Erasure stops use: once HospitalA has erased a subject and recorded the public receipt, no member
 * — the hospital itself included — can go on using the subject's data under its old consents.
 */
const run = runSuffix();
const clients = new MemberClients();
const subjectRef = `HospitalAMSP:adv-erase-${run}`;
const consentId = `HospitalAMSP:adv-erase-${run}`;
const usedBefore = `AIProviderMSP:adv-erase-${run}-before`;
type ConsentView = { id: string; status: string };

beforeAll(async () => {
  await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
  await submitJson(
    clients.contract(HOSPITAL_A, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(consentRecord(consentId, subjectRef)),
  );
  const before = await submitJson<StoredInteraction>(
    clients.contract(AI_PROVIDER, 'recorder'),
    TRANSACTIONS.recordInteraction,
    JSON.stringify(interactionRecord(usedBefore, { subjectRef, purpose: 'ai-inference' })),
  );
  // Before the erasure the consent covers the use: what follows is the erasure's doing.
  expect(before.consentCheck).toMatchObject({ allowed: true, consentId });
  await eraseWithReceipt(clients, HOSPITAL_A, subjectRef);
}, 180_000);

afterAll(() => clients.close());

describe('erasure stops use', () => {
  it('the subject’s consents answer status erased, to the controller, the grantee and the auditor', async () => {
    for (const [org, role] of [
      [HOSPITAL_A, 'consent-manager'],
      [AI_PROVIDER, 'recorder'],
      [REGULATOR, 'auditor'],
    ] as const) {
      const contract = clients.contract(org, role);
      expect({
        org: org.mspId,
        status: (await evaluateJsonArgs<ConsentView>(contract, TRANSACTIONS.getConsent, consentId)).status,
      }).toEqual({ org: org.mspId, status: 'erased' });
      const page = await evaluateJsonArgs<{ records: ConsentView[] }>(
        contract,
        TRANSACTIONS.queryConsents,
        JSON.stringify({ by: 'subjectRef', value: subjectRef }),
      );
      expect({ org: org.mspId, records: page.records.map((record) => [record.id, record.status]) }).toEqual({
        org: org.mspId,
        records: [[consentId, 'erased']],
      });
    }
  });

  it('CheckConsent answers not allowed', async () => {
    const verdict = await evaluateJsonArgs<ConsentVerdict>(
      clients.contract(AI_PROVIDER, 'recorder'),
      TRANSACTIONS.checkConsent,
      subjectRef,
      'ai-inference',
      'AIProviderMSP',
      '',
    );
    expect(verdict.allowed).toBe(false);
    expect(verdict.reason).toContain('erased');
  });

  it('a new interaction naming the subject is refused from any org (PRECONDITION_FAILED), alone, in a list or in a Merkle batch; nothing is written', async () => {
    const auditor = clients.contract(REGULATOR, 'auditor');
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      const recorder = clients.contract(org, 'recorder');
      const id = (what: string): string => `${org.mspId}:adv-erase-${run}-${org.slug}-${what}`;
      const naming = (recordId: string): Json => interactionRecord(recordId, { subjectRef, purpose: 'ai-inference' });

      const single = await codedRefusal(
        recorder.submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(naming(id('single')))),
      );
      expect({ org: org.mspId, code: single.code, paths: single.reasons?.map((reason) => reason.path) }).toEqual({
        org: org.mspId,
        code: 'PRECONDITION_FAILED',
        paths: ['subjectRef'],
      });

      // The innocent first record shares the refusal: a call is all or nothing.
      const list = await codedRefusal(
        recorder.submitTransaction(
          TRANSACTIONS.recordInteractions,
          JSON.stringify([interactionRecord(id('list-0')), naming(id('list-1'))]),
        ),
      );
      expect({ org: org.mspId, code: list.code, paths: list.reasons?.map((reason) => reason.path) }).toEqual({
        org: org.mspId,
        code: 'PRECONDITION_FAILED',
        paths: ['[1].subjectRef'],
      });

      const batch = await codedRefusal(
        recorder.submitTransaction(
          TRANSACTIONS.recordBatch,
          JSON.stringify([interactionRecord(id('batch-0')), naming(id('batch-1'))]),
        ),
      );
      expect({ org: org.mspId, code: batch.code, paths: batch.reasons?.map((reason) => reason.path) }).toEqual({
        org: org.mspId,
        code: 'PRECONDITION_FAILED',
        paths: ['[1].subjectRef'],
      });

      for (const refused of [id('single'), id('list-0'), id('list-1'), id('batch-0'), id('batch-1')]) {
        expect({ refused, read: await readRefusalCode(auditor, TRANSACTIONS.getInteraction, refused) }).toEqual({
          refused,
          read: 'NOT_FOUND',
        });
      }
    }
    // The use recorded before the erasure stays on the ledger as it was.
    expect(await evaluateJsonArgs<StoredInteraction>(auditor, TRANSACTIONS.getInteraction, usedBefore)).toMatchObject({
      id: usedBefore,
      consentCheck: { allowed: true, consentId },
    });
  });

  it('no new consent can be granted about the erased subject, even by its owner (PRECONDITION_FAILED)', async () => {
    const again = `HospitalAMSP:adv-erase-${run}-again`;
    const refusal = await codedRefusal(
      clients
        .contract(HOSPITAL_A, 'consent-manager')
        .submitTransaction(TRANSACTIONS.grantConsent, JSON.stringify(consentRecord(again, subjectRef))),
    );
    expect(refusal.code).toBe('PRECONDITION_FAILED');
    expect(await readRefusalCode(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getConsent, again)).toBe(
      'NOT_FOUND',
    );
  });
});
