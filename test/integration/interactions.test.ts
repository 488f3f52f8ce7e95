import { type Contract, type Network } from '@hyperledger/fabric-gateway';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { decodeRecordedTransaction } from '@aal/application';
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
import { refusal } from '../support/chaincode-calls';
import { testGateway, type TestGateway } from '../support/gateway';

/**
 * The Interactions contract on the real network, called through the Fabric Gateway as each org
 * and role: the access matrix, channel isolation, paging beyond 1000 records and multi-org
 * endorsement of committed writes.
 */
const run = Date.now().toString(36);
const decoder = new TextDecoder();
const gateways: TestGateway[] = [];
const COMMITMENT = `hmac-sha256:${'e'.repeat(64)}`;
type Json = Record<string, unknown>;

function networkOf(org: OrgSpec, role: AppRole, channel: string, peerOrg: OrgSpec = org): Network {
  const client = testGateway(org, role, peerOrg);
  gateways.push(client);
  return client.gateway.getNetwork(channel);
}
const contractOf = (org: OrgSpec, role: AppRole, channel = 'hospital-a', peerOrg: OrgSpec = org): Contract =>
  networkOf(org, role, channel, peerOrg).getContract(CHAINCODE_NAME);

afterAll(() => {
  for (const client of gateways) client.close();
});

function interaction(id: string, overrides: Json = {}): Json {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10, outputTokens: 5, source: 'provider' },
    cost: { status: 'unpriced' },
    latencyMs: 1000,
    status: 'ok',
    applicationId: `it-app-${run}`,
    promptCommitment: COMMITMENT,
    ...overrides,
  };
}

async function submit(contract: Contract, name: string, ...args: string[]): Promise<Json> {
  return JSON.parse(decoder.decode(await contract.submitTransaction(`Interactions:${name}`, ...args))) as Json;
}
async function evaluate(contract: Contract, name: string, ...args: string[]): Promise<Json> {
  return JSON.parse(decoder.decode(await contract.evaluateTransaction(`Interactions:${name}`, ...args))) as Json;
}

/** The orgs whose peers endorsed a committed transaction, read back from the ledger with qscc. */
async function endorsingOrgs(network: Network, txId: string): Promise<{ validationCode: number; orgs: string[] }> {
  const bytes = await network.getContract('qscc').evaluateTransaction('GetTransactionByID', network.getName(), txId);
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const payload = common.Payload.deserializeBinary(
    processed.getTransactionenvelope()?.getPayload_asU8() ?? new Uint8Array(),
  );
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const orgs = transaction
    .getActionsList()
    .flatMap(
      (action) =>
        peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction()?.getEndorsementsList() ??
        [],
    )
    .map((endorsement) => msp.SerializedIdentity.deserializeBinary(endorsement.getEndorser_asU8()).getMspid());
  return { validationCode: processed.getValidationcode(), orgs: [...new Set(orgs)].sort() };
}

describe('Interactions on the network', () => {
  const hospitalRecord = `HospitalAMSP:it-a-${run}`;

  beforeAll(async () => {
    await submit(contractOf(HOSPITAL_A, 'recorder'), 'RecordInteraction', JSON.stringify(interaction(hospitalRecord)));
  });

  it('lets only recorders and admins write, each for its own org (every role × org on hospital-a)', async () => {
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      for (const role of APP_ROLES) {
        const id = `${org.mspId}:it-w-${org.slug}-${role}-${run}`;
        const call = submit(contractOf(org, role), 'RecordInteraction', JSON.stringify(interaction(id)));
        if (role === 'recorder' || role === 'admin') {
          expect(await call).toMatchObject({ id, org: org.mspId, recordedBy: `app-${role}` });
        } else {
          expect(await refusal(call)).toContain(`ACCESS_DENIED: access denied: role '${role}' of ${org.mspId}`);
        }
      }
    }
  });

  it('lets the regulator’s auditors read every org’s records and every other identity only its own org’s', async () => {
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      for (const role of APP_ROLES) {
        const contract = contractOf(org, role);
        // Only the configured auditor org's auditors (AAL_AUDITOR_ORGS: the regulator) read across orgs.
        const readsEverything = role === 'auditor' && org === REGULATOR;
        const mayRead = readsEverything || org === HOSPITAL_A;
        if (mayRead) {
          expect(await evaluate(contract, 'GetInteraction', hospitalRecord)).toMatchObject({
            id: hospitalRecord,
            org: 'HospitalAMSP',
          });
          expect(await evaluate(contract, 'GetAnnotations', hospitalRecord)).toHaveProperty('records');
        } else {
          expect(await refusal(evaluate(contract, 'GetInteraction', hospitalRecord))).toContain('ACCESS_DENIED');
          expect(await refusal(evaluate(contract, 'GetAnnotations', hospitalRecord))).toContain('ACCESS_DENIED');
        }
        // Records of the lean layout have no query index entries: listings are the audit index's
        // (its org scoping: test/integration/audit-index*.test.ts); the chaincode's query finds none.
        const page = (await evaluate(
          contract,
          'QueryInteractions',
          JSON.stringify({ by: 'applicationId', value: `it-app-${run}`, pageSize: 1000 }),
        )) as { records: unknown[] };
        expect(page.records).toEqual([]);
      }
    }
  });

  it('lets only the owning org’s recorders and admins annotate, and leaves the interaction unchanged', async () => {
    const before = await evaluate(contractOf(REGULATOR, 'auditor'), 'GetInteraction', hospitalRecord);
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      for (const role of APP_ROLES) {
        const annotation = JSON.stringify({
          id: `${org.mspId}:n-${org.slug}-${role}`,
          kind: 'flag',
          labels: ['review-needed'],
        });
        const call = submit(contractOf(org, role), 'AnnotateInteraction', hospitalRecord, annotation);
        if (org === HOSPITAL_A && (role === 'recorder' || role === 'admin'))
          expect(await call).toMatchObject({ interactionId: hospitalRecord, org: 'HospitalAMSP' });
        else expect(await refusal(call)).toContain('ACCESS_DENIED');
      }
    }
    expect(await evaluate(contractOf(REGULATOR, 'auditor'), 'GetInteraction', hospitalRecord)).toEqual(before);
    const annotations = (await evaluate(contractOf(REGULATOR, 'auditor'), 'GetAnnotations', hospitalRecord)) as {
      records: { id: string }[];
    };
    expect(annotations.records.map((record) => record.id).sort()).toEqual([
      'HospitalAMSP:n-hospital-a-admin',
      'HospitalAMSP:n-hospital-a-recorder',
    ]);
  });

  it('refuses invalid input through the gateway, naming the field, and conflicting rewrites', async () => {
    const recorder = contractOf(HOSPITAL_A, 'recorder');
    expect(
      await refusal(
        submit(
          recorder,
          'RecordInteraction',
          JSON.stringify(interaction(`it-bad-${run}`, { org: 'HospitalBMSP', latencyMs: -1 })),
        ),
      ),
    ).toContain('INVALID_ARGUMENT: latencyMs: must be at least 0; org: is not a known field');
    expect(await submit(recorder, 'RecordInteraction', JSON.stringify(interaction(hospitalRecord)))).toMatchObject({
      id: hospitalRecord,
    });
    expect(
      await refusal(
        submit(recorder, 'RecordInteraction', JSON.stringify(interaction(hospitalRecord, { latencyMs: 5 }))),
      ),
    ).toContain(`CONFLICT: interaction ${hospitalRecord} already exists with different content`);
  });

  it('keeps channels apart: hospital-a’s records are not on hospital-b, and HospitalB cannot reach hospital-a', async () => {
    expect(
      await refusal(evaluate(contractOf(REGULATOR, 'auditor', 'hospital-b'), 'GetInteraction', hospitalRecord)),
    ).toContain(`NOT_FOUND: interaction ${hospitalRecord} does not exist`);
    expect(
      await refusal(
        evaluate(contractOf(HOSPITAL_B, 'auditor', 'hospital-a', HOSPITAL_A), 'GetInteraction', hospitalRecord),
      ),
    ).not.toContain('"id"');
    await expect(
      evaluate(contractOf(HOSPITAL_B, 'auditor', 'hospital-a', HOSPITAL_A), 'GetInteraction', hospitalRecord),
    ).rejects.toThrow();
    await expect(
      submit(
        contractOf(HOSPITAL_B, 'recorder', 'hospital-a', HOSPITAL_A),
        'RecordInteraction',
        JSON.stringify(interaction(`HospitalBMSP:it-b-${run}`)),
      ),
    ).rejects.toThrow();
    expect(
      await refusal(evaluate(contractOf(REGULATOR, 'auditor'), 'GetInteraction', `HospitalBMSP:it-b-${run}`)),
    ).toContain('NOT_FOUND');
  });

  it('commits writes endorsed by at least two orgs (read back from the ledger)', async () => {
    const network = networkOf(AI_PROVIDER, 'recorder', 'hospital-a');
    const proposal = network.getContract(CHAINCODE_NAME).newProposal(TRANSACTIONS.recordInteraction, {
      arguments: [JSON.stringify(interaction(`AIProviderMSP:it-e-${run}`))],
    });
    const transaction = await proposal.endorse();
    const commit = await transaction.submit();
    expect((await commit.getStatus()).successful).toBe(true);
    const evidence = await endorsingOrgs(network, transaction.getTransactionId());
    expect(evidence.validationCode).toBe(peer.TxValidationCode.VALID);
    expect(evidence.orgs.length).toBeGreaterThanOrEqual(2);
    for (const org of evidence.orgs) expect(['HospitalAMSP', 'AIProviderMSP', 'RegulatorMSP']).toContain(org);
  });

  it('writes one key per gathered record and no query index entry: queries are the audit index’s', async () => {
    const network = networkOf(AI_PROVIDER, 'recorder', 'hospital-a');
    const recorder = network.getContract(CHAINCODE_NAME);
    const applicationId = `it-bulk-${run}`;
    const records = Array.from({ length: 300 }, (_, index) =>
      interaction(`AIProviderMSP:it-bulk-${run}-${String(index).padStart(4, '0')}`, { applicationId }),
    );
    const transaction = await recorder
      .newProposal(TRANSACTIONS.recordInteractions, { arguments: [JSON.stringify(records)] })
      .endorse();
    const commit = await transaction.submit();
    expect((await commit.getStatus()).successful).toBe(true);
    const recorded = decodeRecordedTransaction(
      await network
        .getContract('qscc')
        .evaluateTransaction('GetTransactionByID', network.getName(), transaction.getTransactionId()),
    );
    expect(recorded.writes.map((write) => write.key)).toEqual(
      records.map((record) => `\u0000interaction\u0000${String(record.id)}\u0000`),
    );
    const page = (await evaluate(
      recorder,
      'QueryInteractions',
      JSON.stringify({ by: 'applicationId', value: applicationId, pageSize: 1000 }),
    )) as { records: unknown[]; bookmark: string };
    expect(page).toEqual({ records: [], bookmark: '' });
    expect(
      await refusal(
        evaluate(
          recorder,
          'QueryInteractions',
          JSON.stringify({ by: 'applicationId', value: applicationId, pageSize: 1001 }),
        ),
      ),
    ).toContain('INVALID_ARGUMENT: pageSize: must be an integer from 1 to 1000');
  });
});
