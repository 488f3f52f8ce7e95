import type { Contract } from '@hyperledger/fabric-gateway';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, HOSPITAL_B, REGULATOR, type OrgSpec } from '@aal/network';
import { chaincodeMessage, contractErrorOf } from '../support/chaincode-calls';
import {
  codedRefusal,
  evaluateJsonArgs,
  interactionRecord,
  MemberClients,
  runSuffix,
  submitJson,
  type Json,
} from '../support/deviating-member';
import { eventually } from '../support/eventually';
import { bearer, loadTestEnvironment } from '../support/test-network';

/**
 * Auditor scope: every org's CA can mint a certificate with role=auditor. Reading every org's
 * records is for the configured auditor org (the Regulator) only; another member's auditor
 * identity reads its own org's records, like the org's other roles. The chaincode's point reads
 * (records written alone and in Merkle batches, batch headers, proofs, annotations) decide from
 * the certificate; the apps' index routes (interaction and batch queries) apply the same rule.
 */
const run = runSuffix();
const clients = new MemberClients();
const environment = loadTestEnvironment();
const model = `adv-scope-model-${run}`;
const ids = {
  hospitalA: `HospitalAMSP:adv-scope-${run}-a`,
  hospitalABatched: `HospitalAMSP:adv-scope-${run}-a-batched`,
  providerOnA: `AIProviderMSP:adv-scope-${run}-p-on-a`,
  hospitalB: `HospitalBMSP:adv-scope-${run}-b`,
  providerOnB: `AIProviderMSP:adv-scope-${run}-p`,
  providerBatchedOnB: `AIProviderMSP:adv-scope-${run}-p-batched`,
};
const batches = { hospitalA: '', providerOnB: '' };
const record = (id: string): string => JSON.stringify(interactionRecord(id, { requestModel: model }));
const batchOf = async (contract: Contract, id: string): Promise<string> =>
  (await submitJson<{ batchId: string }>(contract, TRANSACTIONS.recordBatch, `[${record(id)}]`)).batchId;

/** Every point read of one record: alone or batched, its batch, its proof, its annotations. */
function pointReads(id: string, batchId?: string): [string, string][] {
  return [
    [TRANSACTIONS.getInteraction, id],
    [TRANSACTIONS.getAnnotations, id],
    ...(batchId === undefined
      ? []
      : ([
          [TRANSACTIONS.getBatchedInteraction, id],
          [TRANSACTIONS.getInclusionProof, id],
          [TRANSACTIONS.getBatch, batchId],
        ] as [string, string][])),
  ];
}

beforeAll(async () => {
  const hospitalA = clients.contract(HOSPITAL_A, 'recorder');
  await submitJson(hospitalA, TRANSACTIONS.recordInteraction, record(ids.hospitalA));
  batches.hospitalA = await batchOf(hospitalA, ids.hospitalABatched);
  // Written last on hospital-a: once an index holds it, it holds HospitalA's records too.
  await submitJson(clients.contract(AI_PROVIDER, 'recorder'), TRANSACTIONS.recordInteraction, record(ids.providerOnA));
  await submitJson(
    clients.contract(HOSPITAL_B, 'recorder', { channel: 'hospital-b' }),
    TRANSACTIONS.recordInteraction,
    record(ids.hospitalB),
  );
  const providerOnB = clients.contract(AI_PROVIDER, 'recorder', { channel: 'hospital-b' });
  await submitJson(providerOnB, TRANSACTIONS.recordInteraction, record(ids.providerOnB));
  batches.providerOnB = await batchOf(providerOnB, ids.providerBatchedOnB);
}, 120_000);

afterAll(() => clients.close());

describe('auditor scope', () => {
  it('the Regulator’s auditor (the configured auditor org) reads every org’s records, batched ones included', async () => {
    for (const [channel, org, reads] of [
      [
        'hospital-a',
        HOSPITAL_A,
        [...pointReads(ids.hospitalA), ...pointReads(ids.hospitalABatched, batches.hospitalA)],
      ],
      [
        'hospital-b',
        AI_PROVIDER,
        [...pointReads(ids.providerOnB), ...pointReads(ids.providerBatchedOnB, batches.providerOnB)],
      ],
    ] as const) {
      const auditor = clients.contract(REGULATOR, 'auditor', { channel });
      for (const [name, argument] of reads) {
        const answer = await evaluateJsonArgs(auditor, name, argument);
        // Every answer but the annotation list names the record's org.
        if (name !== TRANSACTIONS.getAnnotations)
          expect({ name, org: answer['org'] }).toEqual({ name, org: org.mspId });
        else expect(answer).toEqual({ records: [] });
      }
    }
    // A lean batched record is answered by its locator: where it sits and the leaf it must match.
    expect(
      await evaluateJsonArgs(clients.contract(REGULATOR, 'auditor'), TRANSACTIONS.getInteraction, ids.hospitalABatched),
    ).toMatchObject({ id: ids.hospitalABatched, batchId: batches.hospitalA, leafIndex: 0 });
  });

  it('HospitalB’s auditor cannot read HospitalA’s records: not a member of hospital-a, its proposals are refused there', async () => {
    const intruder = clients.contract(HOSPITAL_B, 'auditor', { peerOrg: HOSPITAL_A });
    for (const [name, argument] of [
      ...pointReads(ids.hospitalA),
      ...pointReads(ids.hospitalABatched, batches.hospitalA),
    ]) {
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

  it('another member’s auditor identity on a shared channel is refused every point read of another org’s records', async () => {
    const refusals = async (auditor: Contract, reads: [string, string][]): Promise<[string, string][]> =>
      Promise.all(
        reads.map(async ([name, argument]): Promise<[string, string]> => [
          name,
          (await codedRefusal(auditor.evaluateTransaction(name, argument))).code,
        ]),
      );
    // The AIProvider's auditor on hospital-a, about HospitalA's records.
    const hospitalReads = [...pointReads(ids.hospitalA), ...pointReads(ids.hospitalABatched, batches.hospitalA)];
    expect(await refusals(clients.contract(AI_PROVIDER, 'auditor'), hospitalReads)).toEqual(
      hospitalReads.map(([name]) => [name, 'ACCESS_DENIED']),
    );
    // HospitalB's auditor on its own channel, about the AIProvider's records there.
    const hospitalBAuditor = clients.contract(HOSPITAL_B, 'auditor', { channel: 'hospital-b' });
    const providerReads = [...pointReads(ids.providerOnB), ...pointReads(ids.providerBatchedOnB, batches.providerOnB)];
    expect(await refusals(hospitalBAuditor, providerReads)).toEqual(
      providerReads.map(([name]) => [name, 'ACCESS_DENIED']),
    );
    // Its own org's records it does read.
    expect(await evaluateJsonArgs(hospitalBAuditor, TRANSACTIONS.getInteraction, ids.hospitalB)).toMatchObject({
      id: ids.hospitalB,
      org: HOSPITAL_B.mspId,
    });
  });

  it('the apps’ index routes answer another member’s auditor key with its own org’s records only; the Regulator’s with all', async () => {
    const query = async (org: OrgSpec, path: string): Promise<{ status: number; body: Json }> => {
      const response = await fetch(`${environment.apps[org.name] ?? ''}/api/v1/channels/hospital-a${path}`, {
        headers: bearer(environment, org.name, 'auditor'),
      });
      return { status: response.status, body: (await response.json()) as Json };
    };
    const idsOf = (body: Json): string[] => ((body['records'] ?? []) as { id: string }[]).map((row) => row.id).sort();
    const byModel = `/interactions?by=requestModel&value=${model}`;
    // Each app's own index, once it holds the record written last.
    const seen = async (org: OrgSpec): Promise<string[]> =>
      idsOf(
        (
          await eventually(
            `${org.name}'s index holds ${ids.providerOnA}`,
            () => query(org, byModel),
            (answer) => answer.status === 200 && idsOf(answer.body).includes(ids.providerOnA),
            60_000,
          )
        ).body,
      );
    expect(await seen(REGULATOR)).toEqual([ids.hospitalA, ids.hospitalABatched, ids.providerOnA].sort());
    expect(await seen(AI_PROVIDER)).toEqual([ids.providerOnA]);
    // Asking for HospitalA's records outright, or its batches, is refused or finds none of them.
    expect((await query(AI_PROVIDER, `/interactions?by=org&value=${HOSPITAL_A.mspId}`)).status).toBe(403);
    expect((await query(AI_PROVIDER, `/batches?by=org&value=${HOSPITAL_A.mspId}`)).status).toBe(403);
    const providerBatches = await query(AI_PROVIDER, `/batches?by=requestModel&value=${model}`);
    expect({ status: providerBatches.status, batches: providerBatches.body['records'] }).toEqual({
      status: 200,
      batches: [],
    });
    const regulatorBatches = await query(REGULATOR, `/batches?by=requestModel&value=${model}`);
    expect(((regulatorBatches.body['records'] ?? []) as { batchId: string }[]).map((batch) => batch.batchId)).toEqual([
      batches.hospitalA,
    ]);
  });
});
