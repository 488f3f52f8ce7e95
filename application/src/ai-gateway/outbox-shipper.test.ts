import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { TRANSACTIONS, ValidationError } from '@aal/ledger-contract';
import { LedgerError } from '../ledger/ledger-error';
import { invalidatedTransaction } from '../ledger/gateway-ledger-client';
import { FakeLedger } from '../testing/fake-ledger-client';
import { OutboxShipper } from './outbox-shipper';
import { RecordOutbox } from './record-outbox';

const logger = pino({ level: 'silent' });

let dir: string;
let outbox: RecordOutbox;
let ledger: FakeLedger;
/** The record ids of every RecordBatch the ledger took, one array per committed batch. */
let committed: string[][];
/** Record ids the fake chaincode refuses for good (a batch holding one is refused whole). */
let refusedIds: Set<string>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aal-shipper-'));
  outbox = await RecordOutbox.open(join(dir, 'outbox.sqlite'), 10_000);
  ledger = new FakeLedger();
  committed = [];
  refusedIds = new Set();
  let transaction = 0;
  ledger.nextTransactionId = () => String(++transaction).padStart(64, '0');
  ledger.handlers.set(TRANSACTIONS.recordBatch, (call) => {
    const ids = (JSON.parse(call.args[0] ?? '[]') as { id: string }[]).map((record) => record.id);
    const bad = ids.findIndex((id) => refusedIds.has(id));
    if (bad >= 0) throw new ValidationError([{ path: `records[${bad}].model`, rule: 'refused by the test' }]);
    committed.push(ids);
    return JSON.stringify({ batchId: 'b', root: '', size: ids.length, alreadyRecorded: [] });
  });
});
afterEach(async () => {
  await outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fill(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `HospitalAMSP:r-${index}`);
  await Promise.all(
    ids.map((id) => outbox.append({ id, channel: 'hospital-a', record: JSON.stringify({ id }), createdMs: 0 })),
  );
  return ids;
}

const recordBatchCalls = (): number =>
  ledger.calls.filter((call) => call.transaction === TRANSACTIONS.recordBatch).length;

describe('OutboxShipper', () => {
  it('ships the oldest records in batches and removes them only once committed', async () => {
    const ids = await fill(250);
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 100 });
    expect(await shipper.drain()).toBe(true);
    expect(committed.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(committed.flat()).toEqual(ids);
    expect(outbox.depth()).toBe(0);
  });

  it('keeps the whole batch after a read conflict and ships it whole on the next look', async () => {
    await fill(64);
    // A read conflict is transient: the same batch commits later; splitting it would cost 64 transactions.
    ledger.failures.push(invalidatedTransaction('f'.repeat(64), 11));
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 100 });
    expect(await shipper.drain()).toBe(false);
    expect(outbox.depth()).toBe(64);
    expect(shipper.lastFailure).toMatch(/validation code 11/);
    expect(await shipper.drain()).toBe(true);
    expect(committed.map((batch) => batch.length)).toEqual([64]);
    expect(outbox.refusedCount()).toBe(0);
  });

  it('keeps the batch while the ledger is unreachable', async () => {
    await fill(10);
    ledger.failures.push(new LedgerError('unavailable', 'the ledger is unreachable: peer down', { transient: true }));
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 100 });
    expect(await shipper.drain()).toBe(false);
    expect(outbox.depth()).toBe(10);
    expect(committed).toEqual([]);
  });

  it('halves a refused batch until the refused records stand alone: only they are set aside', async () => {
    const ids = await fill(64);
    refusedIds = new Set([ids[5] ?? '', ids[40] ?? '']);
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 64 });
    expect(await shipper.drain()).toBe(true);
    expect(committed.flat().sort()).toEqual(ids.filter((id) => !refusedIds.has(id)).sort());
    expect(outbox.refusedCount()).toBe(2);
    expect(outbox.depth()).toBe(0);
    // Two bad records among 64: the whole, then two paths of halvings (2 · 2 · 6 = 24) instead of 64 singles.
    expect(recordBatchCalls()).toBeLessThanOrEqual(25);
  });

  it('stops halving and keeps the rest when the ledger goes away meanwhile', async () => {
    const ids = await fill(8);
    refusedIds = new Set([ids[0] ?? '']);
    // The whole batch is refused, its first half too; then the ledger is unreachable.
    ledger.failures.push(
      new ValidationError([{ path: 'records[0].model', rule: 'refused' }]),
      new ValidationError([{ path: 'records[0].model', rule: 'refused' }]),
      new LedgerError('unavailable', 'the ledger is unreachable: peer down', { transient: true }),
    );
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 8 });
    expect(await shipper.drain()).toBe(false);
    expect(outbox.depth()).toBe(8);
    expect(outbox.refusedCount()).toBe(0);
    expect(await shipper.drain()).toBe(true);
    expect(committed.flat().sort()).toEqual(ids.slice(1).sort());
    expect(outbox.refusedCount()).toBe(1);
  });

  it('tells how long the batch transaction now awaited has been waiting, and nothing between batches', async () => {
    await fill(3);
    const inner = ledger.clientFor('recorder');
    let sent!: () => void;
    const submitted = new Promise<void>((resolve) => (sent = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held: typeof inner = {
      ...inner,
      submit: async (...args) => {
        sent();
        await released;
        return inner.submit(...args);
      },
    };
    const shipper = new OutboxShipper(outbox, held, logger, { batchRecords: 100 });
    expect(shipper.batchInFlightMs()).toBeUndefined();
    const draining = shipper.drain();
    await submitted;
    expect(shipper.batchInFlightMs(Date.now() + 60_000)).toBeGreaterThanOrEqual(60_000);
    release();
    expect(await draining).toBe(true);
    expect(shipper.batchInFlightMs()).toBeUndefined();
  });

  it('keeps every record when the peers refuse the whole transaction, and ships them once they take it', async () => {
    await fill(16);
    // An endorsement policy failure at commit (validation code 10) and the caller's identity refused by
    // the peers (no chaincode code): no record is to blame, so none is set aside.
    ledger.failures.push(
      invalidatedTransaction('f'.repeat(64), 10),
      new LedgerError('forbidden', 'access denied: creator org unknown'),
    );
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 100 });
    expect(await shipper.drain()).toBe(false);
    expect(shipper.lastFailure).toMatch(/validation code 10/);
    expect(await shipper.drain()).toBe(false);
    expect(shipper.lastFailure).toMatch(/creator org unknown/);
    expect(recordBatchCalls()).toBe(2);
    expect(outbox.refusedCount()).toBe(0);
    expect(outbox.depth()).toBe(16);
    expect(await shipper.drain()).toBe(true);
    expect(committed.flat()).toHaveLength(16);
    expect(shipper.batchInFlightMs()).toBeUndefined();
  });

  it('sets aside a stored record that is not JSON and ships the others', async () => {
    const ids = await fill(3);
    await outbox.append({ id: 'HospitalAMSP:torn', channel: 'hospital-a', record: '{"id":', createdMs: 0 });
    const shipper = new OutboxShipper(outbox, ledger.clientFor('recorder'), logger, { batchRecords: 100 });
    expect(await shipper.drain()).toBe(true);
    expect(committed).toEqual([ids]);
    expect(outbox.refusedCount()).toBe(1);
    expect(outbox.depth()).toBe(0);
  });
});
