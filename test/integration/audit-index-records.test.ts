import { createHash } from 'node:crypto';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  type AppRole,
  CHAINCODE_NAME,
  HOSPITAL_A,
  NetworkLayout,
  type OrgSpec,
  REGULATOR,
} from '@aal/network';
import { evaluateJson } from '../support/chaincode-calls';
import { testGateway } from '../support/gateway';
import { withOrgIndexDatabase } from '../support/org-index-database';
import { interactionRequest } from '../support/interactions';
import { conformanceProblems } from '../support/openapi-conformance';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';

/**
 * Every record kind in the audit index on the real network: consents granted and revoked, artifacts,
 * a training run, an annotation, Merkle batches and an erasure receipt each appear in the
 * index-backed answers (consent queries and history, the records listing, batch and interaction
 * queries) at the block their write answered, with an asOfBlock that covers it; auditors of the
 * Regulator read every org's records, the other orgs their own; after the erasure no index database
 * holds the subject's identifier or key (it never held them: only the pseudonym and commitments).
 */
const environment = loadTestEnvironment();
const layout = new NetworkLayout(testNetworkOptions());
const hospitalA = environment.apps.HospitalA ?? '';
const aiProvider = environment.apps.AIProvider ?? '';
const regulator = environment.apps.Regulator ?? '';
const CHANNEL = 'hospital-a';
const A = `/api/v1/channels/${CHANNEL}`;
const T = '/api/v1/channels/{channel}';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let openApi: unknown;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** Calls an app and checks the answer against the app's OpenAPI document. */
async function call(
  app: string,
  org: string,
  role: AppRole,
  method: string,
  path: string,
  template: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${app}${path}`, {
    method,
    headers: {
      ...bearer(environment, org, role),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  expect(
    conformanceProblems(openApi, method, template, response.status, response.headers.get('content-type') ?? '', parsed),
  ).toEqual([]);
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The block a write answered with: the `X-Block-Number` header, or `blockNumber` in its body. */
function blockOf(answer: Answer): number {
  const block = answer.headers.get('x-block-number') ?? answer.body.blockNumber;
  expect(String(block)).toMatch(/^[0-9]+$/);
  return Number(block);
}

interface IndexPage<T> {
  readonly records: T[];
  readonly nextCursor: string | null;
  readonly asOfBlock: string;
}

/**
 * Every record of an index-backed listing, page by page (`pageSize` small enough to page), each
 * page at `minBlock` or later; answers the records and the lowest asOfBlock of the pages.
 */
async function everyPage<T>(
  app: string,
  org: string,
  role: AppRole,
  path: string,
  template: string,
  minBlock: number,
  pageSize = 2,
): Promise<{ records: T[]; asOfBlock: number }> {
  const records: T[] = [];
  let asOfBlock = Number.POSITIVE_INFINITY;
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const separator = path.includes('?') ? '&' : '?';
    const continued = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const answer = await call(
      app,
      org,
      role,
      'GET',
      `${path}${separator}pageSize=${pageSize}&minBlock=${minBlock}${continued}`,
      template,
    );
    expect([path, answer.status]).toEqual([path, 200]);
    const page = answer.body as unknown as IndexPage<T>;
    expect(Number(page.asOfBlock)).toBeGreaterThanOrEqual(minBlock);
    asOfBlock = Math.min(asOfBlock, Number(page.asOfBlock));
    records.push(...page.records);
    cursor = page.nextCursor;
    if (cursor === null) return { records, asOfBlock };
  }
  throw new Error(`${path}: more than 1000 pages`);
}

interface PlacedRecord {
  readonly record: Record<string, unknown>;
  readonly txId: string;
  readonly blockNumber: string;
}

/** Every record of one kind an org's caller lists from its app's index, each within the asOfBlock it was answered at. */
async function listed(
  app: string,
  org: string,
  role: AppRole,
  type: string,
  minBlock: number,
): Promise<{ records: PlacedRecord[]; asOfBlock: number }> {
  const all = await everyPage<PlacedRecord>(
    app,
    org,
    role,
    `${A}/audit/records?type=${type}`,
    `${T}/audit/records`,
    minBlock,
    50,
  );
  for (const placed of all.records) expect(Number(placed.blockNumber)).toBeLessThanOrEqual(all.asOfBlock);
  return all;
}

/** Every text of every row of every table of an SQLite database, one string per row. */
async function everyRowText(org: OrgSpec): Promise<{ tables: string[]; rows: string[] }> {
  return withOrgIndexDatabase(layout, org, async (client) => {
    const tables = (
      await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      )
    ).rows.map((table) => table.name);
    const rows: string[] = [];
    for (const table of tables) {
      const result = await client.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM ${client.escapeIdentifier(table)} t`,
      );
      for (const { row } of result.rows) rows.push(`${table}: ${row}`);
    }
    return { tables, rows };
  });
}

describe('audit index: every record kind in the index-backed answers', () => {
  beforeAll(async () => {
    openApi = await (await fetch(`${regulator}/openapi.json`)).json();
  });

  it('answers consents, history, artifacts, training runs, annotations, batches, interactions and erasures from the index, scoped by org, and holds no identifier or key after an erasure', async () => {
    // A subject of HospitalA: its raw identifier and its key exist only in HospitalA's private collection.
    const identifier = unique('MRN-index');
    const registered = await call(hospitalA, 'HospitalA', 'consent-manager', 'POST', `${A}/subjects`, `${T}/subjects`, {
      identifier,
    });
    expect(registered.status).toBe(201);
    const subjectRef = String(registered.body.subjectRef);
    const recorder = testGateway(HOSPITAL_A, 'recorder');
    let subjectKey: string;
    try {
      const contract = recorder.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
      ({ subjectKey } = await evaluateJson<{ subjectKey: string }>(contract, TRANSACTIONS.getSubjectKey, {
        arguments: [subjectRef],
      }));
    } finally {
      recorder.close();
    }
    expect(subjectKey).toMatch(/^[0-9a-f]{64}$/);

    // Two consents about the subject: C1 for the AI provider's training, C2 for HospitalA's own inference.
    const consent = (id: string, grantee: string, purpose: string): Record<string, unknown> => ({
      id,
      subjectRef,
      grantees: [grantee],
      decision: 'permit',
      purposes: [purpose],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'3'.repeat(64)}`,
    });
    const [c1, c2] = [`HospitalAMSP:${unique('c1')}`, `HospitalAMSP:${unique('c2')}`].sort() as [string, string];
    const grant1 = await call(hospitalA, 'HospitalA', 'consent-manager', 'POST', `${A}/consents`, `${T}/consents`, {
      ...consent(c1, 'AIProviderMSP', 'model-training'),
    });
    const grant2 = await call(hospitalA, 'HospitalA', 'consent-manager', 'POST', `${A}/consents`, `${T}/consents`, {
      ...consent(c2, 'HospitalAMSP', 'ai-inference'),
    });
    expect([grant1.status, grant2.status]).toEqual([201, 201]);
    const [granted1, granted2] = [blockOf(grant1), blockOf(grant2)];

    // Record ids are org-namespaced: each is given in its creating org's namespace.
    // Read back at once with minBlock: both active, each the stored grant.
    const bySubject = `${A}/consents?by=subjectRef&value=${encodeURIComponent(subjectRef)}`;
    const fresh = await everyPage<{ id: string; status: string; txId: string }>(
      regulator,
      'Regulator',
      'auditor',
      bySubject,
      `${T}/consents`,
      granted2,
      1,
    );
    expect(fresh.records.map((record) => [record.id, record.status, record.txId])).toEqual([
      [c1, 'active', grant1.headers.get('x-transaction-id')],
      [c2, 'active', grant2.headers.get('x-transaction-id')],
    ]);

    // An artifact of each org and a training run of the AI provider on HospitalA's dataset (covered by C1).
    const dataset = `HospitalAMSP:${unique('ds')}`;
    const model = `AIProviderMSP:${unique('model')}`;
    const artifact = (id: string, kind: string, consentIds?: string[]): Record<string, unknown> => ({
      id,
      kind,
      name: unique('index-artifact'),
      version: '1.0',
      sha256: sha256(id),
      ...(consentIds === undefined ? {} : { consentIds }),
    });
    const datasetAnswer = await call(hospitalA, 'HospitalA', 'recorder', 'POST', `${A}/artifacts`, `${T}/artifacts`, {
      ...artifact(dataset, 'dataset', [c1]),
    });
    const modelAnswer = await call(aiProvider, 'AIProvider', 'recorder', 'POST', `${A}/artifacts`, `${T}/artifacts`, {
      ...artifact(model, 'model'),
    });
    expect([datasetAnswer.status, modelAnswer.status]).toEqual([201, 201]);
    const runId = `AIProviderMSP:${unique('run')}`;
    const runAnswer = await call(
      aiProvider,
      'AIProvider',
      'recorder',
      'POST',
      `${A}/training-runs`,
      `${T}/training-runs`,
      { id: runId, modelArtifactId: model, datasetArtifactIds: [dataset] },
    );
    expect(runAnswer.status).toBe(201);

    // Interactions under one application: a single one about the subject (its prompt names the raw
    // identifier: only a commitment under the subject key reaches the ledger), then a Merkle batch of each org.
    const app = unique('index-records-app');
    const single = `HospitalAMSP:${unique('ix')}`;
    const singleAnswer = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${A}/interactions`,
      `${T}/interactions`,
      {
        ...interactionRequest(single, { applicationId: app, subjectRef, consentId: c2, purpose: 'ai-inference' }),
        promptCommitment: undefined,
        prompt: `Summarise the discharge letter of patient ${identifier}`,
      },
    );
    expect(singleAnswer.status).toBe(201);
    const annotationId = `HospitalAMSP:${unique('review')}`;
    const annotationAnswer = await call(
      hospitalA,
      'HospitalA',
      'recorder',
      'POST',
      `${A}/interactions/${single}/annotations`,
      `${T}/interactions/{id}/annotations`,
      { id: annotationId, kind: 'flag', severity: 'high', labels: ['hallucination'] },
    );
    expect(annotationAnswer.status).toBe(201);
    const hospitalBatchIds = [unique('hb'), unique('hb'), unique('hb')].map((id) => `HospitalAMSP:${id}`);
    const providerBatchIds = [unique('pb'), unique('pb')].map((id) => `AIProviderMSP:${id}`);
    const hospitalBatch = await call(hospitalA, 'HospitalA', 'recorder', 'POST', `${A}/batches`, `${T}/batches`, {
      records: hospitalBatchIds.map((id) => interactionRequest(id, { applicationId: app })),
    });
    const providerBatch = await call(aiProvider, 'AIProvider', 'recorder', 'POST', `${A}/batches`, `${T}/batches`, {
      records: providerBatchIds.map((id) => interactionRequest(id, { applicationId: app })),
    });
    expect([hospitalBatch.status, providerBatch.status]).toEqual([201, 201]);

    // C2 revoked: the index answers it revoked (C1 still active) as soon as it reaches the revocation's block.
    const revokeAnswer = await call(
      hospitalA,
      'HospitalA',
      'consent-manager',
      'POST',
      `${A}/consents/${c2}/revoke`,
      `${T}/consents/{id}/revoke`,
      { reason: 'subject-request' },
    );
    expect(revokeAnswer.status).toBe(200);
    const revokedAt = blockOf(revokeAnswer);
    const afterRevocation = await everyPage<{ id: string; status: string; revocationReason?: string }>(
      regulator,
      'Regulator',
      'auditor',
      bySubject,
      `${T}/consents`,
      revokedAt,
    );
    expect(afterRevocation.records.map((record) => [record.id, record.status, record.revocationReason])).toEqual([
      [c1, 'active', undefined],
      [c2, 'revoked', 'subject-request'],
    ]);
    const revokedOnly = await everyPage<{ id: string }>(
      hospitalA,
      'HospitalA',
      'consent-manager',
      `${bySubject}&status=revoked`,
      `${T}/consents`,
      revokedAt,
    );
    expect(revokedOnly.records.map((record) => record.id)).toEqual([c2]);

    // The subject erased: its receipt is the last write.
    const erasure = await call(
      hospitalA,
      'HospitalA',
      'admin',
      'DELETE',
      `${A}/subjects/${encodeURIComponent(subjectRef)}`,
      `${T}/subjects/{subjectRef}`,
    );
    expect(erasure.status).toBe(200);
    const erasedAt = blockOf(erasure);
    const writes = {
      granted1,
      granted2,
      dataset: blockOf(datasetAnswer),
      model: blockOf(modelAnswer),
      run: blockOf(runAnswer),
      single: blockOf(singleAnswer),
      annotation: blockOf(annotationAnswer),
      hospitalBatch: blockOf(hospitalBatch),
      providerBatch: blockOf(providerBatch),
      revokedAt,
    };
    expect(Math.max(...Object.values(writes))).toBeLessThanOrEqual(erasedAt);

    // Consents: every consent of the subject is erased now; the Regulator reads both, the AI provider
    // only the one it is a grantee of, HospitalA (the controller) both.
    const erasedConsents = await everyPage<{ id: string; status: string }>(
      regulator,
      'Regulator',
      'auditor',
      bySubject,
      `${T}/consents`,
      erasedAt,
    );
    expect(erasedConsents.records.map((record) => [record.id, record.status])).toEqual([
      [c1, 'erased'],
      [c2, 'erased'],
    ]);
    const providerConsents = await everyPage<{ id: string }>(
      aiProvider,
      'AIProvider',
      'auditor',
      bySubject,
      `${T}/consents`,
      erasedAt,
    );
    expect(providerConsents.records.map((record) => record.id)).toEqual([c1]);
    const controllerConsents = await everyPage<{ id: string }>(
      hospitalA,
      'HospitalA',
      'consent-manager',
      bySubject,
      `${T}/consents`,
      erasedAt,
    );
    expect(controllerConsents.records.map((record) => record.id)).toEqual([c1, c2]);

    // History: each version at the block and transaction its write answered, newest first.
    const history = await call(
      regulator,
      'Regulator',
      'auditor',
      'GET',
      `${A}/consents/${c2}/history?minBlock=${erasedAt}`,
      `${T}/consents/{id}/history`,
    );
    expect(history.status).toBe(200);
    expect(Number(history.body.asOfBlock)).toBeGreaterThanOrEqual(erasedAt);
    expect(
      (
        history.body.records as { change: string; blockNumber: string; txId: string; consent: { revokedAt?: string } }[]
      ).map((version) => [
        version.change,
        Number(version.blockNumber),
        version.txId,
        version.consent.revokedAt !== undefined,
      ]),
    ).toEqual([
      ['revocation', revokedAt, revokeAnswer.headers.get('x-transaction-id'), true],
      ['grant', granted2, grant2.headers.get('x-transaction-id'), false],
    ]);
    const providerHistory = await call(
      aiProvider,
      'AIProvider',
      'auditor',
      'GET',
      `${A}/consents/${c1}/history?minBlock=${erasedAt}`,
      `${T}/consents/{id}/history`,
    );
    expect(
      (providerHistory.body.records as { change: string; blockNumber: string }[]).map((version) => [
        version.change,
        Number(version.blockNumber),
      ]),
    ).toEqual([['grant', granted1]]);
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'auditor',
          'GET',
          `${A}/consents/${c2}/history?minBlock=${erasedAt}`,
          `${T}/consents/{id}/history`,
        )
      ).status,
    ).toBe(403);

    // The records listing: each record at its write's block and transaction; non-auditors list their org's only.
    const placedIn = (records: PlacedRecord[], key: string, value: string): [number, string][] =>
      records
        .filter((placed) => placed.record[key] === value)
        .map((placed) => [Number(placed.blockNumber), placed.txId]);
    const artifactsSeen = {
      Regulator: (await listed(regulator, 'Regulator', 'auditor', 'artifact', erasedAt)).records,
      HospitalA: (await listed(hospitalA, 'HospitalA', 'auditor', 'artifact', erasedAt)).records,
      AIProvider: (await listed(aiProvider, 'AIProvider', 'auditor', 'artifact', erasedAt)).records,
    };
    const datasetPlace: [number, string] = [writes.dataset, datasetAnswer.headers.get('x-transaction-id') ?? ''];
    const modelPlace: [number, string] = [writes.model, modelAnswer.headers.get('x-transaction-id') ?? ''];
    expect(placedIn(artifactsSeen.Regulator, 'id', dataset)).toEqual([datasetPlace]);
    expect(placedIn(artifactsSeen.Regulator, 'id', model)).toEqual([modelPlace]);
    expect(placedIn(artifactsSeen.HospitalA, 'id', dataset)).toEqual([datasetPlace]);
    expect(placedIn(artifactsSeen.HospitalA, 'id', model)).toEqual([]);
    expect(placedIn(artifactsSeen.AIProvider, 'id', model)).toEqual([modelPlace]);
    expect(placedIn(artifactsSeen.AIProvider, 'id', dataset)).toEqual([]);
    expect(new Set(artifactsSeen.AIProvider.map((placed) => placed.record.registeredBy))).toEqual(
      new Set(['AIProviderMSP']),
    );

    const runPlace: [number, string] = [writes.run, runAnswer.headers.get('x-transaction-id') ?? ''];
    expect(
      placedIn((await listed(regulator, 'Regulator', 'auditor', 'training-run', erasedAt)).records, 'id', runId),
    ).toEqual([runPlace]);
    expect(
      placedIn((await listed(aiProvider, 'AIProvider', 'auditor', 'training-run', erasedAt)).records, 'id', runId),
    ).toEqual([runPlace]);
    expect(
      placedIn((await listed(hospitalA, 'HospitalA', 'auditor', 'training-run', erasedAt)).records, 'id', runId),
    ).toEqual([]);

    const annotationPlace: [number, string] = [writes.annotation, String(annotationAnswer.body.transactionId)];
    const regulatorAnnotations = (await listed(regulator, 'Regulator', 'auditor', 'annotation', erasedAt)).records;
    expect(placedIn(regulatorAnnotations, 'id', annotationId)).toEqual([annotationPlace]);
    expect(regulatorAnnotations.find((placed) => placed.record.id === annotationId)?.record).toMatchObject({
      interactionId: single,
      org: 'HospitalAMSP',
      kind: 'flag',
      severity: 'high',
    });
    expect(
      placedIn((await listed(hospitalA, 'HospitalA', 'admin', 'annotation', erasedAt)).records, 'id', annotationId),
    ).toEqual([annotationPlace]);
    expect(
      placedIn((await listed(aiProvider, 'AIProvider', 'admin', 'annotation', erasedAt)).records, 'id', annotationId),
    ).toEqual([]);

    const receipt = erasure.body as { subjectRef: string; txId: string };
    const receiptPlace: [number, string] = [erasedAt, receipt.txId];
    expect(
      placedIn(
        (await listed(regulator, 'Regulator', 'auditor', 'erasure-receipt', erasedAt)).records,
        'subjectRef',
        subjectRef,
      ),
    ).toEqual([receiptPlace]);
    expect(
      placedIn(
        (await listed(hospitalA, 'HospitalA', 'auditor', 'erasure-receipt', erasedAt)).records,
        'subjectRef',
        subjectRef,
      ),
    ).toEqual([receiptPlace]);
    expect(
      placedIn(
        (await listed(aiProvider, 'AIProvider', 'auditor', 'erasure-receipt', erasedAt)).records,
        'subjectRef',
        subjectRef,
      ),
    ).toEqual([]);

    // Batch listings: both batches for the Regulator, each org its own, at the block the batch answered.
    const byApp = `by=applicationId&value=${app}`;
    const batchOf = (answer: Answer): unknown => ({
      batchId: answer.body.batchId,
      org: answer.body.org,
      recordedBy: expect.any(String) as string,
      txTime: answer.body.txTime,
      size: answer.body.size,
      root: answer.body.root,
      txId: answer.body.batchId,
      blockNumber: String(blockOf(answer)),
    });
    const batches = async (url: string, org: string): Promise<unknown[]> =>
      (await everyPage<{ txTime: string }>(url, org, 'auditor', `${A}/batches?${byApp}`, `${T}/batches`, erasedAt, 1))
        .records;
    // The single POST was gathered into a Merkle batch of its own (one record: its root is its leaf).
    const gathered = singleAnswer.body.interaction as { batchId: string; txTime: string; leafIndex: number };
    expect(gathered.leafIndex).toBe(0);
    const gatheredBatch = {
      batchId: gathered.batchId,
      org: 'HospitalAMSP',
      recordedBy: expect.any(String) as string,
      txTime: gathered.txTime,
      size: 1,
      root: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      txId: gathered.batchId,
      blockNumber: String(blockOf(singleAnswer)),
    };
    const inListingOrder = (listed: { txTime: string; batchId: string; expected: unknown }[]): unknown[] =>
      listed
        .sort((a, b) => (a.txTime === b.txTime ? (a.batchId < b.batchId ? -1 : 1) : a.txTime < b.txTime ? -1 : 1))
        .map(({ expected }) => expected);
    const placed = (answer: Answer): { txTime: string; batchId: string; expected: unknown } => ({
      txTime: String(answer.body.txTime),
      batchId: String(answer.body.batchId),
      expected: batchOf(answer),
    });
    const gatheredListed = { txTime: gathered.txTime, batchId: gathered.batchId, expected: gatheredBatch };
    expect(await batches(regulator, 'Regulator')).toEqual(
      inListingOrder([gatheredListed, placed(hospitalBatch), placed(providerBatch)]),
    );
    expect(await batches(hospitalA, 'HospitalA')).toEqual(inListingOrder([gatheredListed, placed(hospitalBatch)]));
    expect(await batches(aiProvider, 'AIProvider')).toEqual([batchOf(providerBatch)]);

    // Interaction queries: the gathered single record and every batched one (with batch and leaf), paged; scoped by org.
    type Listed = { id: string; org: string; batchId?: string; leafIndex?: number };
    const interactions = async (
      url: string,
      org: string,
    ): Promise<[string, string, string | undefined, number | undefined][]> =>
      (
        await everyPage<Listed>(url, org, 'auditor', `${A}/interactions?${byApp}`, `${T}/interactions`, erasedAt)
      ).records
        .map((record): [string, string, string | undefined, number | undefined] => [
          record.id,
          record.org,
          record.batchId,
          record.leafIndex,
        ])
        .sort();
    const hospitalRecords: [string, string, string | undefined, number | undefined][] = [
      [single, 'HospitalAMSP', gathered.batchId, 0],
      ...hospitalBatchIds.map((id, leaf): [string, string, string, number] => [
        id,
        'HospitalAMSP',
        String(hospitalBatch.body.batchId),
        leaf,
      ]),
    ];
    const providerRecords = providerBatchIds.map((id, leaf): [string, string, string, number] => [
      id,
      'AIProviderMSP',
      String(providerBatch.body.batchId),
      leaf,
    ]);
    expect(await interactions(regulator, 'Regulator')).toEqual([...hospitalRecords, ...providerRecords].sort());
    expect(await interactions(hospitalA, 'HospitalA')).toEqual([...hospitalRecords].sort());
    expect(await interactions(aiProvider, 'AIProvider')).toEqual([...providerRecords].sort());
    expect(
      (
        await call(
          aiProvider,
          'AIProvider',
          'auditor',
          'GET',
          `${A}/interactions?by=org&value=HospitalAMSP&minBlock=${erasedAt}`,
          `${T}/interactions`,
        )
      ).status,
    ).toBe(403);

    // Privacy: every index of the channel has read the erasure (the answers above waited for it), and
    // no table of any of them holds the raw identifier or the subject key — only the pseudonym.
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR] satisfies OrgSpec[]) {
      const { tables, rows } = await everyRowText(org);
      expect(tables).toEqual(expect.arrayContaining(['interactions', 'consents', 'erasure_receipts']));
      const text = rows.join('\n');
      expect([org.name, text.includes(identifier), text.includes(subjectKey)]).toEqual([org.name, false, false]);
      // The search finds what the index does hold: the subject's pseudonym (in its erasure receipt).
      expect([org.name, rows.some((row) => row.startsWith('erasure_receipts:') && row.includes(subjectRef))]).toEqual([
        org.name,
        true,
      ]);
    }
  });
});
