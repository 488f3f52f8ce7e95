import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIMITS, TRANSACTIONS } from '@aal/ledger-contract';
import { ApiKeyStore, runAuditIndexCli } from '@aal/application';
import { AI_PROVIDER, CHAINCODE_NAME, HOSPITAL_A, NetworkLayout } from '@aal/network';
import { HOSPITAL_A_CHANNEL, interactionRecord, MemberClients, runSuffix } from '../support/deviating-member';
import { startExtraApp, waitUntilReady, type ExtraApp } from '../support/extra-app';
import { enrolledIdentity } from '../support/gateway';
import { handBuiltProposal } from '../support/hand-built-proposal';
import { interactionRequest, postInteraction } from '../support/interactions';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';
import { indexRead } from '../support/index-read';

/**
 * The audit index's integrity on the real network: an app of its own (HospitalA's profile, its own
 * index file) resumes exactly from its checkpoint across restarts; `check` re-reads the peer's real
 * blocks and finds a tampered row and a tampered checkpoint hash; a tampered chain halts ingestion
 * loudly (/readyz, metric, 503); `reindex` rebuilds equal rows. And auditors see a transaction held
 * back after endorsement as a time anomaly.
 */
const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const hospitalA = environment.apps.HospitalA ?? '';
const regulator = environment.apps.Regulator ?? '';
const run = runSuffix();

/** Runs the audit-index command in-process, as `npm run audit-index -- …` would; returns its exit code and output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runAuditIndexCli(
    argv,
    { out: (line) => lines.push(line), progress: () => undefined },
    { AAL_NETWORK_DIR: options.dir },
  );
  return { code, out: lines.join('\n') };
}

describe('audit index integrity on the real network', () => {
  let dir: string;
  let app: ExtraApp | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-index-integrity-'));
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes from its checkpoint, is verified by check against real blocks, halts on a broken chain and is rebuilt by reindex', async () => {
    const indexPath = join(dir, 'audit-index.sqlite');
    const store = new ApiKeyStore(join(dir, 'keys.json'));
    const admin = { authorization: `Bearer ${store.create('integrity-admin', 'admin').key}` };
    const env = {
      AAL_GATEWAY_PROFILE: layout.gatewayProfile(HOSPITAL_A),
      AAL_API_KEY_STORE: store.path,
      AAL_AUDITOR_READ_LOG: join(dir, 'reads.jsonl'),
      AAL_AUDIT_INDEX_PATH: indexPath,
    };
    /** Starts the app on the index; waits for /readyz unless the index is expected to halt at once. */
    const start = async (ready = true): Promise<ExtraApp> => {
      app = await startExtraApp(extraPort(options.basePort, 'indexIntegrityApp'), env);
      if (ready) await waitUntilReady(app);
      return app;
    };
    const applicationId = `integrity-${run}`;
    const recorder = bearer(environment, 'HospitalA', 'recorder');
    let lastBlock = 0;
    const write = async (count: number): Promise<void> => {
      for (let index = 0; index < count; index++) {
        const response = await postInteraction(
          hospitalA,
          HOSPITAL_A_CHANNEL,
          recorder,
          interactionRequest(`${applicationId}-${Date.now()}-${index}`, { applicationId }),
        );
        expect(response.status).toBe(201);
        lastBlock = Math.max(lastBlock, Number(((await response.json()) as { blockNumber: string }).blockNumber));
      }
    };
    const usage = async (url: string): Promise<Response> =>
      fetch(
        `${url}/api/v1/channels/hospital-a/audit/usage?groupBy=model&by=applicationId&value=${applicationId}&minBlock=${lastBlock}`,
        { headers: admin },
      );
    const calls = async (url: string): Promise<number> => {
      const response = await indexRead(() => usage(url));
      expect(response.status).toBe(200);
      return ((await response.json()) as { records: number }).records;
    };
    const stored = (): { rows: number; ids: number } => {
      const database = new DatabaseSync(indexPath);
      try {
        return database
          .prepare(
            'SELECT count(*) AS rows, count(DISTINCT record_id) AS ids FROM interactions WHERE application_id = ?',
          )
          .get(applicationId) as { rows: number; ids: number };
      } finally {
        database.close();
      }
    };

    // First start: the new index reads the channel from block 0 and counts what was written.
    let running = await start();
    await write(4);
    expect(await calls(running.url)).toBe(4);
    expect(await running.stop()).toBe(0);

    // Written while the app is down (singles and a batch): found after the restart, none twice.
    await write(3);
    const batch = await fetch(`${hospitalA}/api/v1/channels/hospital-a/batches`, {
      method: 'POST',
      headers: { ...recorder, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: Array.from({ length: 5 }, (_, leaf) =>
          interactionRequest(`${applicationId}-batch-${leaf}`, { applicationId }),
        ),
      }),
    });
    expect(batch.status).toBe(201);
    lastBlock = Math.max(lastBlock, Number(((await batch.json()) as { blockNumber: string }).blockNumber));
    running = await start();
    expect(await calls(running.url)).toBe(12);
    expect(stored()).toEqual({ rows: 12, ids: 12 });

    // check, with the app running: every real block re-read, hash chain and rows as decoded.
    const clean = await cli('check', '--org', 'hospital-a', '--index', indexPath);
    expect(clean.out).toMatch(/^hospital-a: blocks 0–\d+, \d+ blocks re-read, \d+ rows, \d+ time anomalies: OK$/m);
    expect(clean.code).toBe(0);
    expect(await running.stop()).toBe(0);

    // Tampered rows and a tampered checkpoint hash are found.
    const database = new DatabaseSync(indexPath);
    const dump = (atBlock: number): unknown[] =>
      database
        .prepare('SELECT * FROM interactions WHERE block_number <= ? ORDER BY seq')
        .all(atBlock)
        .map(({ seq: _seq, ...row }) => row);
    const { block_number: checkpoint } = database.prepare('SELECT block_number FROM checkpoints').get() as {
      block_number: number;
    };
    const original = dump(checkpoint);
    const victim = database
      .prepare('SELECT record_id, block_number FROM interactions WHERE application_id = ? ORDER BY seq LIMIT 1')
      .get(applicationId) as { record_id: string; block_number: number };
    database
      .prepare('UPDATE interactions SET input_tokens = input_tokens + 1 WHERE record_id = ?')
      .run(victim.record_id);
    const rowTampered = await cli('check', '--org', 'hospital-a', '--index', indexPath);
    expect(rowTampered.code).toBe(1);
    expect(rowTampered.out).toContain(`  block ${victim.block_number}: 1 rows stored`);
    database.prepare('UPDATE checkpoints SET header_hash = ?').run('00'.repeat(32));
    database.close();
    const hashTampered = await cli('check', '--org', 'hospital-a', '--index', indexPath);
    expect(hashTampered.code).toBe(1);
    expect(hashTampered.out).toMatch(
      new RegExp(`checkpoint block ${checkpoint}: stored header hash 0{64} is not the peer's block hash [0-9a-f]{64}`),
    );

    // Ingesting on from the tampered checkpoint: the next real block's previous_hash does not match:
    // ingestion of the channel stops loudly, /readyz names the channel and block, reads are refused.
    running = await start(false);
    await write(1);
    let ready: Response | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      ready = await fetch(`${running.url}/readyz`);
      if (ready.status === 503 && ((await ready.clone().json()) as { title?: string }).title === 'Audit index halted')
        break;
      await sleep(200);
    }
    expect(ready?.status).toBe(503);
    expect(await ready?.json()).toMatchObject({
      title: 'Audit index halted',
      auditIndex: { halted: [{ channel: 'hospital-a', blockNumber: String(checkpoint + 1), check: 'previous-hash' }] },
    });
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/^aal_audit_index_integrity_failures_total\{channel="hospital-a"\} 1$/m);
    const refused = await usage(running.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ title: 'Audit index halted' });
    // Logged as an error with the block and hashes, no content.
    const logged = running
      .output()
      .split('\n')
      .filter((line) => line.includes('block integrity check failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('"level":50');
    expect(logged[0]).not.toContain(applicationId);
    expect(await running.stop()).toBe(0);

    // reindex (the app stopped): rebuilt from block 0, rows equal to the ones ingested live; check agrees.
    const rebuilt = await cli('reindex', '--org', 'hospital-a', '--index', indexPath);
    expect(rebuilt.out).toContain(`audit index sqlite:${indexPath} rebuilt`);
    expect(rebuilt.code).toBe(0);
    const reopened = new DatabaseSync(indexPath);
    expect(
      reopened
        .prepare('SELECT * FROM interactions WHERE block_number <= ? ORDER BY seq')
        .all(checkpoint)
        .map(({ seq: _seq, ...row }) => row),
    ).toEqual(original);
    reopened.close();
    expect((await cli('check', '--org', 'hospital-a', '--index', indexPath)).code).toBe(0);
    running = await start();
    expect(await calls(running.url)).toBe(13);
    expect(await running.stop()).toBe(0);
    app = undefined;
  });

  it("check --sample compares the org's PostgreSQL index with the chaincode's point reads, and finds a tampered record of each kind", async () => {
    const recorder = bearer(environment, 'HospitalA', 'recorder');
    const manager = bearer(environment, 'HospitalA', 'consent-manager');
    const A = `${hospitalA}/api/v1/channels/hospital-a`;
    let lastBlock = 0;
    let firstBlock = Number.MAX_SAFE_INTEGER;
    /** Posts as HospitalA; returns the answer's body and notes its block. */
    const post = async (
      headers: Record<string, string>,
      path: string,
      body: unknown,
    ): Promise<Record<string, unknown>> => {
      const response = await fetch(`${A}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect([200, 201]).toContain(response.status);
      const answer = (await response.json()) as Record<string, unknown>;
      const fromBody = answer['blockNumber'];
      const block = response.headers.get('x-block-number') ?? (typeof fromBody === 'string' ? fromBody : undefined);
      // An answer that names no block (a subject reference, derived without a transaction) moves neither bound.
      if (block !== undefined) {
        lastBlock = Math.max(lastBlock, Number(block));
        firstBlock = Math.min(firstBlock, Number(block));
      }
      return answer;
    };
    // One record of each kind the sample reads: single and batched interactions, a consent granted
    // and one revoked, an artifact. The single one goes through the list route (its own
    // `RecordInteractions` transaction, stored under its key): `POST /interactions` is gathered into
    // a Merkle batch.
    const applicationId = `sample-${run}`;
    const single = `${applicationId}-single`;
    await post(recorder, '/interactions/batch', { records: [interactionRequest(single, { applicationId })] });
    const batch = await post(recorder, '/batches', {
      records: Array.from({ length: 3 }, (_, leaf) =>
        interactionRequest(`${applicationId}-batch-${leaf}`, { applicationId }),
      ),
    });
    const subject = await post(manager, '/subjects', { identifier: `MRN-${run}` });
    const consent = (id: string) => ({
      id,
      subjectRef: subject['subjectRef'],
      grantees: ['AIProviderMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'2'.repeat(64)}`,
    });
    await post(manager, '/consents', consent(`sample-kept-${run}`));
    await post(manager, '/consents', consent(`sample-revoked-${run}`));
    await post(manager, `/consents/HospitalAMSP:sample-revoked-${run}/revoke`, { reason: 'subject-request' });
    const artifactId = `HospitalAMSP:sample-ds-${run}`;
    await post(recorder, '/artifacts', {
      id: artifactId,
      kind: 'other',
      name: `sample-${run}`,
      version: '1.0',
      sha256: 'a'.repeat(64),
    });
    // HospitalA's own app has indexed them all (its PostgreSQL index) once it answers at that block.
    const reached = await fetch(`${A}/audit/usage?groupBy=org&minBlock=${lastBlock}`, {
      headers: bearer(environment, 'HospitalA', 'admin'),
    });
    expect(reached.status).toBe(200);

    // No --index: the org's PostgreSQL index, located through <org dir>/audit-index-location.json.
    // Every record of this test's blocks (--from-block): the other test files' records on this
    // network would make `all` take minutes.
    expect(firstBlock).toBeGreaterThan(0);
    const since = ['--from-block', String(firstBlock)];
    const clean = await cli('check', '--org', 'hospital-a', '--sample', 'all', ...since);
    expect(clean.out).toMatch(/^hospital-a: blocks 0–\d+, \d+ blocks re-read, \d+ rows, \d+ time anomalies: OK$/m);
    const sampled =
      /^hospital-a: every record of blocks (\d+)–(\d+) \((\d+) interactions, (\d+) batched interactions, (\d+) consents, (\d+) artifacts\) read through the chaincode.*: OK$/m.exec(
        clean.out,
      );
    expect(sampled).not.toBeNull();
    const [, from, upTo, singles, batched, consents, artifacts] = (sampled ?? []).map(Number);
    expect(from).toBe(firstBlock);
    expect(upTo).toBeGreaterThanOrEqual(lastBlock);
    expect(singles).toBeGreaterThanOrEqual(1);
    expect(batched).toBeGreaterThanOrEqual(3);
    expect(consents).toBeGreaterThanOrEqual(2);
    expect(artifacts).toBeGreaterThanOrEqual(1);
    expect(clean.out).toMatch(/^audit index postgres:.* matches the peer's blocks and the chaincode's point reads$/m);
    expect(clean.code).toBe(0);
    // The default sample: at most 100 of each kind, also OK.
    const byDefault = await cli('check', '--org', 'hospital-a');
    expect(byDefault.out).toMatch(/^hospital-a: sample of 100 per kind \(seed 0\) up to block \d+ .*: OK$/m);
    expect(byDefault.code).toBe(0);

    // A scratch SQLite index rebuilt from the same blocks, then one record of each kind tampered:
    // the sample finds each by id and field (the consent and artifact only it can find).
    const scratch = join(dir, 'sample-scratch.sqlite');
    expect((await cli('reindex', '--org', 'hospital-a', '--index', scratch)).code).toBe(0);
    const database = new DatabaseSync(scratch);
    const tamper = (table: string, idColumn: string, id: string, field: string, value: unknown): number => {
      const row = database.prepare(`SELECT record_json, block_number FROM ${table} WHERE ${idColumn} = ?`).get(id) as {
        record_json: string;
        block_number: number;
      };
      const record = { ...(JSON.parse(row.record_json) as Record<string, unknown>), [field]: value };
      database.prepare(`UPDATE ${table} SET record_json = ? WHERE ${idColumn} = ?`).run(JSON.stringify(record), id);
      return row.block_number;
    };
    const batchedId = `HospitalAMSP:${applicationId}-batch-1`;
    const batchedBlock = tamper('interactions', 'record_id', batchedId, 'latencyMs', 99_999);
    const consentBlock = tamper('consents', 'consent_id', `HospitalAMSP:sample-kept-${run}`, 'purposes', ['research']);
    const artifactBlock = tamper('artifacts', 'artifact_id', artifactId, 'version', '9.9');
    database.close();
    const tampered = await cli('check', '--org', 'hospital-a', '--index', scratch, '--sample', 'all', ...since);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain(
      `  batched-interaction ${batchedId} (block ${batchedBlock}): the index and the chaincode differ in latencyMs`,
    );
    expect(tampered.out).toContain(
      `  consent HospitalAMSP:sample-kept-${run} (block ${consentBlock}): the index and the chaincode differ in purposes`,
    );
    expect(tampered.out).toContain(
      `  artifact ${artifactId} (block ${artifactBlock}): the index and the chaincode differ in version`,
    );
    expect(tampered.out).toMatch(/^hospital-a: every record of blocks .*: 3 DIFFERENCES$/m);
    expect(String(batch['batchId'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("shows auditors a transaction held back after endorsement as a time anomaly, with the earlier block's transaction", async () => {
    const clients = new MemberClients();
    try {
      const provider = clients.gateway(AI_PROVIDER, 'recorder');
      const contract = provider.gateway.getNetwork(HOSPITAL_A_CHANNEL).getContract(CHAINCODE_NAME);
      const { privateKey } = enrolledIdentity(clients.layout.appUserIdentity(AI_PROVIDER, 'recorder'));
      // Dated within the endorsers' skew, so it is endorsed; then held while another transaction commits.
      const backdated = handBuiltProposal(
        provider.gateway,
        contract,
        TRANSACTIONS.recordInteraction,
        // Called on the chaincode directly, so the id is qualified here (the apps qualify bare ids).
        { arguments: [JSON.stringify(interactionRecord(`${AI_PROVIDER.mspId}:time-anomaly-${run}`))] },
        new Date(Date.now() - LIMITS.txTimeSkewMs + 5_000),
        privateKey,
      );
      const endorsed = await backdated.proposal.endorse();
      await sleep(12_000);
      const honest = await postInteraction(
        hospitalA,
        HOSPITAL_A_CHANNEL,
        bearer(environment, 'HospitalA', 'recorder'),
        interactionRequest(`time-honest-${run}`),
      );
      expect(honest.status).toBe(201);
      const honestBody = (await honest.json()) as { txId: string; blockNumber: string };
      const status = await (await endorsed.submit()).getStatus();
      expect(status.successful).toBe(true);
      expect(status.blockNumber).toBeGreaterThan(BigInt(honestBody.blockNumber));

      const auditor = bearer(environment, 'Regulator', 'auditor');
      const response = await fetch(
        `${regulator}/api/v1/channels/hospital-a/audit/time-anomalies?minBlock=${status.blockNumber}&pageSize=100`,
        { headers: auditor },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        asOfBlock: string;
        anomalies: { txId: string; blockNumber: string; earlierBlockNumber: string; earlierByMs: number }[];
      };
      expect(Number(page.asOfBlock)).toBeGreaterThanOrEqual(Number(status.blockNumber));
      const found = page.anomalies.find((anomaly) => anomaly.txId === backdated.transactionId);
      expect(found).toMatchObject({ blockNumber: String(status.blockNumber) });
      expect(Number(found?.earlierBlockNumber)).toBeGreaterThanOrEqual(Number(honestBody.blockNumber));
      expect(found?.earlierByMs).toBeGreaterThan(LIMITS.txTimeSkewMs);
      // The honest transaction is not flagged; the route is for auditors only.
      expect(page.anomalies.map((anomaly) => anomaly.txId)).not.toContain(honestBody.txId);
      const recorderAnswer = await fetch(`${regulator}/api/v1/channels/hospital-a/audit/time-anomalies`, {
        headers: bearer(environment, 'Regulator', 'recorder'),
      });
      expect(recorderAnswer.status).toBe(403);
    } finally {
      clients.close();
    }
  });
});
