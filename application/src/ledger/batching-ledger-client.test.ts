import { TRANSACTIONS } from '@aal/ledger-contract';
import { FakeLedger, type RecordedLedgerCall } from '../testing/fake-ledger-client';
import { BatchingLedgerClient } from './batching-ledger-client';
import { LedgerError } from './ledger-error';

const SINGLE = TRANSACTIONS.recordInteraction;
const BATCH = TRANSACTIONS.recordInteractions;

/** A ledger whose Interactions contract stores records write-once, like the chaincode (conflicts refuse the whole batch). */
function interactionsLedger(): { ledger: FakeLedger; stored: Map<string, string> } {
  const ledger = new FakeLedger();
  const stored = new Map<string, string>();
  const store = (records: { id: string; note?: string }[], label: (index: number) => string): object[] => {
    const conflicts = records.flatMap((record, index) => {
      const existing = stored.get(record.id);
      return existing !== undefined && existing !== JSON.stringify(record)
        ? [`${label(index)}interaction ${record.id} already exists with different content`]
        : [];
    });
    if (conflicts.length > 0) throw new LedgerError('conflict', conflicts.join('; '));
    return records.map((record) => {
      if (!stored.has(record.id)) stored.set(record.id, JSON.stringify(record));
      return { ...record, txId: 'c'.repeat(64) };
    });
  };
  ledger.handlers.set(SINGLE, (call) =>
    JSON.stringify(store([JSON.parse(call.args[0] ?? '') as { id: string }], () => '')[0]),
  );
  ledger.handlers.set(BATCH, (call) =>
    JSON.stringify({ records: store(JSON.parse(call.args[0] ?? '') as { id: string }[], (index) => `[${index}] `) }),
  );
  return { ledger, stored };
}

const record = (id: string, note = 'n'): string => JSON.stringify({ id, note });
const submits = (ledger: FakeLedger): RecordedLedgerCall[] =>
  ledger.calls.filter((call) => call.operation === 'submit');
/** Each submit as [transaction, parsed argument]. */
const sent = (ledger: FakeLedger): [string, unknown][] =>
  submits(ledger).map((call) => [call.transaction, JSON.parse(call.args[0] ?? 'null')]);

describe('BatchingLedgerClient', () => {
  it('gathers concurrent single-record submits into one RecordInteractions transaction and answers each with its own record', async () => {
    const { ledger, stored } = interactionsLedger();
    const sizes: number[] = [];
    const client = new BatchingLedgerClient(
      ledger.clientFor('recorder'),
      { maxRecords: 10, lingerMs: 5 },
      (_channel, size) => sizes.push(size),
    );
    const results = await Promise.all(
      ['r1', 'r2', 'r3'].map((id) => client.submit('hospital-a', SINGLE, [record(id)], { idempotent: true })),
    );
    expect(submits(ledger).map((call) => call.transaction)).toEqual([BATCH]);
    expect(JSON.parse(submits(ledger)[0]?.args[0] ?? '')).toEqual([
      { id: 'r1', note: 'n' },
      { id: 'r2', note: 'n' },
      { id: 'r3', note: 'n' },
    ]);
    expect(results.map((result) => JSON.parse(result.result) as unknown)).toEqual(
      ['r1', 'r2', 'r3'].map((id) => ({ id, note: 'n', txId: 'c'.repeat(64) })),
    );
    expect(new Set(results.map((result) => result.blockNumber)).size).toBe(1);
    expect([...stored.keys()]).toEqual(['r1', 'r2', 'r3']);
    expect(sizes).toEqual([3]);
  });

  it('sends a batch as soon as it is full, and keeps channels apart', async () => {
    const { ledger } = interactionsLedger();
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 2, lingerMs: 60_000 });
    const full = Promise.all([
      client.submit('a', SINGLE, [record('x1')], { idempotent: true }),
      client.submit('a', SINGLE, [record('x2')], { idempotent: true }),
    ]);
    await full; // would wait a minute for the linger if fullness did not send it
    const other = client.submit('b', SINGLE, [record('y1')], { idempotent: true });
    expect(submits(ledger).map((call) => [call.channel, call.transaction])).toEqual([['a', BATCH]]);
    client.close();
    await expect(other).rejects.toMatchObject({ kind: 'unavailable', transient: true });
    expect(submits(ledger)).toHaveLength(1);
  });

  it('sends a lone record as the single-record transaction after the linger time', async () => {
    const { ledger } = interactionsLedger();
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 50, lingerMs: 1 });
    const result = await client.submit('hospital-a', SINGLE, [record('solo')], { idempotent: true });
    expect(JSON.parse(result.result)).toMatchObject({ id: 'solo' });
    expect(submits(ledger).map((call) => call.transaction)).toEqual([SINGLE]);
  });

  it('when a batch is refused, splits it in halves until only the offending caller gets the refusal', async () => {
    const { ledger, stored } = interactionsLedger();
    stored.set('taken', record('taken', 'other content'));
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 10, lingerMs: 5 });
    const outcomes = await Promise.allSettled(
      ['ok1', 'taken', 'ok2'].map((id) => client.submit('hospital-a', SINGLE, [record(id)], { idempotent: true })),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: { kind: 'conflict', message: 'interaction taken already exists with different content' },
    });
    // [ok1 taken ok2] refused → [ok1 taken] refused, [ok2] alone → [ok1] alone, [taken] alone (refused).
    expect(sent(ledger)).toEqual([
      [
        BATCH,
        [
          { id: 'ok1', note: 'n' },
          { id: 'taken', note: 'n' },
          { id: 'ok2', note: 'n' },
        ],
      ],
      [
        BATCH,
        [
          { id: 'ok1', note: 'n' },
          { id: 'taken', note: 'n' },
        ],
      ],
      [SINGLE, { id: 'ok2', note: 'n' }],
      [SINGLE, { id: 'ok1', note: 'n' }],
      [SINGLE, { id: 'taken', note: 'n' }],
    ]);
    expect([...stored.keys()].sort()).toEqual(['ok1', 'ok2', 'taken']);
    expect(stored.get('taken')).toBe(record('taken', 'other content'));
  });

  it('fails every caller with a transient failure that outlasted the retries, and writes nothing', async () => {
    const { ledger, stored } = interactionsLedger();
    ledger.failures.push(new LedgerError('unavailable', 'orderer unreachable', { transient: true }));
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 10, lingerMs: 5 });
    const outcomes = await Promise.allSettled(
      ['a', 'b'].map((id) => client.submit('hospital-a', SINGLE, [record(id)], { idempotent: true })),
    );
    expect(outcomes).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ kind: 'unavailable' }) as unknown },
      { status: 'rejected', reason: expect.objectContaining({ kind: 'unavailable' }) as unknown },
    ]);
    expect(submits(ledger)).toHaveLength(1);
    expect(stored.size).toBe(0);
  });

  it('puts a repeated id into the next batch (a batch may not hold duplicates)', async () => {
    const { ledger } = interactionsLedger();
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 10, lingerMs: 5 });
    await Promise.all(
      ['d', 'e', 'd'].map((id) => client.submit('hospital-a', SINGLE, [record(id)], { idempotent: true })),
    );
    expect(sent(ledger)).toEqual([
      [
        BATCH,
        [
          { id: 'd', note: 'n' },
          { id: 'e', note: 'n' },
        ],
      ],
      [SINGLE, { id: 'd', note: 'n' }],
    ]);
  });

  it('passes through everything that is not a plain single record, and everything when maxRecords is 1', async () => {
    const { ledger } = interactionsLedger();
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 10, lingerMs: 60_000 });
    await client.submit('hospital-a', BATCH, [JSON.stringify([{ id: 'm1' }])], { idempotent: true });
    await client.submit('hospital-a', SINGLE, ['not json'], { idempotent: true }).catch(() => undefined);
    await client.submit('hospital-a', SINGLE, [record('t1')], { idempotent: true, transient: { key: 'k' } });
    await client.submit('hospital-a', SINGLE, [record('t2')]);
    const unbatched = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 1, lingerMs: 60_000 });
    await unbatched.submit('hospital-a', SINGLE, [record('u1')], { idempotent: true });
    expect(submits(ledger).map((call) => call.transaction)).toEqual([BATCH, SINGLE, SINGLE, SINGLE, SINGLE]);
  });

  it('refuses settings the chaincode cannot take', () => {
    const inner = new FakeLedger().clientFor('recorder');
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 501, lingerMs: 5 })).toThrow(
      /maxRecords must be a whole number from 1 to 500/,
    );
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 0, lingerMs: 5 })).toThrow(RangeError);
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 5, lingerMs: -1 })).toThrow(/lingerMs/);
  });
});
