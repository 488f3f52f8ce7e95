import type { Contract } from '@hyperledger/fabric-gateway';
import { createHash, randomBytes } from 'node:crypto';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  APP_ROLES,
  type AppRole,
  CHAINCODE_NAME,
  HOSPITAL_A,
  HOSPITAL_B,
  type OrgSpec,
  REGULATOR,
} from '@aal/network';
import {
  chaincodeMessage,
  committedTransaction,
  evaluateJson,
  refusal,
  submitTransaction,
} from '../support/chaincode-calls';
import { testGateway, type TestGateway } from '../support/gateway';
import { registerSubjectOnLedger } from '../support/registered-subject';

const CHANNEL = 'hospital-a';
const run = randomBytes(4).toString('hex');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const gateways: TestGateway[] = [];
function gatewayOf(org: OrgSpec, role: AppRole, peerOrg: OrgSpec = org): TestGateway {
  const gateway = testGateway(org, role, peerOrg);
  gateways.push(gateway);
  return gateway;
}
const contractOf = (org: OrgSpec, role: AppRole, options: { peerOrg?: OrgSpec; channel?: string } = {}): Contract =>
  gatewayOf(org, role, options.peerOrg)
    .gateway.getNetwork(options.channel ?? CHANNEL)
    .getContract(CHAINCODE_NAME);

const ids = {
  consentTraining: `HospitalAMSP:c-train-${run}`,
  consentResearch: `HospitalAMSP:c-research-${run}`,
  datasetCovered: `HospitalAMSP:d-covered-${run}`,
  datasetUncovered: `HospitalAMSP:d-uncovered-${run}`,
  model: `AIProviderMSP:m-${run}`,
};

const consent = (id: string, purposes: string[]): string =>
  JSON.stringify({
    id,
    subjectRef: `HospitalAMSP:subj-${id}`,
    grantees: [AI_PROVIDER.mspId],
    decision: 'permit',
    purposes,
    period: { start: '2025-01-01T00:00:00Z' },
    policyCommitment: `hmac-sha256:${sha256(id)}`,
  });

const artifact = (id: string, kind: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ id, kind, name: `name-${id}`, version: '1', sha256: sha256(`bytes of ${id}`), ...extra });

let datasetRegistrationTx = '';

beforeAll(async () => {
  const consentManager = contractOf(HOSPITAL_A, 'consent-manager');
  // Consents can be granted only about subjects the granting org registered.
  for (const consentId of [ids.consentTraining, ids.consentResearch])
    await registerSubjectOnLedger(HOSPITAL_A, 'hospital-a', `HospitalAMSP:subj-${consentId}`);
  await submitTransaction(consentManager, TRANSACTIONS.grantConsent, {
    arguments: [consent(ids.consentTraining, ['model-training'])],
  });
  await submitTransaction(consentManager, TRANSACTIONS.grantConsent, {
    arguments: [consent(ids.consentResearch, ['research'])],
  });
  const hospital = contractOf(HOSPITAL_A, 'recorder');
  datasetRegistrationTx = (
    await submitTransaction(hospital, TRANSACTIONS.registerArtifact, {
      arguments: [artifact(ids.datasetCovered, 'dataset', { consentIds: [ids.consentTraining] })],
    })
  ).txId;
  await submitTransaction(hospital, TRANSACTIONS.registerArtifact, {
    arguments: [artifact(ids.datasetUncovered, 'dataset', { consentIds: [ids.consentTraining, ids.consentResearch] })],
  });
  await submitTransaction(contractOf(AI_PROVIDER, 'recorder'), TRANSACTIONS.registerArtifact, {
    arguments: [artifact(ids.model, 'model')],
  });
});

afterAll(() => {
  for (const gateway of gateways) gateway.close();
});

describe('Artifacts on the real network', () => {
  it('registers write-once artifacts endorsed by at least two orgs, readable and verifiable by every org of the channel only', async () => {
    const regulator = gatewayOf(REGULATOR, 'auditor');
    const registration = await committedTransaction(regulator.gateway, CHANNEL, datasetRegistrationTx);
    expect(registration.proof.validationCode).toBe('VALID');
    expect(registration.proof.endorsingOrgs.length).toBeGreaterThanOrEqual(2);

    const auditor = regulator.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
    const stored = await evaluateJson<Record<string, unknown>>(auditor, TRANSACTIONS.getArtifact, {
      arguments: [ids.datasetCovered],
    });
    expect(stored).toMatchObject({
      id: ids.datasetCovered,
      kind: 'dataset',
      registeredBy: HOSPITAL_A.mspId,
      txId: datasetRegistrationTx,
    });
    expect(
      await evaluateJson(auditor, TRANSACTIONS.verifyArtifact, {
        arguments: [ids.datasetCovered, sha256(`bytes of ${ids.datasetCovered}`)],
      }),
    ).toEqual({
      id: ids.datasetCovered,
      match: true,
      registeredSha256: stored.sha256,
    });
    expect(
      await evaluateJson(auditor, TRANSACTIONS.verifyArtifact, { arguments: [ids.datasetCovered, sha256('tampered')] }),
    ).toMatchObject({ match: false });

    // Same input again returns the stored record; different input is refused.
    const hospital = contractOf(HOSPITAL_A, 'recorder');
    const again = await submitTransaction(hospital, TRANSACTIONS.registerArtifact, {
      arguments: [artifact(ids.datasetCovered, 'dataset', { consentIds: [ids.consentTraining] })],
    });
    expect(JSON.parse(again.result)).toEqual(stored);
    expect(
      await refusal(
        hospital.submit(TRANSACTIONS.registerArtifact, {
          arguments: [artifact(ids.datasetCovered, 'dataset', { version: '2' })],
        }),
      ),
    ).toContain(`CONFLICT: artifact ${ids.datasetCovered} already exists`);

    // Lineage must point at registered artifacts.
    const provider = contractOf(AI_PROVIDER, 'recorder');
    expect(
      await refusal(
        provider.submit(TRANSACTIONS.registerArtifact, {
          arguments: [artifact(`AIProviderMSP:m2-${run}`, 'model', { parents: [`ghost-${run}`] })],
        }),
      ),
    ).toContain(`NOT_FOUND: parents[0]: artifact ghost-${run} does not exist`);
    const child = await submitTransaction(provider, TRANSACTIONS.registerArtifact, {
      arguments: [artifact(`AIProviderMSP:m2-${run}`, 'model', { parents: [ids.model] })],
    });
    expect(JSON.parse(child.result)).toMatchObject({ parents: [ids.model] });

    // Other channel: AIProvider sees nothing of hospital-a there; HospitalB cannot reach hospital-a at all.
    expect(
      await refusal(
        contractOf(AI_PROVIDER, 'auditor', { channel: 'hospital-b' }).evaluate(TRANSACTIONS.getArtifact, {
          arguments: [ids.model],
        }),
      ),
    ).toContain(`NOT_FOUND: artifact ${ids.model} does not exist`);
    const intruder = await refusal(
      contractOf(HOSPITAL_B, 'auditor', { peerOrg: HOSPITAL_A }).evaluate(TRANSACTIONS.getArtifact, {
        arguments: [ids.model],
      }),
    );
    expect(intruder).not.toContain(ids.model);
  });

  it('refuses a training run whose datasets’ consents do not cover model-training, then accepts a covered one; a listener receives the event', async () => {
    const provider = contractOf(AI_PROVIDER, 'recorder');
    const runId = `AIProviderMSP:run-${run}`;
    const refused = await refusal(
      provider.submit(TRANSACTIONS.recordTrainingRun, {
        arguments: [
          JSON.stringify({
            id: runId,
            modelArtifactId: ids.model,
            datasetArtifactIds: [ids.datasetCovered, ids.datasetUncovered],
          }),
        ],
      }),
    );
    expect(refused).toContain(
      `PRECONDITION_FAILED: training run ${runId} refused: datasetArtifactIds[1]: dataset ${ids.datasetUncovered}: consent ${ids.consentResearch} does not cover model-training`,
    );
    expect(refused).not.toContain(`dataset ${ids.datasetCovered}:`);
    expect(await refusal(provider.evaluate(TRANSACTIONS.getTrainingRun, { arguments: [runId] }))).toContain(
      `NOT_FOUND: training run ${runId} does not exist`,
    );

    // The Regulator is not a grantee of the consent: the same run declared by it is refused.
    const declaredBy = (org: OrgSpec, suffix: string): Promise<unknown> =>
      contractOf(org, 'recorder').submit(TRANSACTIONS.recordTrainingRun, {
        arguments: [
          JSON.stringify({
            // In the declaring org's own namespace: only the consent may refuse it.
            id: `${org.mspId}:run-${run}-${suffix}`,
            modelArtifactId: ids.model,
            datasetArtifactIds: [ids.datasetCovered],
          }),
        ],
      });
    expect(await refusal(declaredBy(REGULATOR, 'r'))).toContain(
      `consent ${ids.consentTraining} does not name RegulatorMSP`,
    );
    // HospitalA controls the consent: a trainer cannot attest its own consents.
    expect(await refusal(declaredBy(HOSPITAL_A, 'a'))).toContain(
      `consent ${ids.consentTraining} is controlled by HospitalAMSP, the training org itself`,
    );

    const regulator = gatewayOf(REGULATOR, 'auditor');
    const events = await regulator.gateway.getNetwork(CHANNEL).getChaincodeEvents(CHAINCODE_NAME);
    try {
      const accepted = await submitTransaction(provider, TRANSACTIONS.recordTrainingRun, {
        arguments: [
          JSON.stringify({ id: runId, modelArtifactId: ids.model, datasetArtifactIds: [ids.datasetCovered] }),
        ],
      });
      const stored = JSON.parse(accepted.result) as Record<string, unknown>;
      expect(stored).toMatchObject({
        id: runId,
        org: AI_PROVIDER.mspId,
        consentCoverage: [{ datasetArtifactId: ids.datasetCovered, consentIds: [ids.consentTraining] }],
      });
      expect(
        (await committedTransaction(regulator.gateway, CHANNEL, accepted.txId)).proof.endorsingOrgs.length,
      ).toBeGreaterThanOrEqual(2);
      for await (const event of events) {
        if (event.transactionId !== accepted.txId) continue;
        expect(event.eventName).toBe('TrainingRunRecorded');
        expect(JSON.parse(new TextDecoder().decode(event.payload))).toEqual({
          id: runId,
          modelArtifactId: ids.model,
          datasetArtifactIds: [ids.datasetCovered],
          org: AI_PROVIDER.mspId,
        });
        break;
      }
    } finally {
      events.close();
    }

    // After the consent is revoked, a new run on the same dataset is refused at its transaction time.
    await submitTransaction(contractOf(HOSPITAL_A, 'consent-manager'), TRANSACTIONS.revokeConsent, {
      arguments: [ids.consentTraining, 'withdrawn-by-controller'],
    });
    expect(
      await refusal(
        provider.submit(TRANSACTIONS.recordTrainingRun, {
          arguments: [
            JSON.stringify({
              id: `${runId}-late`,
              modelArtifactId: ids.model,
              datasetArtifactIds: [ids.datasetCovered],
            }),
          ],
        }),
      ),
    ).toMatch(new RegExp(`dataset ${ids.datasetCovered}: consent ${ids.consentTraining} is revoked`));
  });

  it('pages QueryArtifacts results with bookmarks', async () => {
    const recorder = contractOf(REGULATOR, 'recorder');
    const name = `paged-${run}`;
    for (let index = 0; index < 5; index++) {
      await submitTransaction(recorder, TRANSACTIONS.registerArtifact, {
        arguments: [artifact(`RegulatorMSP:p-${run}-${index}`, 'other', { name })],
      });
    }
    const pages: string[][] = [];
    let bookmark = '';
    do {
      const page = await evaluateJson<{ records: { id: string }[]; bookmark: string }>(
        contractOf(HOSPITAL_A, 'auditor'),
        TRANSACTIONS.queryArtifacts,
        {
          arguments: [JSON.stringify({ by: 'name', value: name, pageSize: 2, bookmark })],
        },
      );
      pages.push(page.records.map((record) => record.id));
      bookmark = page.bookmark;
    } while (bookmark !== '' && pages.length < 10);
    expect(pages).toEqual([
      [`RegulatorMSP:p-${run}-0`, `RegulatorMSP:p-${run}-1`],
      [`RegulatorMSP:p-${run}-2`, `RegulatorMSP:p-${run}-3`],
      [`RegulatorMSP:p-${run}-4`],
    ]);
  });

  it('enforces the access matrix: every role of every org on the channel reads; only recorders and admins write', async () => {
    const writers: readonly AppRole[] = ['recorder', 'admin'];
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      for (const role of APP_ROLES) {
        const contract = contractOf(org, role);
        const register = await contract
          .submit(TRANSACTIONS.registerArtifact, {
            arguments: [artifact(`${org.mspId}:acl-${run}-${org.slug}-${role}`, 'other')],
          })
          .then(() => 'ok', chaincodeMessage);
        const training = await contract
          .submit(TRANSACTIONS.recordTrainingRun, {
            arguments: [
              JSON.stringify({
                id: `${org.mspId}:acl-run-${run}-${org.slug}-${role}`,
                modelArtifactId: ids.model,
                datasetArtifactIds: [ids.datasetUncovered],
              }),
            ],
          })
          .then(() => 'ok', chaincodeMessage);
        if (writers.includes(role)) {
          expect({ org: org.name, role, register }).toEqual({ org: org.name, role, register: 'ok' });
          expect({ org: org.name, role, training }).toEqual({
            org: org.name,
            role,
            training: expect.stringContaining('PRECONDITION_FAILED') as unknown,
          });
        } else {
          expect({ org: org.name, role, register }).toEqual({
            org: org.name,
            role,
            register: expect.stringContaining('ACCESS_DENIED') as unknown,
          });
          expect({ org: org.name, role, training }).toEqual({
            org: org.name,
            role,
            training: expect.stringContaining('ACCESS_DENIED') as unknown,
          });
        }
        expect(await evaluateJson(contract, TRANSACTIONS.getArtifact, { arguments: [ids.model] })).toMatchObject({
          id: ids.model,
        });
        expect(
          await evaluateJson(contract, TRANSACTIONS.verifyArtifact, {
            arguments: [ids.model, sha256(`bytes of ${ids.model}`)],
          }),
        ).toMatchObject({ match: true });
        const page = await evaluateJson<{ records: { id: string }[] }>(contract, TRANSACTIONS.queryArtifacts, {
          arguments: [JSON.stringify({ by: 'name', value: `name-${ids.model}` })],
        });
        expect(page.records.map((record) => record.id)).toEqual([ids.model]);
      }
    }
  });
});
