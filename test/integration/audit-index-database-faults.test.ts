import { readFileSync } from 'node:fs';
import { FabricNetwork, HOSPITAL_A } from '@aal/network';
import { eventually } from '../support/eventually';
import { interactionRequest, postInteraction } from '../support/interactions';
import { withOrgIndexDatabase } from '../support/org-index-database';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { expectedTotals } from '../support/usage-totals';

/**
 * HospitalA's audit index database (its PostgreSQL server) stopped while HospitalA's app records
 * single and batched interactions, then started again: meanwhile index reads answer 503 with
 * Retry-After and /readyz is not ready, writes still answer 201; afterwards the index holds every
 * record exactly once (counted in the database itself) and the usage totals equal the sum written.
 */
const environment = loadTestEnvironment();
const network = new FabricNetwork(testNetworkOptions());
const server = network.auditIndexServer(HOSPITAL_A);
const hospitalA = environment.apps.HospitalA ?? '';
const CHANNEL = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
/** How long the follower may take to come back: its backoff doubles up to 30 s, plus catching up. */
const RECOVERY_MS = 90_000;

/** Other test files share the network: HospitalA's database runs again whatever happened here. */
afterAll(async () => {
  if (!server.isRunning()) await server.start();
});

/** The messages HospitalA's app has logged since `sinceMs` (its log: one JSON object a line). */
function appLogMessages(sinceMs: number): string[] {
  const log = network.layout.logFile(network.layout.applicationProcess(HOSPITAL_A));
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { time?: number; msg?: string })
    .filter((entry) => (entry.time ?? 0) >= sinceMs)
    .map((entry) => entry.msg ?? '');
}

/** A record with its own usage and cost, so the totals are a real sum. */
function recordFor(app: string, index: number): Record<string, unknown> {
  return interactionRequest(unique(`db-fault-${index}`), {
    applicationId: app,
    usage: { inputTokens: 50 + index, outputTokens: 5 + index, cacheReadTokens: index, source: 'provider' },
    cost:
      index % 2 === 0
        ? { status: 'unpriced' }
        : { status: 'priced', amountMinor: 7 + index, currency: 'EUR', priceTableVersion: 'v1' },
  });
}

describe('audit index: its database stopped and restarted mid-ingestion', () => {
  it('answers 503 meanwhile, keeps writing, and afterwards holds every record exactly once', async () => {
    const startedAt = Date.now();
    const app = unique('db-fault-app');
    const recorder = bearer(environment, 'HospitalA', 'recorder');
    const admin = bearer(environment, 'HospitalA', 'admin');
    const written: Record<string, unknown>[] = [];
    let lastBlock = 0;
    let next = 0;

    /** Writes `singles` concurrent single records and a batch of `batched`, expecting 201 for each. */
    const write = async (singles: number, batched: number): Promise<void> => {
      const records = Array.from({ length: singles + batched }, () => recordFor(app, next++));
      const answers = await Promise.all([
        ...records.slice(0, singles).map((record) => postInteraction(hospitalA, 'hospital-a', recorder, record)),
        fetch(`${hospitalA}${CHANNEL}/batches`, {
          method: 'POST',
          headers: { ...recorder, 'content-type': 'application/json' },
          body: JSON.stringify({ records: records.slice(singles) }),
        }),
      ]);
      for (const answer of answers) {
        const body = (await answer.json()) as { blockNumber: string };
        expect({ status: answer.status, body }).toMatchObject({ status: 201 });
        lastBlock = Math.max(lastBlock, Number(body.blockNumber));
      }
      written.push(...records);
    };
    const usage = (query: string): Promise<Response> =>
      fetch(`${hospitalA}${CHANNEL}/audit/usage?groupBy=model&by=applicationId&value=${app}${query}`, {
        headers: admin,
      });

    // Indexed while the database runs.
    await write(3, 5);
    expect((await usage(`&minBlock=${lastBlock}`)).status).toBe(200);

    // Stopped while writes are in flight: the follower's block transactions fail part-way.
    const inFlight = write(4, 6);
    await server.stop();
    await inFlight;
    expect(server.isRunning()).toBe(false);

    // Down: index reads 503 with Retry-After (problem+json), /readyz names the index, writes work.
    const refused = await usage('');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 503, title: 'Audit index unavailable' });
    const ready = await fetch(`${hospitalA}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      title: 'Audit index unavailable',
      auditIndex: { database: 'unavailable' },
    });
    await write(2, 4);
    // The follower met the outage on these blocks (it retries with its backoff meanwhile).
    await eventually(
      "HospitalA's block follower failing on its database",
      () => Promise.resolve(appLogMessages(startedAt)),
      (messages) => messages.some((message) => message.startsWith('audit index: its database is unavailable')),
    );

    // Back: the follower resumes from the checkpoint the database holds.
    await server.start();
    const answer = await eventually(
      `HospitalA's index reaching block ${lastBlock}`,
      () => usage(`&minBlock=${lastBlock}`),
      (response) => response.status === 200,
      RECOVERY_MS,
    );
    const summary = (await answer.json()) as { asOfBlock: string; records: number; totals: unknown };
    expect(Number(summary.asOfBlock)).toBeGreaterThanOrEqual(lastBlock);
    expect(summary.records).toBe(written.length);
    expect(summary.totals).toEqual(expectedTotals(written));
    expect((await fetch(`${hospitalA}/readyz`)).status).toBe(200);
    expect(appLogMessages(startedAt)).toContain('audit index: resuming from the checkpoint');

    // Counted in HospitalA's database itself (ids as stored: namespaced): every record once, none twice, none missing.
    const rows = await withOrgIndexDatabase(network.layout, HOSPITAL_A, async (client) => {
      const result = await client.query<{ record_id: string; copies: string }>(
        'SELECT record_id, count(*) AS copies FROM interactions WHERE application_id = $1 GROUP BY record_id',
        [app],
      );
      return result.rows;
    });
    expect(rows.map((row) => row.record_id).sort()).toEqual(
      written.map((record) => `HospitalAMSP:${String(record['id'])}`).sort(),
    );
    expect(rows.filter((row) => Number(row.copies) !== 1)).toEqual([]);
  });
});
