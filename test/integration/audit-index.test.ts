import { readFileSync } from 'node:fs';
import {
  AUDIT_INDEX_ROLE,
  auditIndexDatabaseName,
  FabricNetwork,
  HOSPITAL_A,
  REGULATOR,
  type OrgSpec,
} from '@aal/network';
import { withOrgIndexDatabase } from '../support/org-index-database';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { interactionRequest, postInteraction } from '../support/interactions';
import { expectedTotals } from '../support/usage-totals';

/**
 * The audit index on the real network: interactions written one at a time, gathered (concurrent
 * singles) and in a Merkle batch for one application all appear in the Regulator auditor's usage
 * totals, export and violations, answered from the Regulator app's own index — which lives in the
 * Regulator's PostgreSQL server, as the rows read straight from that database show.
 */
const environment = loadTestEnvironment();
const network = new FabricNetwork(testNetworkOptions());
const layout = network.layout;
const hospitalA = environment.apps.HospitalA ?? '';
const regulator = environment.apps.Regulator ?? '';
const aiProvider = environment.apps.AIProvider ?? '';
const CHANNEL = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

/** A usage answer's totals and groups. */
interface UsageAnswer {
  readonly records: number;
  readonly totals: unknown;
  readonly groups: unknown[];
}

interface Written {
  readonly id: string;
  readonly path: 'single' | 'gathered' | 'batched';
  readonly request: Record<string, unknown>;
}

/** The index rows of one application in an org's PostgreSQL database, read directly (not through the app). */
async function indexRowsInDatabase(
  org: OrgSpec,
  applicationId: string,
): Promise<{ record_id: string; block_number: number | string; batch_id: string | null }[]> {
  return withOrgIndexDatabase(layout, org, async (client) => {
    const result = await client.query<{ record_id: string; block_number: string; batch_id: string | null }>(
      'SELECT record_id, block_number, batch_id FROM interactions WHERE application_id = $1 ORDER BY seq',
      [applicationId],
    );
    return result.rows;
  });
}

/** Varied usage and cost per record, so the totals are a real sum. */
function recordFor(id: string, app: string, index: number, violates: boolean): Record<string, unknown> {
  const cost =
    index % 3 === 0
      ? { status: 'unpriced' }
      : index % 3 === 1
        ? { status: 'priced', amountMinor: 10 + index, currency: 'EUR', priceTableVersion: 'v1' }
        : { status: 'provider', amountMinor: 5 + index, currency: 'USD' };
  return interactionRequest(id, {
    applicationId: app,
    requestModel: index % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
    usage: { inputTokens: 100 + index, outputTokens: 10 + index, cacheReadTokens: index, source: 'provider' },
    cost,
    ...(violates ? { subjectRef: unique('sub'), purpose: 'ai-inference' } : {}),
  });
}

describe('audit index: every committed record in every audit answer', () => {
  it('counts single, gathered and batched records in usage, export and violations', async () => {
    const app = unique('index-app');
    const written: Written[] = [];
    let lastBlock = 0;
    // Where each record sits, as its write was answered: every single POST is gathered into a Merkle batch.
    const placed = new Map<string, { txId: string; batchId?: string; leafIndex?: number }>();
    const noteBlock = (body: unknown): void => {
      lastBlock = Math.max(lastBlock, Number((body as { blockNumber: string }).blockNumber));
      const interaction = (body as { interaction?: { id: string; txId: string; batchId?: string; leafIndex?: number } })
        .interaction;
      if (interaction !== undefined)
        placed.set(interaction.id, {
          txId: interaction.txId,
          batchId: interaction.batchId,
          leafIndex: interaction.leafIndex,
        });
    };
    const recorder = bearer(environment, 'HospitalA', 'recorder');

    // One at a time: each request answered before the next.
    for (let index = 0; index < 3; index++) {
      const id = unique(`single-${index}`);
      const request = recordFor(id, app, index, index === 0);
      const response = await postInteraction(hospitalA, 'hospital-a', recorder, request);
      expect(response.status).toBe(201);
      noteBlock(await response.json());
      written.push({ id, path: 'single', request });
    }
    // Gathered: concurrent single requests, which the app gathers into shared RecordBatch transactions.
    const gathered = Array.from({ length: 10 }, (_, offset) => {
      const index = 3 + offset;
      const id = unique(`gathered-${index}`);
      return { id, path: 'gathered' as const, request: recordFor(id, app, index, offset === 4) };
    });
    const answers = await Promise.all(
      gathered.map((record) => postInteraction(hospitalA, 'hospital-a', recorder, record.request)),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      noteBlock(await answer.json());
    }
    written.push(...gathered);
    // Batched: 23 records in one Merkle batch (the example).
    const batched = Array.from({ length: 23 }, (_, offset) => {
      const index = 13 + offset;
      const id = unique(`batched-${index}`);
      return { id, path: 'batched' as const, request: recordFor(id, app, index, offset === 11) };
    });
    const batch = await fetch(`${hospitalA}${CHANNEL}/batches`, {
      method: 'POST',
      headers: { ...recorder, 'content-type': 'application/json' },
      body: JSON.stringify({ records: batched.map((record) => record.request) }),
    });
    const batchBody = (await batch.json()) as { batchId: string; blockNumber: string };
    expect(batch.status).toBe(201);
    noteBlock(batchBody);
    written.push(...batched);

    const auditor = bearer(environment, 'Regulator', 'auditor');
    const query = `by=applicationId&value=${app}&minBlock=${lastBlock}`;
    const requests = written.map((record) => record.request);

    // Usage: every record, totals equal to the sum computed from the written records.
    const usageResponse = await fetch(`${regulator}${CHANNEL}/audit/usage?groupBy=model&${query}`, {
      headers: auditor,
    });
    expect(usageResponse.status).toBe(200);
    const usage = (await usageResponse.json()) as {
      asOfBlock: string;
      records: number;
      totals: unknown;
      groups: { key: string; calls: number }[];
    };
    expect(Number(usage.asOfBlock)).toBeGreaterThanOrEqual(lastBlock);
    expect(usage.records).toBe(36);
    expect(usage.totals).toEqual(expectedTotals(requests));
    expect(usage.groups.map((group) => [group.key, group.calls])).toEqual([
      ['gpt-4o', requests.filter((record) => record['requestModel'] === 'gpt-4o').length],
      ['gpt-4o-mini', requests.filter((record) => record['requestModel'] === 'gpt-4o-mini').length],
    ]);
    // Grouped by org: this application's records are all HospitalA's, one group with every total.
    const byOrg = async (filter: string): Promise<UsageAnswer> => {
      const response = await fetch(`${regulator}${CHANNEL}/audit/usage?groupBy=org&${filter}`, { headers: auditor });
      expect(response.status).toBe(200);
      return (await response.json()) as UsageAnswer;
    };
    const appByOrg = await byOrg(query);
    expect(appByOrg.groups).toEqual([{ key: 'HospitalAMSP', ...(expectedTotals(requests) as object) }]);
    // A model two orgs recorded with: one group per org, the groups summing to the totals.
    const model = unique('org-model');
    const byEach: Record<string, Record<string, unknown>[]> = { HospitalAMSP: [], AIProviderMSP: [] };
    for (const [app, org, msp, count] of [
      [hospitalA, 'HospitalA', 'HospitalAMSP', 2],
      [aiProvider, 'AIProvider', 'AIProviderMSP', 3],
    ] as const) {
      for (let index = 0; index < count; index++) {
        const request = recordFor(unique(`org-${index}`), app === hospitalA ? 'org-a' : 'org-p', index + 1, false);
        request['requestModel'] = model;
        const response = await postInteraction(app, 'hospital-a', bearer(environment, org, 'recorder'), request);
        expect(response.status).toBe(201);
        lastBlock = Math.max(lastBlock, Number(((await response.json()) as { blockNumber: string }).blockNumber));
        byEach[msp]?.push(request);
      }
    }
    const twoOrgs = await byOrg(`by=requestModel&value=${model}&minBlock=${lastBlock}`);
    expect(twoOrgs.records).toBe(5);
    expect(twoOrgs.groups).toEqual([
      { key: 'AIProviderMSP', ...(expectedTotals(byEach['AIProviderMSP'] ?? []) as object) },
      { key: 'HospitalAMSP', ...(expectedTotals(byEach['HospitalAMSP'] ?? []) as object) },
    ]);
    expect(twoOrgs.totals).toEqual(
      expectedTotals([...(byEach['AIProviderMSP'] ?? []), ...(byEach['HospitalAMSP'] ?? [])]),
    );

    // The recording org's admin sees the same, from HospitalA's own index.
    const own = await fetch(`${hospitalA}${CHANNEL}/audit/usage?groupBy=day&${query}`, {
      headers: bearer(environment, 'HospitalA', 'admin'),
    });
    expect(((await own.json()) as { totals: unknown }).totals).toEqual(expectedTotals(requests));

    // Export: every line, counted; batched lines carry their batch and leaf.
    const exported = await fetch(`${regulator}${CHANNEL}/audit/export?format=ndjson&pageSize=7&${query}`, {
      headers: auditor,
    });
    expect(exported.status).toBe(200);
    expect(Number(exported.headers.get('x-as-of-block'))).toBeGreaterThanOrEqual(lastBlock);
    const lines = (await exported.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; txId: string; batchId?: string; leafIndex?: number });
    expect(lines).toHaveLength(36);
    expect(lines.map((line) => line.id).sort()).toEqual(written.map((record) => `HospitalAMSP:${record.id}`).sort());
    batched.forEach((record, leafIndex) =>
      placed.set(`HospitalAMSP:${record.id}`, { txId: batchBody.batchId, batchId: batchBody.batchId, leafIndex }),
    );
    // Every line sits where its write said: gathered singles in their RecordBatch, the batch's at its leaves.
    expect(
      Object.fromEntries(
        lines.map((line) => [line.id, { txId: line.txId, batchId: line.batchId, leafIndex: line.leafIndex }]),
      ),
    ).toEqual(Object.fromEntries(placed));
    expect([...placed.values()].every((place) => place.batchId === place.txId && place.leafIndex !== undefined)).toBe(
      true,
    );
    expect(lines.filter((line) => line.batchId === batchBody.batchId).map((line) => line.id)).toEqual(
      batched.map((record) => `HospitalAMSP:${record.id}`),
    );

    // Violations: one per write path.
    const violations = await fetch(`${regulator}${CHANNEL}/audit/violations?${query}`, { headers: auditor });
    expect(violations.status).toBe(200);
    const found = (await violations.json()) as {
      records: { id: string }[];
      scannedRecords: number;
      nextCursor: string | null;
    };
    // The scan examines the channel's violations (these three and any other suite's), never the 33 records without one.
    expect(found.scannedRecords).toBeGreaterThanOrEqual(3);
    expect(found.scannedRecords).toBeLessThan(5000);
    expect(found.nextCursor).toBeNull();
    expect(found.records.map((record) => record.id)).toEqual(
      written
        .filter((record) => record.request['subjectRef'] !== undefined)
        .map((record) => `HospitalAMSP:${record.id}`),
    );
    expect(found.records).toHaveLength(3);

    // The answers came from PostgreSQL: each org's own server holds every row, and its app runs with
    // that server's URL (an SQLite file in the org dir may belong to another test's extra app).
    for (const org of [REGULATOR, HOSPITAL_A]) {
      const rows = await indexRowsInDatabase(org, app);
      expect(rows.map((row) => row.record_id).sort()).toEqual(
        written.map((record) => `HospitalAMSP:${record.id}`).sort(),
      );
      expect(rows.filter((row) => row.batch_id === batchBody.batchId)).toHaveLength(23);
      expect(Math.max(...rows.map((row) => Number(row.block_number)))).toBeLessThanOrEqual(Number(usage.asOfBlock));
      const appProcess = network.supervisor.record(layout.applicationProcess(org));
      const environ = readFileSync(`/proc/${appProcess?.pid ?? 0}/environ`, 'utf8').split('\0');
      expect(environ.filter((entry) => entry.startsWith('AAL_AUDIT_INDEX_URL='))).toEqual([
        `AAL_AUDIT_INDEX_URL=postgres://${AUDIT_INDEX_ROLE}@127.0.0.1:${layout.auditIndexDatabase(org).port}/${auditIndexDatabaseName(org)}`,
      ]);
    }
  });

  it('answers 503 with Retry-After when the index has not reached minBlock in time', async () => {
    const response = await fetch(`${regulator}${CHANNEL}/audit/usage?groupBy=model&minBlock=999999999`, {
      headers: bearer(environment, 'Regulator', 'auditor'),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
  });
});
