import { TRANSACTIONS, type StoredConsent, type StoredTrainingRun } from '@aal/ledger-contract';
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
import { eventually } from '../support/eventually';

/**
 * Self-attested training: the AIProvider registers a subject of its own, grants itself
 * model-training, lists that consent in a dataset and declares a training run on it. Consent the
 * trainer controls is the trainer's own word and never counts; consent a hospital controls does, in
 * a dataset the hospital registered.
 */
const run = runSuffix();
const clients = new MemberClients();
const ids = {
  ownSubject: `AIProviderMSP:adv-self-${run}`,
  ownConsent: `AIProviderMSP:adv-self-${run}-own`,
  ownDataset: `AIProviderMSP:adv-self-${run}-own-dataset`,
  hospitalSubject: `HospitalAMSP:adv-self-${run}`,
  hospitalConsent: `HospitalAMSP:adv-self-${run}-hospital`,
  hospitalDataset: `HospitalAMSP:adv-self-${run}-hospital-dataset`,
  model: `AIProviderMSP:adv-self-${run}-model`,
};
const trainingConsent = { grantees: ['AIProviderMSP'], purposes: ['model-training'] };

beforeAll(async () => {
  await registerSubjectOnLedger(AI_PROVIDER, HOSPITAL_A_CHANNEL, ids.ownSubject);
  const own = await submitJson<StoredConsent>(
    clients.contract(AI_PROVIDER, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(consentRecord(ids.ownConsent, ids.ownSubject, trainingConsent)),
  );
  expect(own.controller).toBe(AI_PROVIDER.mspId);
  await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, ids.hospitalSubject);
  await submitJson(
    clients.contract(HOSPITAL_A, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(consentRecord(ids.hospitalConsent, ids.hospitalSubject, trainingConsent)),
  );

  // Each dataset is registered by the org controlling its consents (RegisterArtifact refuses any other).
  const recorder = clients.contract(AI_PROVIDER, 'recorder');
  await submitJson(
    recorder,
    TRANSACTIONS.registerArtifact,
    JSON.stringify(artifactRecord(ids.ownDataset, 'dataset', { consentIds: [ids.ownConsent] })),
  );
  await submitJson(
    clients.contract(HOSPITAL_A, 'recorder'),
    TRANSACTIONS.registerArtifact,
    JSON.stringify(artifactRecord(ids.hospitalDataset, 'dataset', { consentIds: [ids.hospitalConsent] })),
  );
  await submitJson(recorder, TRANSACTIONS.registerArtifact, JSON.stringify(artifactRecord(ids.model, 'model')));
}, 180_000);

afterAll(() => clients.close());

describe('self-attested training', () => {
  it('refuses a run on a dataset whose consent the trainer granted itself (PRECONDITION_FAILED naming the controller); nothing is written', async () => {
    const recorder = clients.contract(AI_PROVIDER, 'recorder');
    const runs = [
      { id: `AIProviderMSP:adv-self-${run}-run-own`, datasets: [ids.ownDataset], refusedPath: 'datasetArtifactIds[0]' },
      // Mixed with a properly covered dataset, the self-attested one still sinks the run.
      {
        id: `AIProviderMSP:adv-self-${run}-run-mixed`,
        datasets: [ids.hospitalDataset, ids.ownDataset],
        refusedPath: 'datasetArtifactIds[1]',
      },
    ];
    for (const attempt of runs) {
      const refusal = await codedRefusal(
        recorder.submitTransaction(
          TRANSACTIONS.recordTrainingRun,
          JSON.stringify({ id: attempt.id, modelArtifactId: ids.model, datasetArtifactIds: attempt.datasets }),
        ),
      );
      expect({ run: attempt.id, code: refusal.code, paths: refusal.reasons?.map((reason) => reason.path) }).toEqual({
        run: attempt.id,
        code: 'PRECONDITION_FAILED',
        paths: [attempt.refusedPath],
      });
      expect(refusal.reasons?.[0]?.reason).toContain(ids.ownConsent);
      expect(refusal.reasons?.[0]?.reason).toContain(`controlled by ${AI_PROVIDER.mspId}`);
      expect(
        await readRefusalCode(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getTrainingRun, attempt.id),
      ).toBe('NOT_FOUND');
    }
  });

  it('accepts a run on a dataset whose consents HospitalA controls and which name AIProviderMSP', async () => {
    const id = `AIProviderMSP:adv-self-${run}-run-hospital`;
    const stored = await submitJson<StoredTrainingRun>(
      clients.contract(AI_PROVIDER, 'recorder'),
      TRANSACTIONS.recordTrainingRun,
      JSON.stringify({ id, modelArtifactId: ids.model, datasetArtifactIds: [ids.hospitalDataset] }),
    );
    expect(stored).toMatchObject({
      id,
      org: AI_PROVIDER.mspId,
      consentCoverage: [{ datasetArtifactId: ids.hospitalDataset, consentIds: [ids.hospitalConsent] }],
    });
    // Read at the Regulator's peer, which commits the block a little after AIProvider's.
    expect(
      await eventually(`training run ${id} at the Regulator's peer`, () =>
        evaluateJsonArgs(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getTrainingRun, id),
      ),
    ).toEqual(stored);
  });
});
