import { bearer, loadTestEnvironment } from '../support/test-network';
import { interactionRequest, postInteraction } from '../support/interactions';

/**
 * The audit index on the real network: interactions written one at a time, gathered (concurrent
 * singles) and in a Merkle batch for one application all appear in the Regulator auditor's usage
 * totals, export and violations, answered from the Regulator app's own index.
 */
const environment = loadTestEnvironment();
const hospitalA = environment.apps.HospitalA ?? '';
const regulator = environment.apps.Regulator ?? '';
const CHANNEL = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

interface Written {
  readonly id: string;
  readonly path: 'single' | 'gathered' | 'batched';
  readonly request: Record<string, unknown>;
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

/** What a usage summary must say of these records, computed from the requests alone. */
function expectedTotals(records: readonly Record<string, unknown>[]): unknown {
  const byCurrency = new Map<string, { currency: string; amountMinor: number; calls: number }>();
  const tokens = { input: 0, output: 0, cacheRead: 0, reasoning: 0 };
  let unpricedCalls = 0;
  for (const record of records) {
    const usage = record['usage'] as { inputTokens: number; outputTokens: number; cacheReadTokens: number };
    tokens.input += usage.inputTokens;
    tokens.output += usage.outputTokens;
    tokens.cacheRead += usage.cacheReadTokens;
    const cost = record['cost'] as { status: string; amountMinor?: number; currency?: string };
    if (cost.currency === undefined || cost.amountMinor === undefined) {
      unpricedCalls += 1;
      continue;
    }
    const entry = byCurrency.get(cost.currency) ?? { currency: cost.currency, amountMinor: 0, calls: 0 };
    entry.amountMinor += cost.amountMinor;
    entry.calls += 1;
    byCurrency.set(cost.currency, entry);
  }
  return {
    calls: records.length,
    errorCalls: 0,
    tokens,
    cost: { byCurrency: [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)), unpricedCalls },
  };
}

describe('audit index: every committed record in every audit answer', () => {
  it('counts single, gathered and batched records in usage, export and violations', async () => {
    const app = unique('index-app');
    const written: Written[] = [];
    let lastBlock = 0;
    const noteBlock = (body: unknown): void => {
      lastBlock = Math.max(lastBlock, Number((body as { blockNumber: string }).blockNumber));
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
    // Gathered: concurrent single requests, which the app gathers into RecordInteractions transactions.
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
    expect(lines.map((line) => line.id).sort()).toEqual(written.map((record) => record.id).sort());
    const batchedLines = lines.filter((line) => line.batchId !== undefined);
    expect(batchedLines.map((line) => line.id)).toEqual(batched.map((record) => record.id));
    expect(batchedLines.map((line) => line.leafIndex)).toEqual(batched.map((_, leaf) => leaf));
    expect(new Set(batchedLines.map((line) => line.txId))).toEqual(new Set([batchBody.batchId]));

    // Violations: one per write path.
    const violations = await fetch(`${regulator}${CHANNEL}/audit/violations?${query}`, { headers: auditor });
    expect(violations.status).toBe(200);
    const found = (await violations.json()) as { records: { id: string }[]; scannedRecords: number };
    expect(found.scannedRecords).toBe(36);
    expect(found.records.map((record) => record.id)).toEqual(
      written.filter((record) => record.request['subjectRef'] !== undefined).map((record) => record.id),
    );
    expect(found.records).toHaveLength(3);
  });

  it('answers 503 with Retry-After when the index has not reached minBlock in time', async () => {
    const response = await fetch(`${regulator}${CHANNEL}/audit/usage?groupBy=model&minBlock=999999999`, {
      headers: bearer(environment, 'Regulator', 'auditor'),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
  });
});
