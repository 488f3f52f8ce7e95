import { peer } from '@hyperledger/fabric-protos';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayProfile, LedgerBatchReader } from '@aal/application';
import { type RecordInclusionProof, RecordProofError, TRANSACTIONS, verifyRecordProof } from '@aal/ledger-contract';
import { AI_PROVIDER, CHAINCODE_NAME, HOSPITAL_A, NetworkLayout, REGULATOR, REPO_ROOT } from '@aal/network';
import { evaluateJson, refusal, submitTransaction } from '../support/chaincode-calls';
import { testGateway, type TestGateway } from '../support/gateway';
import { testNetworkOptions } from '../support/test-network';

/**
 * Batched ingestion on the real network: HospitalA records a batch (endorsed by a majority), the
 * Regulator's auditor fetches a record's inclusion proof and verifies it against the root read
 * from the ledger (world state and the committed block) through its own peer — with the library
 * and with the `verify-proof` CLI — and tampered records, paths and roots fail.
 */
const run = Date.now().toString(36);
const CHANNEL = 'hospital-a';
const layout = new NetworkLayout(testNetworkOptions());
const gateways: TestGateway[] = [];
const workDir = mkdtempSync(join(tmpdir(), 'aal-batches-'));
type Json = Record<string, unknown>;
type Proof = RecordInclusionProof & { batchId: string; org: string };
interface Summary {
  batchId: string;
  org: string;
  root: string;
  size: number;
  alreadyRecorded: unknown[];
}

const contractOf = (org: typeof HOSPITAL_A, role: 'recorder' | 'auditor') => {
  const client = testGateway(org, role);
  gateways.push(client);
  return client.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
};
const recorderA = contractOf(HOSPITAL_A, 'recorder');
const auditor = contractOf(REGULATOR, 'auditor');
const recorderP = contractOf(AI_PROVIDER, 'recorder');

function interaction(id: string, index: number): Json {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10 + index, outputTokens: 5, source: 'provider' },
    cost: { status: 'priced', amountMinor: index, currency: 'EUR' },
    latencyMs: 1000,
    status: 'ok',
    applicationId: 'triage-app',
    promptCommitment: `hmac-sha256:${'c'.repeat(64)}`,
  };
}
const records = Array.from({ length: 21 }, (_, i) => interaction(`HospitalAMSP:batch-${run}-${i}`, i));
const regulatorProfile = JSON.parse(readFileSync(layout.gatewayProfile(REGULATOR), 'utf8')) as GatewayProfile;

function verifyProofCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The CLI as `npm run verify-proof` runs it (tsx), on this same Node.
  const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(
    process.execPath,
    [tsx, join(REPO_ROOT, 'application', 'src', 'verifier', 'cli.ts'), ...args],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let summary: Summary;
let txId: string;

beforeAll(async () => {
  const submitted = await submitTransaction(recorderA, TRANSACTIONS.recordBatch, {
    arguments: [JSON.stringify(records)],
  });
  summary = JSON.parse(submitted.result) as Summary;
  txId = submitted.txId;
});

afterAll(() => {
  for (const client of gateways) client.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('Batches on the real network', () => {
  it('records the batch under its transaction id and returns only a small summary', () => {
    expect(summary).toEqual({
      batchId: txId,
      org: 'HospitalAMSP',
      txTime: expect.any(String) as string,
      root: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      size: 21,
      alreadyRecorded: [],
    });
  });

  it('an exact replay commits and returns the same summary without a second batch', async () => {
    const again = await submitTransaction(recorderA, TRANSACTIONS.recordBatch, {
      arguments: [JSON.stringify(records)],
    });
    expect(JSON.parse(again.result)).toEqual(summary);
    const located = await evaluateJson<{ batchId: string; leafIndex: number }>(
      auditor,
      TRANSACTIONS.getBatchedInteraction,
      { arguments: [records[20]?.id as string] },
    );
    expect([located.batchId, located.leafIndex]).toEqual([txId, 20]);
  });

  it('write-once holds under concurrency: of two batches endorsed before either commits, the second to commit is invalidated (its id reads are in the read set)', async () => {
    const shared = interaction(`HospitalAMSP:race-${run}`, 99);
    const first = await recorderA
      .newProposal(TRANSACTIONS.recordBatch, {
        arguments: [JSON.stringify([shared, interaction(`HospitalAMSP:race-${run}-a`, 1)])],
      })
      .endorse();
    const second = await recorderA
      .newProposal(TRANSACTIONS.recordBatch, {
        arguments: [JSON.stringify([shared, interaction(`HospitalAMSP:race-${run}-b`, 2)])],
      })
      .endorse();
    const firstStatus = await (await first.submit()).getStatus();
    const secondStatus = await (await second.submit()).getStatus();
    expect(firstStatus.successful).toBe(true);
    expect([secondStatus.successful, secondStatus.code]).toEqual([false, peer.TxValidationCode.MVCC_READ_CONFLICT]);
    expect(
      await refusal(
        auditor.evaluate(TRANSACTIONS.getBatchedInteraction, { arguments: [`HospitalAMSP:race-${run}-b`] }),
      ),
    ).toContain('NOT_FOUND');
  });

  it("another org's recorder cannot read HospitalA's batch or proofs; the auditor can", async () => {
    expect(
      await refusal(recorderP.evaluate(TRANSACTIONS.getInclusionProof, { arguments: [records[0]?.id as string] })),
    ).toContain('ACCESS_DENIED');
    expect((await evaluateJson<{ size: number }>(auditor, TRANSACTIONS.getBatch, { arguments: [txId] })).size).toBe(21);
  });

  it("the auditor's proof verifies against the root read from the ledger, and tampering fails", async () => {
    const fromChaincode = await evaluateJson<Proof>(auditor, TRANSACTIONS.getInclusionProof, {
      arguments: [records[13]?.id as string],
    });
    // The lean layout keeps no record in world state: the reader completes the proof with the record
    // (the REST app takes it from the recording transaction); the leaf hash binds it.
    expect(fromChaincode).not.toHaveProperty('record');
    const proof: Proof = { ...fromChaincode, record: records[13] };
    expect([proof.leafIndex, proof.treeSize, proof.root, proof.txId]).toEqual([13, 21, summary.root, txId]);
    const reader = new LedgerBatchReader(regulatorProfile, 'auditor', CHANNEL);
    try {
      const ledgerBatch = await reader.batchOfRecord(records[13]?.id as string);
      expect(ledgerBatch).toMatchObject({
        txId,
        root: summary.root,
        size: 21,
        leafIndex: 13,
        validationCode: 'VALID',
        org: 'HospitalAMSP',
      });
      expect(verifyRecordProof(records[13], proof, ledgerBatch)).toEqual({
        txId,
        root: summary.root,
        leafIndex: 13,
        treeSize: 21,
      });
      const codeOf = (call: () => unknown): string => {
        try {
          call();
        } catch (error) {
          return error instanceof RecordProofError ? error.code : String(error);
        }
        return 'verified';
      };
      expect(codeOf(() => verifyRecordProof({ ...records[13], latencyMs: 1 }, proof, ledgerBatch))).toBe(
        'LEAF_MISMATCH',
      );
      expect(codeOf(() => verifyRecordProof(records[12], proof, ledgerBatch))).toBe('LEAF_MISMATCH');
      expect(
        codeOf(() =>
          verifyRecordProof(records[13], { ...proof, auditPath: [...proof.auditPath].reverse() }, ledgerBatch),
        ),
      ).toBe('PATH_INVALID');
      expect(codeOf(() => verifyRecordProof(records[13], { ...proof, root: 'a'.repeat(64) }, ledgerBatch))).toBe(
        'ROOT_MISMATCH',
      );
      expect(codeOf(() => verifyRecordProof(records[13], { ...proof, txId: 'b'.repeat(64) }, ledgerBatch))).toBe(
        'TX_MISMATCH',
      );
    } finally {
      reader.close();
    }
  });

  it('the verify-proof CLI verifies the proof with the Regulator auditor identity and refuses a tampered record', async () => {
    const proof: Proof = {
      ...(await evaluateJson<Proof>(auditor, TRANSACTIONS.getInclusionProof, {
        arguments: [records[4]?.id as string],
      })),
      record: records[4],
    };
    const proofFile = join(workDir, 'proof.json');
    writeFileSync(proofFile, JSON.stringify(proof));
    const networkDir = testNetworkOptions().dir;
    const ok = verifyProofCli(
      '--proof',
      proofFile,
      '--channel',
      CHANNEL,
      '--org',
      'regulator',
      '--network-dir',
      networkDir,
    );
    // stderr carries only warnings (grpc's TLS server name); the verdict is the exit code and stdout.
    expect({ status: ok.status, stderr: ok.status === 0 ? '' : ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(ok.stdout) as Json).toMatchObject({
      verified: true,
      id: records[4]?.id,
      txId,
      root: summary.root,
      leafIndex: 4,
      treeSize: 21,
      validationCode: 'VALID',
      readBy: 'RegulatorMSP/auditor',
    });

    const tamperedFile = join(workDir, 'tampered.json');
    writeFileSync(tamperedFile, JSON.stringify({ ...(proof.record as Json), latencyMs: 2 }));
    const refused = verifyProofCli('--proof', proofFile, '--record', tamperedFile, '--network-dir', networkDir);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout) as Json).toMatchObject({ verified: false, code: 'LEAF_MISMATCH' });
  });
});
