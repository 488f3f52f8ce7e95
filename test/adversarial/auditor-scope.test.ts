import { TRANSACTIONS, type StoredInteraction } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, HOSPITAL_B, REGULATOR } from '@aal/network';
import { chaincodeMessage, contractErrorOf } from '../support/chaincode-calls';
import {
  codedRefusal,
  evaluateJsonArgs,
  interactionRecord,
  MemberClients,
  runSuffix,
  submitJson,
} from '../support/deviating-member';

/**
 * Auditor scope: every org's CA can mint a certificate with role=auditor. Reading every org's
 * records is for the configured auditor org (the Regulator) only; another member's auditor
 * identity reads its own org's records, like the org's other roles.
 */
const run = runSuffix();
const clients = new MemberClients();
const model = `adv-scope-model-${run}`;
const ids = {
  hospitalA: `HospitalAMSP:adv-scope-${run}-a`,
  hospitalB: `HospitalBMSP:adv-scope-${run}-b`,
  providerOnB: `AIProviderMSP:adv-scope-${run}-p`,
};
type Page = { records: StoredInteraction[]; bookmark: string };
const byModel = JSON.stringify({ by: 'requestModel', value: model, pageSize: 100 });
const byOrg = (mspId: string): string => JSON.stringify({ by: 'org', value: mspId, order: 'desc', pageSize: 100 });
const idsOf = (page: Page): string[] => page.records.map((record) => record.id).sort();

beforeAll(async () => {
  await submitJson(
    clients.contract(HOSPITAL_A, 'recorder'),
    TRANSACTIONS.recordInteraction,
    JSON.stringify(interactionRecord(ids.hospitalA, { requestModel: model })),
  );
  await submitJson(
    clients.contract(HOSPITAL_B, 'recorder', { channel: 'hospital-b' }),
    TRANSACTIONS.recordInteraction,
    JSON.stringify(interactionRecord(ids.hospitalB, { requestModel: model })),
  );
  await submitJson(
    clients.contract(AI_PROVIDER, 'recorder', { channel: 'hospital-b' }),
    TRANSACTIONS.recordInteraction,
    JSON.stringify(interactionRecord(ids.providerOnB, { requestModel: model })),
  );
});

afterAll(() => clients.close());

describe('auditor scope', () => {
  it('the Regulator’s auditor (the configured auditor org) reads every org’s interactions', async () => {
    const onA = clients.contract(REGULATOR, 'auditor');
    expect(await evaluateJsonArgs<StoredInteraction>(onA, TRANSACTIONS.getInteraction, ids.hospitalA)).toMatchObject({
      id: ids.hospitalA,
      org: HOSPITAL_A.mspId,
    });
    expect(
      (await evaluateJsonArgs<Page>(onA, TRANSACTIONS.queryInteractions, byOrg(HOSPITAL_A.mspId))).records.map(
        (record) => record.id,
      ),
    ).toContain(ids.hospitalA);
    expect(idsOf(await evaluateJsonArgs<Page>(onA, TRANSACTIONS.queryInteractions, byModel))).toEqual([ids.hospitalA]);

    const onB = clients.contract(REGULATOR, 'auditor', { channel: 'hospital-b' });
    expect(await evaluateJsonArgs<StoredInteraction>(onB, TRANSACTIONS.getInteraction, ids.providerOnB)).toMatchObject({
      id: ids.providerOnB,
      org: AI_PROVIDER.mspId,
    });
    expect(idsOf(await evaluateJsonArgs<Page>(onB, TRANSACTIONS.queryInteractions, byModel))).toEqual(
      [ids.hospitalB, ids.providerOnB].sort(),
    );
  });

  it('HospitalB’s auditor cannot read HospitalA’s interactions: not a member of hospital-a, its proposals are refused there', async () => {
    const intruder = clients.contract(HOSPITAL_B, 'auditor', { peerOrg: HOSPITAL_A });
    for (const [name, argument] of [
      [TRANSACTIONS.getInteraction, ids.hospitalA],
      [TRANSACTIONS.queryInteractions, byOrg(HOSPITAL_A.mspId)],
    ] as const) {
      const outcome = await intruder.evaluateTransaction(name, argument).then(
        (answer) => ({ answered: Buffer.from(answer).toString('utf8'), coded: undefined }),
        (error: unknown) => ({ answered: chaincodeMessage(error), coded: contractErrorOf(error) }),
      );
      // Refused by the peer's channel ACL before any chaincode runs: no coded error, and no record.
      expect({ name, coded: outcome.coded, leaked: outcome.answered.includes(ids.hospitalA) }).toEqual({
        name,
        coded: undefined,
        leaked: false,
      });
      expect(outcome.answered).toMatch(/access denied|not authorized|creator|channel/i);
    }
  });

  it('another member’s auditor identity on a shared channel is refused another org’s records, or sees nothing of them', async () => {
    // The AIProvider's auditor on hospital-a, about HospitalA's record.
    const providerAuditor = clients.contract(AI_PROVIDER, 'auditor');
    expect(
      (await codedRefusal(providerAuditor.evaluateTransaction(TRANSACTIONS.getInteraction, ids.hospitalA))).code,
    ).toBe('ACCESS_DENIED');
    expect(
      (await codedRefusal(providerAuditor.evaluateTransaction(TRANSACTIONS.queryInteractions, byOrg(HOSPITAL_A.mspId))))
        .code,
    ).toBe('ACCESS_DENIED');
    expect(idsOf(await evaluateJsonArgs<Page>(providerAuditor, TRANSACTIONS.queryInteractions, byModel))).toEqual([]);

    // HospitalB's auditor on its own channel, about the AIProvider's record there.
    const hospitalBAuditor = clients.contract(HOSPITAL_B, 'auditor', { channel: 'hospital-b' });
    expect(
      (await codedRefusal(hospitalBAuditor.evaluateTransaction(TRANSACTIONS.getInteraction, ids.providerOnB))).code,
    ).toBe('ACCESS_DENIED');
    expect(
      (
        await codedRefusal(
          hospitalBAuditor.evaluateTransaction(TRANSACTIONS.queryInteractions, byOrg(AI_PROVIDER.mspId)),
        )
      ).code,
    ).toBe('ACCESS_DENIED');
    // Its own org's records it does read.
    expect(idsOf(await evaluateJsonArgs<Page>(hospitalBAuditor, TRANSACTIONS.queryInteractions, byModel))).toEqual([
      ids.hospitalB,
    ]);
    expect(
      await evaluateJsonArgs<StoredInteraction>(hospitalBAuditor, TRANSACTIONS.getInteraction, ids.hospitalB),
    ).toMatchObject({ id: ids.hospitalB });
  });
});
