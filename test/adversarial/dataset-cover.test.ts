import { TRANSACTIONS, type StoredArtifact, type StoredTrainingRun } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  artifactRecord,
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
 * A consent as cover: HospitalA granted the AIProvider model-training for one patient. The AIProvider
 * registers a dataset of its own that lists that real consent — as if the hospital vouched for the
 * dataset's content — and means to train on it. A dataset lists only consents its registering org
 * controls, so the registration is refused; the hospital's own dataset under that consent trains.
 */
const run = runSuffix();
const clients = new MemberClients();
const ids = {
  subject: `HospitalAMSP:adv-cover-${run}`,
  consent: `HospitalAMSP:adv-cover-${run}`,
  coverDataset: `AIProviderMSP:adv-cover-${run}-dataset`,
  hospitalDataset: `HospitalAMSP:adv-cover-${run}-hospital-dataset`,
  model: `AIProviderMSP:adv-cover-${run}-model`,
};

beforeAll(async () => {
  await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, ids.subject);
  await submitJson(
    clients.contract(HOSPITAL_A, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(
      consentRecord(ids.consent, ids.subject, { grantees: [AI_PROVIDER.mspId], purposes: ['model-training'] }),
    ),
  );
  await submitJson(
    clients.contract(AI_PROVIDER, 'recorder'),
    TRANSACTIONS.registerArtifact,
    JSON.stringify(artifactRecord(ids.model, 'model')),
  );
}, 180_000);

afterAll(() => clients.close());

describe('a consent of another org as cover for a dataset', () => {
  it('refuses the AIProvider’s dataset listing HospitalA’s consent (PRECONDITION_FAILED at consentIds[0]), for every writing role; nothing is written', async () => {
    for (const role of ['recorder', 'admin'] as const) {
      const refusal = await codedRefusal(
        clients
          .contract(AI_PROVIDER, role)
          .submitTransaction(
            TRANSACTIONS.registerArtifact,
            JSON.stringify(artifactRecord(ids.coverDataset, 'dataset', { consentIds: [ids.consent] })),
          ),
      );
      expect({ role, code: refusal.code, reasons: refusal.reasons }).toEqual({
        role,
        code: 'PRECONDITION_FAILED',
        reasons: [
          {
            path: 'consentIds[0]',
            reason: `consent ${ids.consent} is not controlled by ${AI_PROVIDER.mspId}: an org lists only its own consents`,
          },
        ],
      });
    }
    expect(
      await readRefusalCode(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getArtifact, ids.coverDataset),
    ).toBe('NOT_FOUND');
    // With no such dataset there is nothing to train on.
    const training = await codedRefusal(
      clients.contract(AI_PROVIDER, 'recorder').submitTransaction(
        TRANSACTIONS.recordTrainingRun,
        JSON.stringify({
          id: `${ids.coverDataset}-run`,
          modelArtifactId: ids.model,
          datasetArtifactIds: [ids.coverDataset],
        }),
      ),
    );
    expect([training.code, training.reasons?.map((reason) => reason.path)]).toEqual([
      'PRECONDITION_FAILED',
      ['datasetArtifactIds[0]'],
    ]);
  });

  it('accepts the dataset registered by HospitalA, the consent’s controller, and the AIProvider’s run on it', async () => {
    const dataset = await submitJson<StoredArtifact>(
      clients.contract(HOSPITAL_A, 'recorder'),
      TRANSACTIONS.registerArtifact,
      JSON.stringify(artifactRecord(ids.hospitalDataset, 'dataset', { consentIds: [ids.consent] })),
    );
    expect(dataset).toMatchObject({ registeredBy: HOSPITAL_A.mspId, consentIds: [ids.consent] });
    const id = `AIProviderMSP:adv-cover-${run}-hospital-dataset-run`;
    const stored = await submitJson<StoredTrainingRun>(
      clients.contract(AI_PROVIDER, 'recorder'),
      TRANSACTIONS.recordTrainingRun,
      JSON.stringify({ id, modelArtifactId: ids.model, datasetArtifactIds: [ids.hospitalDataset] }),
    );
    expect(stored).toMatchObject({
      id,
      org: AI_PROVIDER.mspId,
      consentCoverage: [{ datasetArtifactId: ids.hospitalDataset, consentIds: [ids.consent] }],
    });
    expect(await evaluateJsonArgs(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getTrainingRun, id)).toEqual(
      stored,
    );
  });
});
