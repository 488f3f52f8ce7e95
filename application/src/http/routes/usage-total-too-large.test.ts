import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { interactionWrites, nextTestBlock } from '../../testing/block-builder';
import { storedInteraction } from '../../testing/stored-interactions';

const USAGE = '/api/v1/channels/hospital-a/audit/usage';

describe('a usage summary whose total is past 2^53 − 1', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness();
    // Token counts written before the contract bounded them per call: the index sums what the ledger holds.
    const near = Number.MAX_SAFE_INTEGER - 1;
    const large = (id: string, txTime: string, requestModel: string): Record<string, unknown> =>
      storedInteraction(id, {
        txTime,
        requestModel,
        usage: { inputTokens: near, outputTokens: 1, source: 'provider' },
      });
    const index = app.auditIndex;
    await index.ingest(
      'hospital-a',
      nextTestBlock(index, 'hospital-a', [
        {
          txId: 'a'.repeat(64),
          writes: interactionWrites([
            large('big-1', '2026-03-01T10:15:00.000Z', 'gpt-4o'),
            large('big-2', '2026-03-01T11:15:00.000Z', 'claude'),
          ]),
        },
      ]),
    );
  });
  afterEach(() => app.close());

  it('is refused 422 as problem+json, naming what to narrow, past 2^53 − 1 in one group or over the groups', async () => {
    // day: both calls in one group; model: each group fits, the totals over them do not.
    for (const groupBy of ['day', 'model']) {
      const refused = await app.request('GET', `${USAGE}?groupBy=${groupBy}&minBlock=0`, { key: app.keys.auditor });
      expect({ groupBy, status: refused.status }).toEqual({ groupBy, status: 422 });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.json()).toMatchObject({
        status: 422,
        title: 'Total too large',
        detail: expect.stringMatching(
          /not a whole number below 2\^53: narrow the range \(from\/to\) or the filter \(by\/value\)$/,
        ) as unknown,
      });
    }
  });

  it('answers a range whose totals fit, exactly', async () => {
    const narrowed = await app.request(
      'GET',
      `${USAGE}?groupBy=model&minBlock=0&from=2026-03-01T10:00:00Z&to=2026-03-01T10:59:59.999Z`,
      { key: app.keys.auditor },
    );
    expect(narrowed.status).toBe(200);
    expect(await narrowed.json()).toMatchObject({
      records: 1,
      totals: { tokens: { input: Number.MAX_SAFE_INTEGER - 1 } },
    });
  });
});
