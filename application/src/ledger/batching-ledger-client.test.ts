import { TRANSACTIONS, merkleRoot, recordLeafBytes, recordLeafHash } from '@aal/ledger-contract';
import { installFakeInteractionsChaincode, type FakeInteractionState } from '../testing/fake-interactions-chaincode';
import { FakeLedger, type RecordedLedgerCall } from '../testing/fake-ledger-client';
import { BatchingLedgerClient } from './batching-ledger-client';
import type { LedgerClient } from './ledger-client';
import { LedgerError } from './ledger-error';

const SINGLE = TRANSACTIONS.recordInteraction;
const BATCH = TRANSACTIONS.recordBatch;
const CHANNEL = 'hospital-a';

/** A fake peer running the fake Interactions and Batches contracts, each submit with its own transaction id. */
function batchesLedger(): { ledger: FakeLedger; state: FakeInteractionState } {
  const ledger = new FakeLedger();
  let next = 0;
  ledger.nextTransactionId = () => (next++).toString(16).padStart(64, '0');
  return { ledger, state: installFakeInteractionsChaincode(ledger) };
}

const record = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  provider: 'openai',
  ...extra,
});
const submits = (ledger: FakeLedger): RecordedLedgerCall[] =>
  ledger.calls.filter((call) => call.operation === 'submit');
const submitOne = (
  client: BatchingLedgerClient,
  body: Record<string, unknown>,
): ReturnType<BatchingLedgerClient['submit']> =>
  client.submit(CHANNEL, SINGLE, [JSON.stringify(body)], { idempotent: true });
const parsed = (result: { result: string }): Record<string, unknown> =>
  JSON.parse(result.result) as Record<string, unknown>;

/** The id was recorded one at a time with other content: RecordBatch refuses any batch holding it. */
function recordedWithOtherContent(state: FakeInteractionState, id: string): void {
  state.interactions.set(id, { ...record(id, { provider: 'mistral' }), org: 'HospitalAMSP', txId: 'e'.repeat(64) });
}

const tick = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * The inner client with every RecordBatch submit held until the test releases it (as a real submit
 * is held until its block commits) unless `hold` is false; `held` counts the submits waiting, and
 * `mostAtOnce` the most submits of any kind in flight at once.
 */
function heldSubmits(
  inner: LedgerClient,
  hold = true,
): { client: LedgerClient; held: () => number; releaseOne: () => void; mostAtOnce: () => number } {
  const gates: (() => void)[] = [];
  let active = 0;
  let most = 0;
  return {
    client: {
      ...inner,
      evaluate: inner.evaluate.bind(inner),
      submit: async (channel, transaction, args, options) => {
        active += 1;
        most = Math.max(most, active);
        try {
          if (transaction === BATCH && hold) await new Promise<void>((release) => gates.push(release));
          // A real submit answers in a later turn of the event loop.
          await tick(1);
          return await inner.submit(channel, transaction, args, options);
        } finally {
          active -= 1;
        }
      },
    },
    held: () => gates.length,
    releaseOne: () => gates.shift()?.(),
    mostAtOnce: () => most,
  };
}

describe('BatchingLedgerClient', () => {
  it('gathers concurrent single records into one RecordBatch and answers each with its stored record, leaf and the batch transaction', async () => {
    const { ledger, state } = batchesLedger();
    const sizes: number[] = [];
    const client = new BatchingLedgerClient(
      ledger.clientFor('recorder'),
      { maxRecords: 10, lingerMs: 5, maxInFlight: 4 },
      (_c, n) => sizes.push(n),
    );
    const results = await Promise.all(['r1', 'r2', 'r3'].map((id) => submitOne(client, record(id))));
    expect(submits(ledger).map((call) => call.transaction)).toEqual([BATCH]);
    const batchTx = submits(ledger)[0]?.transactionId as string;
    expect(JSON.parse(submits(ledger)[0]?.args[0] ?? '')).toEqual([record('r1'), record('r2'), record('r3')]);
    expect(sizes).toEqual([3]);
    expect(results.map((result) => result.transactionId)).toEqual([batchTx, batchTx, batchTx]);
    expect(results.map(parsed)).toEqual(
      ['r1', 'r2', 'r3'].map((id, leafIndex) => ({
        ...record(id),
        org: 'HospitalAMSP',
        recordedBy: 'app-recorder',
        txId: batchTx,
        txTime: state.batches.get(batchTx)?.txTime,
        batchId: batchTx,
        leafIndex,
      })),
    );
    // Each answer is the record sent with the ledger's fields its point read (a lean locator) shows.
    for (const result of results) {
      const id = String(parsed(result)['id']);
      const { leafHash, ...ledgerFields } = JSON.parse(
        await ledger.clientFor('recorder').evaluate(CHANNEL, TRANSACTIONS.getInteraction, [id]),
      ) as Record<string, unknown>;
      expect(leafHash).toBe(recordLeafHash(record(id)).toString('hex'));
      expect(parsed(result)).toEqual({ ...record(id), ...ledgerFields });
    }
    expect(state.batches.get(batchTx)?.root).toBe(
      merkleRoot(['r1', 'r2', 'r3'].map((id) => recordLeafBytes(record(id)))).toString('hex'),
    );
  });

  it("answers a record with a consent reference with the ledger's own verdict (read back), the others from the committed root", async () => {
    const { ledger } = batchesLedger();
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    const [plain, second, withSubject] = await Promise.all([
      submitOne(client, record('p1')),
      submitOne(client, record('p2')),
      submitOne(client, record('s1', { subjectRef: 'subject-1', purpose: 'treatment' })),
    ]);
    expect(parsed(withSubject as { result: string })['consentCheck']).toEqual({ allowed: false, reason: 'no-consent' });
    expect(parsed(plain as { result: string })['consentCheck']).toBeUndefined();
    expect(parsed(second as { result: string })['leafIndex']).toBe(1);
    // Point reads: the first leaf (recording identity) and the record with a verdict; not p2 — each
    // on the org's own peer, whose commit status was read (another org's may not have the block yet).
    const reads = ledger.calls.filter((call) => call.transaction === TRANSACTIONS.getInteraction);
    expect(reads.map((call) => call.args[0])).toEqual(['p1', 's1']);
    expect(reads.map((call) => call.options)).toEqual([{ ownOrgOnly: true }, { ownOrgOnly: true }]);
  });

  it('answers a repeat with the earlier stored record, in another batch or in the same group, and a changed repeat with CONFLICT', async () => {
    const { ledger } = batchesLedger();
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    const first = await submitOne(client, record('r1'));
    const firstTx = first.transactionId;

    // The same id twice in one gathered group, plus a changed copy: never two copies in one batch.
    const [again, sameGroupCopy, changed, other] = await Promise.allSettled([
      submitOne(client, record('r2')),
      submitOne(client, record('r2')),
      submitOne(client, record('r2', { provider: 'anthropic' })),
      submitOne(client, record('r3')),
    ]);
    expect(again.status).toBe('fulfilled');
    const r2Tx = (again as PromiseFulfilledResult<{ result: string; transactionId: string }>).value.transactionId;
    expect(parsed((again as PromiseFulfilledResult<{ result: string }>).value)['txId']).toBe(r2Tx);
    // The held-back copy is answered as a repeat: the stored record of the earlier transaction.
    const copy = (sameGroupCopy as PromiseFulfilledResult<{ result: string; transactionId: string }>).value;
    expect(parsed(copy)['txId']).toBe(r2Tx);
    expect(copy.transactionId).not.toBe(r2Tx);
    expect(changed.status).toBe('rejected');
    expect((changed as PromiseRejectedResult).reason).toMatchObject({ kind: 'conflict' });
    expect((other as PromiseFulfilledResult<{ result: string }>).value).toBeDefined();
    for (const call of submits(ledger).filter((candidate) => candidate.transaction === BATCH)) {
      const ids = (JSON.parse(call.args[0] ?? '[]') as { id: string }[]).map((sent) => sent.id);
      expect(new Set(ids).size).toBe(ids.length);
    }

    // A repeat of the first record, later and alone: 200-style answer (the earlier txId).
    const repeat = await submitOne(client, record('r1'));
    expect(parsed(repeat)['txId']).toBe(firstTx);
    expect(repeat.transactionId).not.toBe(firstTx);
  });

  it('attributes a refused record to its own request only: the batch is halved, the lone record sent as a single record', async () => {
    const { ledger, state } = batchesLedger();
    recordedWithOtherContent(state, 'r3');
    // r5 was recorded one at a time with the same content: a repeat, answered by the single-record transaction.
    state.interactions.set('r5', { ...record('r5'), org: 'HospitalAMSP', txId: 'f'.repeat(64) });
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    const outcomes = await Promise.allSettled(
      ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => submitOne(client, record(id))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ kind: 'conflict' });
    expect(((outcomes[2] as PromiseRejectedResult).reason as Error).message).not.toMatch(/\[\d\]/);
    expect(parsed((outcomes[4] as PromiseFulfilledResult<{ result: string }>).value)['txId']).toBe('f'.repeat(64));
    for (const id of ['r1', 'r2', 'r4']) expect(state.batched.get(id)).toBeDefined();
    expect(state.batched.has('r3')).toBe(false);
    expect(state.interactions.get('r3')?.['provider']).toBe('mistral');
    // Only the lone refused records went as single-record transactions.
    expect(
      submits(ledger)
        .filter((call) => call.transaction === SINGLE)
        .map((call) => (JSON.parse(call.args[0] ?? '{}') as { id: string }).id)
        .sort(),
    ).toEqual(['r3', 'r5']);
  });

  it('refuses a new record naming an erased subject to its own request only', async () => {
    const { ledger, state } = batchesLedger();
    state.subjects.set('gone', 'erased');
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    const outcomes = await Promise.allSettled([
      submitOne(client, record('a')),
      submitOne(client, record('b', { subjectRef: 'gone' })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ kind: 'precondition-failed' });
    expect(state.batched.has('b')).toBe(false);
  });

  it('fails every caller of a batch whose transient failure outlasted the retries, and none is stored', async () => {
    const { ledger, state } = batchesLedger();
    ledger.failures.push(new LedgerError('unavailable', 'peer down', { transient: true }));
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    const outcomes = await Promise.allSettled(['a', 'b'].map((id) => submitOne(client, record(id))));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(state.batched.size).toBe(0);
  });

  it('sends a batch when it is full, and a second one for the rest', async () => {
    const { ledger } = batchesLedger();
    const sizes: number[] = [];
    const client = new BatchingLedgerClient(
      ledger.clientFor('recorder'),
      { maxRecords: 2, lingerMs: 1000, maxInFlight: 4 },
      (_c, n) => sizes.push(n),
    );
    const pending = ['a', 'b', 'c'].map((id) => submitOne(client, record(id)));
    await Promise.all(pending.slice(0, 2));
    expect(sizes).toEqual([2]);
    client.close();
    await expect(pending[2]).rejects.toMatchObject({ kind: 'unavailable', transient: true });
  });

  it('keeps gathering past the linger while every slot is in flight, and sends what gathered when a slot frees (group commit)', async () => {
    const { ledger } = batchesLedger();
    const { client: inner, held, releaseOne } = heldSubmits(ledger.clientFor('recorder'));
    const sizes: number[] = [];
    const client = new BatchingLedgerClient(inner, { maxRecords: 3, lingerMs: 1, maxInFlight: 1 }, (_c, n) =>
      sizes.push(n),
    );
    const first = submitOne(client, record('a'));
    await tick(20);
    expect(held()).toBe(1);
    // The slot is taken: each record arrives well after the linger of the one before, and still
    // joins its batch (b, c, d fill one; e, f start the next).
    const later: ReturnType<typeof submitOne>[] = [];
    for (const id of ['b', 'c', 'd', 'e', 'f']) {
      later.push(submitOne(client, record(id)));
      await tick(20);
    }
    expect(sizes).toEqual([1]);
    expect(held()).toBe(1);
    releaseOne();
    await first;
    await tick(20);
    expect(sizes).toEqual([1, 3]);
    expect(held()).toBe(1);
    releaseOne();
    await tick(20);
    expect(sizes).toEqual([1, 3, 2]);
    releaseOne();
    const answers = await Promise.all(later);
    expect(answers.map((answer) => answer.transactionId)).toEqual([
      ...Array<string | undefined>(3).fill(answers[0]?.transactionId),
      ...Array<string | undefined>(2).fill(answers[3]?.transactionId),
    ]);
    expect(new Set(submits(ledger).map((call) => call.transactionId)).size).toBe(3);
  });

  it('never has more than maxInFlight batches in flight', async () => {
    const { ledger } = batchesLedger();
    const { client: inner, held, releaseOne, mostAtOnce } = heldSubmits(ledger.clientFor('recorder'));
    const client = new BatchingLedgerClient(inner, { maxRecords: 2, lingerMs: 0, maxInFlight: 2 });
    const pending = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => submitOne(client, record(id)));
    await tick(20);
    expect(held()).toBe(2);
    for (let released = 0; released < 4; released += 1) {
      releaseOne();
      await tick(20);
    }
    await Promise.all(pending);
    expect(held()).toBe(0);
    expect(mostAtOnce()).toBe(2);
    expect(submits(ledger).filter((call) => call.transaction === BATCH)).toHaveLength(4);
  });

  it('halves a refused batch within the slot limit, the halves ahead of later batches', async () => {
    const { ledger, state } = batchesLedger();
    recordedWithOtherContent(state, 'r3');
    const { client: inner, mostAtOnce } = heldSubmits(ledger.clientFor('recorder'), false);
    const client = new BatchingLedgerClient(inner, { maxRecords: 4, lingerMs: 0, maxInFlight: 1 });
    const outcomes = await Promise.allSettled(
      ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((id) => submitOne(client, record(id))),
    );
    // Only r3's own request is refused.
    expect(outcomes.map((outcome) => outcome.status === 'rejected')).toEqual([false, false, true, false, false, false]);
    expect(mostAtOnce()).toBe(1);
    const sent = submits(ledger).map((call) =>
      call.transaction === SINGLE
        ? [(JSON.parse(call.args[0] ?? '{}') as { id: string }).id]
        : (JSON.parse(call.args[0] ?? '[]') as { id: string }[]).map((entry) => entry.id),
    );
    // [r1..r4] refused; its halves, then the lone r3 alone, all before [r5, r6].
    expect(sent).toEqual([['r1', 'r2', 'r3', 'r4'], ['r1', 'r2'], ['r3', 'r4'], ['r3'], ['r3'], ['r4'], ['r5', 'r6']]);
  });

  it('reports the records waiting, and refuses a record at once, unsent, when a channel already has its limit waiting', async () => {
    const { ledger } = batchesLedger();
    const { client: inner, held, releaseOne } = heldSubmits(ledger.clientFor('recorder'));
    const waitingNow = new Map<string, number>();
    // Limit: 8 rounds × 2 records × 1 slot = 16 records waiting.
    const client = new BatchingLedgerClient(
      inner,
      { maxRecords: 2, lingerMs: 0, maxInFlight: 1 },
      undefined,
      (channel, records) => waitingNow.set(channel, records),
    );
    const first = submitOne(client, record('first'));
    await tick(20);
    expect(waitingNow.get(CHANNEL)).toBe(0);
    const admitted = Array.from({ length: 16 }, (_, i) => submitOne(client, record(`w${i}`)));
    await tick(20);
    expect(waitingNow.get(CHANNEL)).toBe(16);
    await expect(submitOne(client, record('over'))).rejects.toMatchObject({ kind: 'unavailable', transient: true });
    releaseOne();
    await tick(20);
    expect(waitingNow.get(CHANNEL)).toBe(14);
    while (held() > 0) {
      releaseOne();
      await tick(20);
    }
    await first;
    await Promise.all(admitted);
    expect(waitingNow.get(CHANNEL)).toBe(0);
    const sentIds = submits(ledger).flatMap((call) =>
      (JSON.parse(call.args[0] ?? '[]') as { id: string }[]).map((entry) => entry.id),
    );
    expect(sentIds).toHaveLength(17);
    expect(sentIds).not.toContain('over');
  });

  it('fails records still waiting for a slot on close, queued and open, none of them sent', async () => {
    const { ledger } = batchesLedger();
    const { client: inner, releaseOne } = heldSubmits(ledger.clientFor('recorder'));
    const client = new BatchingLedgerClient(inner, { maxRecords: 2, lingerMs: 0, maxInFlight: 1 });
    const sent = submitOne(client, record('a'));
    await tick(20);
    // b and c fill a batch that waits for the slot; d is in the open one.
    const waiting = ['b', 'c', 'd'].map((id) => submitOne(client, record(id)));
    await tick(20);
    client.close();
    for (const outcome of waiting)
      await expect(outcome).rejects.toMatchObject({ kind: 'unavailable', transient: true });
    releaseOne();
    await sent;
    expect(submits(ledger).flatMap((call) => JSON.parse(call.args[0] ?? '[]') as { id: string }[])).toEqual([
      record('a'),
    ]);
  });

  it('refuses maxInFlight below 1', () => {
    const inner = new FakeLedger().clientFor('recorder');
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 10, lingerMs: 1, maxInFlight: 0 })).toThrow(RangeError);
  });

  it('passes other submits, non-idempotent or transient ones, and everything when maxRecords is 1, straight through', async () => {
    const { ledger } = batchesLedger();
    const off = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 1, lingerMs: 5, maxInFlight: 4 });
    const alone = await submitOne(off, record('x'));
    expect(parsed(alone)['batchId']).toBeUndefined();
    const on = new BatchingLedgerClient(ledger.clientFor('recorder'), { maxRecords: 10, lingerMs: 5, maxInFlight: 4 });
    await on.submit(CHANNEL, SINGLE, [JSON.stringify(record('y'))]);
    await expect(
      on.submit(CHANNEL, SINGLE, [JSON.stringify(record('z'))], { idempotent: true, transient: { k: 'v' } }),
    ).resolves.toBeDefined();
    expect(submits(ledger).map((call) => call.transaction)).toEqual([SINGLE, SINGLE, SINGLE]);
  });

  it('refuses maxRecords outside 1…LIMITS.merkleBatchRecords', () => {
    const inner = new FakeLedger().clientFor('recorder');
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 0, lingerMs: 1, maxInFlight: 4 })).toThrow(RangeError);
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 1001, lingerMs: 1, maxInFlight: 4 })).toThrow(
      RangeError,
    );
    expect(() => new BatchingLedgerClient(inner, { maxRecords: 1000, lingerMs: 1, maxInFlight: 4 })).not.toThrow();
  });

  it('reports a read-back whose leaf hash is not the record sent as an internal error', async () => {
    const { ledger } = batchesLedger();
    const honest = ledger.handlers.get(TRANSACTIONS.getInteraction);
    ledger.handlers.set(TRANSACTIONS.getInteraction, (call) => {
      const locator = JSON.parse(honest?.(call) ?? '{}') as Record<string, unknown>;
      return JSON.stringify({ ...locator, leafHash: '0'.repeat(64) });
    });
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    await expect(submitOne(client, record('a'))).rejects.toMatchObject({ kind: 'internal' });
  });

  it('reports a root that does not commit to the records sent as an internal error', async () => {
    const { ledger } = batchesLedger();
    const honest = ledger.handlers.get(BATCH);
    ledger.handlers.set(BATCH, (call) => {
      const summary = JSON.parse(honest?.(call) ?? '{}') as Record<string, unknown>;
      return JSON.stringify({ ...summary, root: '0'.repeat(64) });
    });
    const client = new BatchingLedgerClient(ledger.clientFor('recorder'), {
      maxRecords: 10,
      lingerMs: 5,
      maxInFlight: 4,
    });
    await expect(submitOne(client, record('a'))).rejects.toMatchObject({ kind: 'internal' });
  });
});
