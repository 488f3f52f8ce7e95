import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { CHAINCODE_DIR, FabricNetwork, HOSPITAL_A, REGULATOR } from '@aal/network';
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
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';

/**
 * Issue 12's compatibility: a channel that holds records of the previous world-state layout (single
 * records with per-record query entries; batched records stored whole) keeps serving them after the
 * chaincode is upgraded to the lean layout at the next sequence, beside records of the new layout.
 * The previous chaincode is built from the last commit before the lean layout, against today's contract
 * (`git archive` of that commit: the test needs the repository's history, as a plain `git clone` has).
 */
const PREVIOUS_LAYOUT_COMMIT = 'e9ff914f0cbd9faff5692feed276cb1812846860';
const ROOT = resolve(CHAINCODE_DIR, '..');
const environment = loadTestEnvironment();
const clients = new MemberClients();
const run = runSuffix();
const model = `compat-model-${run}`;
const ids = {
  oldSingle: `HospitalAMSP:compat-${run}-old-single`,
  oldBatched: [`HospitalAMSP:compat-${run}-old-b0`, `HospitalAMSP:compat-${run}-old-b1`],
  newSingle: `HospitalAMSP:compat-${run}-new-single`,
  newBatched: [`HospitalAMSP:compat-${run}-new-b0`, `HospitalAMSP:compat-${run}-new-b1`],
};
const record = (id: string): Json => interactionRecord(id, { requestModel: model });

/** The previous layout's chaincode, compiled into a directory of its own (git-ignored `.tools/`). */
function buildPreviousChaincode(): { dist: string; cleanup: () => void } {
  mkdirSync(join(ROOT, '.tools'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tools', 'previous-layout-'));
  execFileSync('sh', ['-c', `git archive ${PREVIOUS_LAYOUT_COMMIT} chaincode/src | tar -x -C "${dir}"`], { cwd: ROOT });
  writeFileSync(
    join(dir, 'chaincode', 'tsconfig.build.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.base.json'),
      compilerOptions: {
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        outDir: 'dist',
        rootDir: 'src',
        types: ['node'],
      },
      include: ['src'],
      exclude: ['src/**/*.test.ts', 'src/testing/**'],
    }),
  );
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: join(dir, 'chaincode'),
    },
  );
  return { dist: join(dir, 'chaincode', 'dist'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function rest(
  org: string,
  role: 'recorder' | 'auditor',
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${environment.apps[org] ?? ''}/api/v1/channels/hospital-a${path}`, {
    method,
    headers: {
      ...bearer(environment, org, role),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

afterAll(() => clients.close());

describe('world-state layouts across a chaincode upgrade (issue 12)', () => {
  it('serves records of the previous layout beside lean ones after the upgrade to the next sequence', async () => {
    const network = new FabricNetwork(testNetworkOptions());
    const recorder = clients.contract(HOSPITAL_A, 'recorder');
    const auditor = clients.contract(REGULATOR, 'auditor');
    const previous = buildPreviousChaincode();
    const current = join(CHAINCODE_DIR, 'dist');
    const kept = `${current}.current-${run}`;
    let oldBatchId = '';
    renameSync(current, kept);
    try {
      cpSync(previous.dist, current, { recursive: true });
      const previousVersion = await network.deploy();
      expect(previousVersion).not.toBe(environment.chaincodeVersion);
      await submitJson(recorder, TRANSACTIONS.recordInteraction, JSON.stringify(record(ids.oldSingle)));
      oldBatchId = (
        await submitJson<{ batchId: string }>(
          recorder,
          TRANSACTIONS.recordBatch,
          JSON.stringify(ids.oldBatched.map(record)),
        )
      ).batchId;
    } finally {
      rmSync(current, { recursive: true, force: true });
      renameSync(kept, current);
      previous.cleanup();
    }
    expect(await network.deploy()).toBe(environment.chaincodeVersion);

    await submitJson(recorder, TRANSACTIONS.recordInteraction, JSON.stringify(record(ids.newSingle)));
    const newBatchId = (
      await submitJson<{ batchId: string }>(
        recorder,
        TRANSACTIONS.recordBatch,
        JSON.stringify(ids.newBatched.map(record)),
      )
    ).batchId;

    // The chaincode: a batched record of the previous layout is answered whole, a lean one by its locator.
    expect(await evaluateJsonArgs(auditor, TRANSACTIONS.getInteraction, ids.oldBatched[1] ?? '')).toMatchObject({
      id: ids.oldBatched[1],
      requestModel: model,
      batchId: oldBatchId,
      leafIndex: 1,
    });
    const locator = await evaluateJsonArgs(auditor, TRANSACTIONS.getInteraction, ids.newBatched[1] ?? '');
    expect(locator).toMatchObject({ id: ids.newBatched[1], batchId: newBatchId, leafIndex: 1 });
    expect(locator['requestModel']).toBeUndefined();
    // The query entries: the previous layout's records only.
    const queried = async (transaction: string): Promise<Json[]> =>
      (
        await evaluateJsonArgs<{ records: Json[] }>(
          auditor,
          transaction,
          JSON.stringify({ by: 'requestModel', value: model }),
        )
      ).records;
    expect((await queried(TRANSACTIONS.queryInteractions)).map((row) => row['id'])).toEqual([ids.oldSingle]);
    expect((await queried(TRANSACTIONS.queryBatches)).map((row) => row['batchId'])).toEqual([oldBatchId]);
    // One id, one record across layouts.
    expect(
      (
        await codedRefusal(
          recorder.submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(record(ids.oldBatched[0] ?? ''))),
        )
      ).code,
    ).toBe('CONFLICT');

    // The app: every record read whole and vouched for by its transaction, proofs verified, annotatable.
    for (const id of [ids.oldSingle, ...ids.oldBatched, ids.newSingle, ...ids.newBatched]) {
      const read = await rest('Regulator', 'auditor', 'GET', `/interactions/${id}`);
      expect({ id, status: read.status, model: (read.body['interaction'] as Json)['requestModel'] }).toEqual({
        id,
        status: 200,
        model,
      });
      const annotated = await rest('HospitalA', 'recorder', 'POST', `/interactions/${id}/annotations`, {
        id: `HospitalAMSP:note-${run}-${id.slice(-6)}`,
        kind: 'review',
      });
      expect({ id, status: annotated.status }).toEqual({ id, status: 201 });
    }
    for (const id of [...ids.oldBatched, ...ids.newBatched]) {
      const proof = await rest('Regulator', 'auditor', 'GET', `/batched-interactions/${id}/proof`);
      expect({ id, status: proof.status }).toEqual({ id, status: 200 });
    }
    // The audit index holds both layouts, from the blocks.
    const listed = await eventually(
      'the index holds every record',
      async () =>
        ((await rest('Regulator', 'auditor', 'GET', `/interactions?by=requestModel&value=${model}`)).body['records'] ??
          []) as { id: string }[],
      (rows) => rows.length >= 6,
      60_000,
    );
    expect(listed.map((row) => row.id).sort()).toEqual(
      [ids.oldSingle, ...ids.oldBatched, ids.newSingle, ...ids.newBatched].sort(),
    );
  }, 600_000);
});
