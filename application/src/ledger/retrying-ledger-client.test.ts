import { TRANSACTIONS } from '@aal/ledger-contract';
import { FakeLedger } from '../testing/fake-ledger-client';
import { LedgerError } from './ledger-error';
import { RetryingLedgerClient, backoffDelay } from './retrying-ledger-client';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

/** A ledger whose GrantConsent answers a stored consent: a write-once submit, safe to repeat. */
function consentLedger(): FakeLedger {
  const ledger = new FakeLedger();
  ledger.handlers.set(TRANSACTIONS.grantConsent, () => JSON.stringify({ id: 'c1' }));
  return ledger;
}

function retrying(ledger: FakeLedger, waits: number[], retries: number[] = []): RetryingLedgerClient {
  return new RetryingLedgerClient(
    ledger.clientFor('recorder'),
    policy,
    (_tx, attempt) => retries.push(attempt),
    (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  );
}

const mvcc = (): LedgerError => new LedgerError('conflict', 'validation code 11', { transient: true });

describe('RetryingLedgerClient', () => {
  it('repeats an idempotent submit after transient failures, with growing delays, until it commits', async () => {
    const ledger = consentLedger();
    ledger.failures.push(mvcc(), new LedgerError('unavailable', 'endorsement timed out', { transient: true }));
    const waits: number[] = [];
    const retries: number[] = [];
    const result = await retrying(ledger, waits, retries).submit(
      'hospital-a',
      TRANSACTIONS.grantConsent,
      ['{"id":"c1"}'],
      { idempotent: true },
    );
    expect(result.transactionId).toHaveLength(64);
    expect(ledger.calls.filter((call) => call.operation === 'submit')).toHaveLength(3);
    expect(retries).toEqual([1, 2]);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('never repeats a submit that is not marked idempotent', async () => {
    const ledger = consentLedger();
    ledger.failures.push(mvcc());
    const waits: number[] = [];
    await expect(
      retrying(ledger, waits).submit('hospital-a', TRANSACTIONS.grantConsent, ['{"id":"c1"}']),
    ).rejects.toMatchObject({ kind: 'conflict' });
    expect(ledger.calls).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('does not repeat a final refusal, and gives up after maxAttempts', async () => {
    const ledger = new FakeLedger();
    ledger.failures.push(new LedgerError('rejected', 'INVALID_ARGUMENT'));
    const waits: number[] = [];
    await expect(retrying(ledger, waits).submit('c', 't', [], { idempotent: true })).rejects.toMatchObject({
      kind: 'rejected',
    });
    expect(ledger.calls).toHaveLength(1);

    const busy = new FakeLedger();
    busy.failures.push(mvcc(), mvcc(), mvcc(), mvcc(), mvcc());
    await expect(retrying(busy, []).submit('c', 't', [], { idempotent: true })).rejects.toMatchObject({
      kind: 'conflict',
      transient: true,
    });
    expect(busy.calls).toHaveLength(policy.maxAttempts);
  });

  it('caps the delay and jitters it within [delay/2, delay]', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1_000);
  });
});
