import { TRANSACTIONS, type ContractErrorPayload } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A } from '@aal/network';
import {
  artifactRecord,
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Squatting of record ids: the AIProvider, alone with its own identities straight at the peers,
 * tries to take ids of HospitalA's records before HospitalA writes them — an interaction, a batched
 * record, a consent (about a subject of its own), an artifact and a training run — so that the
 * hospital's own writes would fail with CONFLICT. A record id is in the namespace of the org that
 * creates it (`HospitalAMSP:…`), which every endorser judges from the id and the certificate before
 * reading any state: another org's namespace is CONFLICT, no namespace INVALID_ARGUMENT, nothing is
 * written, and the hospital then creates every one of those ids.
 */
const run = runSuffix();
const clients = new MemberClients();
const local = {
  interaction: `adv-ids-${run}-interaction`,
  batched: `adv-ids-${run}-batched`,
  consent: `adv-ids-${run}-consent`,
  model: `adv-ids-${run}-model`,
  trainingRun: `adv-ids-${run}-run`,
};
/** HospitalA's ids: what the AIProvider tries to take first. */
const hospital = Object.fromEntries(Object.entries(local).map(([kind, id]) => [kind, `HospitalAMSP:${id}`])) as {
  [kind in keyof typeof local]: string;
};
const providerSubject = `AIProviderMSP:adv-ids-${run}-subject`;
const hospitalSubject = `HospitalAMSP:adv-ids-${run}-subject`;
/** Honest AIProvider records, in its own namespace: a dataset HospitalA may train on, under the AIProvider's consent. */
const providerConsent = `AIProviderMSP:adv-ids-${run}-training-consent`;
const providerDataset = `AIProviderMSP:adv-ids-${run}-dataset`;

const NO_NAMESPACE = "must be in the caller's namespace ('AIProviderMSP:…')";

beforeAll(async () => {
  await registerSubjectOnLedger(AI_PROVIDER, HOSPITAL_A_CHANNEL, providerSubject);
  await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, hospitalSubject);
});

afterAll(() => clients.close());

/** The AIProvider's attempts, each under HospitalA's id and under the bare id: the two refusals. */
async function attempts(
  create: (id: string) => Promise<unknown>,
  hospitalId: string,
  bareId: string,
): Promise<{ squat: ContractErrorPayload; bare: ContractErrorPayload }> {
  return { squat: await codedRefusal(create(hospitalId)), bare: await codedRefusal(create(bareId)) };
}

/** Every id of the test, as HospitalA's recorder reads it: nothing exists before the hospital writes. */
async function hospitalReads(): Promise<Record<string, string>> {
  const reader = clients.contract(HOSPITAL_A, 'recorder');
  const manager = clients.contract(HOSPITAL_A, 'consent-manager');
  const provider = clients.contract(AI_PROVIDER, 'recorder');
  return {
    interaction: await readRefusalCode(reader, TRANSACTIONS.getInteraction, hospital.interaction),
    batched: await readRefusalCode(reader, TRANSACTIONS.getBatchedInteraction, hospital.batched),
    consent: await readRefusalCode(manager, TRANSACTIONS.getConsent, hospital.consent),
    model: await readRefusalCode(reader, TRANSACTIONS.getArtifact, hospital.model),
    trainingRun: await readRefusalCode(reader, TRANSACTIONS.getTrainingRun, hospital.trainingRun),
    bareInteraction: await readRefusalCode(provider, TRANSACTIONS.getInteraction, local.interaction),
    bareArtifact: await readRefusalCode(provider, TRANSACTIONS.getArtifact, local.model),
  };
}

describe('squatting of record ids', () => {
  it('the AIProvider can create no record under HospitalA’s ids (CONFLICT) or without a namespace (INVALID_ARGUMENT), and nothing is written', async () => {
    const recorder = clients.contract(AI_PROVIDER, 'recorder');
    const manager = clients.contract(AI_PROVIDER, 'consent-manager');
    const outcomes = {
      interaction: await attempts(
        (id) => submitJson(recorder, TRANSACTIONS.recordInteraction, JSON.stringify(interactionRecord(id))),
        hospital.interaction,
        local.interaction,
      ),
      gathered: await attempts(
        (id) => submitJson(recorder, TRANSACTIONS.recordInteractions, JSON.stringify([interactionRecord(id)])),
        hospital.interaction,
        local.interaction,
      ),
      batched: await attempts(
        (id) => submitJson(recorder, TRANSACTIONS.recordBatch, JSON.stringify([interactionRecord(id)])),
        hospital.batched,
        local.batched,
      ),
      consent: await attempts(
        (id) => submitJson(manager, TRANSACTIONS.grantConsent, JSON.stringify(consentRecord(id, providerSubject))),
        hospital.consent,
        local.consent,
      ),
      artifact: await attempts(
        (id) => submitJson(recorder, TRANSACTIONS.registerArtifact, JSON.stringify(artifactRecord(id, 'model'))),
        hospital.model,
        local.model,
      ),
      trainingRun: await attempts(
        (id) =>
          submitJson(
            recorder,
            TRANSACTIONS.recordTrainingRun,
            JSON.stringify({ id, modelArtifactId: hospital.model, datasetArtifactIds: [providerDataset] }),
          ),
        hospital.trainingRun,
        local.trainingRun,
      ),
    };
    const kinds: Record<keyof typeof outcomes, [string, string]> = {
      interaction: ['interaction', 'id'],
      gathered: ['interaction', '[0].id'],
      batched: ['interaction', '[0].id'],
      consent: ['consent', 'id'],
      artifact: ['artifact', 'id'],
      trainingRun: ['training run', 'id'],
    };
    for (const [attempt, { squat, bare }] of Object.entries(outcomes)) {
      const [kind, path] = kinds[attempt as keyof typeof outcomes];
      expect({ attempt, code: squat.code, owner: squat.message.includes(`${kind} id HospitalAMSP:`) }).toEqual({
        attempt,
        code: 'CONFLICT',
        owner: true,
      });
      expect({ attempt, message: squat.message }).toEqual({
        attempt,
        message: expect.stringContaining(
          `belongs to HospitalAMSP: AIProviderMSP creates ${kind}s only in its own namespace ('AIProviderMSP:…')`,
        ) as string,
      });
      expect({ attempt, bare }).toEqual({
        attempt,
        bare: {
          code: 'INVALID_ARGUMENT',
          message: `${path}: ${NO_NAMESPACE}`,
          violations: [{ path, rule: NO_NAMESPACE }],
        },
      });
    }
    expect(await hospitalReads()).toEqual({
      interaction: 'NOT_FOUND',
      batched: 'NOT_FOUND',
      consent: 'NOT_FOUND',
      model: 'NOT_FOUND',
      trainingRun: 'NOT_FOUND',
      bareInteraction: 'NOT_FOUND',
      bareArtifact: 'NOT_FOUND',
    });
  });

  it('HospitalA then creates every one of those ids', async () => {
    const recorder = clients.contract(HOSPITAL_A, 'recorder');
    const interaction = await submitJson(
      recorder,
      TRANSACTIONS.recordInteraction,
      JSON.stringify(interactionRecord(hospital.interaction)),
    );
    expect(interaction).toMatchObject({ id: hospital.interaction, org: HOSPITAL_A.mspId });
    const batch = await submitJson(
      recorder,
      TRANSACTIONS.recordBatch,
      JSON.stringify([interactionRecord(hospital.batched)]),
    );
    expect(batch).toMatchObject({ org: HOSPITAL_A.mspId, size: 1 });
    const consent = await submitJson(
      clients.contract(HOSPITAL_A, 'consent-manager'),
      TRANSACTIONS.grantConsent,
      JSON.stringify(consentRecord(hospital.consent, hospitalSubject)),
    );
    expect(consent).toMatchObject({ id: hospital.consent, controller: HOSPITAL_A.mspId });
    const model = await submitJson(
      recorder,
      TRANSACTIONS.registerArtifact,
      JSON.stringify(artifactRecord(hospital.model, 'model')),
    );
    expect(model).toMatchObject({ id: hospital.model, registeredBy: HOSPITAL_A.mspId });
    // A dataset HospitalA may train on: the AIProvider's own, under its own consent naming HospitalA.
    await submitJson(
      clients.contract(AI_PROVIDER, 'consent-manager'),
      TRANSACTIONS.grantConsent,
      JSON.stringify(
        consentRecord(providerConsent, providerSubject, { grantees: [HOSPITAL_A.mspId], purposes: ['model-training'] }),
      ),
    );
    await submitJson(
      clients.contract(AI_PROVIDER, 'recorder'),
      TRANSACTIONS.registerArtifact,
      JSON.stringify(artifactRecord(providerDataset, 'dataset', { consentIds: [providerConsent] })),
    );
    const trainingRun = await submitJson(
      recorder,
      TRANSACTIONS.recordTrainingRun,
      JSON.stringify({
        id: hospital.trainingRun,
        modelArtifactId: hospital.model,
        datasetArtifactIds: [providerDataset],
      }),
    );
    expect(trainingRun).toMatchObject({ id: hospital.trainingRun, org: HOSPITAL_A.mspId });
    expect(await evaluateJsonArgs(recorder, TRANSACTIONS.getBatchedInteraction, hospital.batched)).toMatchObject({
      id: hospital.batched,
      org: HOSPITAL_A.mspId,
    });
  });
});
