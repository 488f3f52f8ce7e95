import { LIMITS } from '@aal/ledger-contract';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { nextTestBlock } from '../../testing/block-builder';

const CHANNEL = '/api/v1/channels/hospital-a';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const txId = (n: number): string => n.toString(16).padStart(64, '0');

describe('time anomalies and a halted audit index, through the app', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness();
  });
  afterEach(() => app.close());

  /** Block n holds one transaction dated `offsetMs` after T0. */
  const commit = (n: number, offsetMs: number) =>
    app.auditIndex.ingest(
      'hospital-a',
      nextTestBlock(app.auditIndex, 'hospital-a', [{ txId: txId(n), writes: [], txTimeMs: T0 + offsetMs }]),
    );

  it('lists anomalies to auditors in ledger order, a page at a time, at the height it states', async () => {
    await commit(0, 0);
    await commit(1, 120_000);
    await commit(2, 120_000 - LIMITS.txTimeSkewMs - 1);
    await commit(3, 0);
    await commit(4, 130_000);
    const first = await app.request('GET', `${CHANNEL}/audit/time-anomalies?pageSize=1&minBlock=4`, {
      key: app.keys.auditor,
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      asOfBlock: '4',
      anomalies: [
        {
          blockNumber: '2',
          txIndex: 0,
          txId: txId(2),
          txTime: new Date(T0 + 120_000 - LIMITS.txTimeSkewMs - 1).toISOString(),
          earlierTxId: txId(1),
          earlierBlockNumber: '1',
          earlierTxTime: new Date(T0 + 120_000).toISOString(),
          earlierByMs: LIMITS.txTimeSkewMs + 1,
        },
      ],
      nextCursor: '2:0',
    });
    const second = (await (
      await app.request('GET', `${CHANNEL}/audit/time-anomalies?pageSize=1&cursor=2:0`, { key: app.keys.auditor })
    ).json()) as { anomalies: { txId: string; earlierByMs: number }[]; nextCursor: string | null };
    expect(second.anomalies.map((anomaly) => [anomaly.txId, anomaly.earlierByMs])).toEqual([[txId(3), 120_000]]);
    const last = (await (
      await app.request('GET', `${CHANNEL}/audit/time-anomalies?cursor=3:0`, { key: app.keys.auditor })
    ).json()) as { anomalies: unknown[]; nextCursor: string | null };
    expect(last).toMatchObject({ anomalies: [], nextCursor: null });
    // Auditors only; a malformed cursor is a 400 naming the field.
    expect((await app.request('GET', `${CHANNEL}/audit/time-anomalies`, { key: app.keys.admin })).status).toBe(403);
    const bad = await app.request('GET', `${CHANNEL}/audit/time-anomalies?cursor=x`, { key: app.keys.auditor });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('cursor');
  });

  it('a block failing a check halts the channel: /readyz names channel and block, audit reads answer 503', async () => {
    await commit(0, 0);
    await commit(1, 1_000);
    expect((await app.request('GET', '/readyz')).status).toBe(200);
    // A block 2 that does not name block 1 as its previous block.
    const forged = nextTestBlock(app.auditIndex, 'hospital-a', [{ txId: txId(2), writes: [] }]);
    forged.getHeader()?.setPreviousHash(Buffer.alloc(32, 7));
    await expect(app.auditIndex.ingest('hospital-a', forged)).rejects.toThrow(/block 2 fails the previous-hash check/);
    const ready = await app.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      title: 'Audit index halted',
      auditIndex: { halted: [{ channel: 'hospital-a', blockNumber: '2', check: 'previous-hash' }] },
    });
    for (const path of ['usage?groupBy=model', 'violations', 'export?format=ndjson', 'time-anomalies']) {
      const answer = await app.request('GET', `${CHANNEL}/audit/${path}`, { key: app.keys.auditor });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(await answer.json()).toMatchObject({
        title: 'Audit index halted',
        integrity: { channel: 'hospital-a', blockNumber: '2', check: 'previous-hash' },
      });
    }
  });
});
