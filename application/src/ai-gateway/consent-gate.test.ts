import { pino } from 'pino';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { LedgerError } from '../ledger/ledger-error';
import { FakeLedger } from '../testing/fake-ledger-client';
import { ConsentGate } from './consent-gate';

const question = {
  channel: 'hospital-a',
  subjectRef: 'HospitalAMSP:s-1',
  purpose: 'ai-inference',
  applicationId: 'app',
};
const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('consent gate', () => {
  let ledger: FakeLedger;
  let allowed: boolean;
  let gate: ConsentGate;
  const checks = () => ledger.calls.filter((call) => call.transaction === TRANSACTIONS.checkConsent).length;

  beforeEach(() => {
    ledger = new FakeLedger();
    allowed = true;
    ledger.handlers.set(TRANSACTIONS.checkConsent, () =>
      JSON.stringify({ allowed, reason: allowed ? 'ok' : 'revoked' }),
    );
    gate = new ConsentGate(ledger.clientFor('recorder'), 'HospitalAMSP', 60_000, pino({ level: 'silent' }));
  });
  afterEach(() => gate.stop());

  it('asks for the application grantee and reuses a verdict while the event stream is up', async () => {
    gate.start(['hospital-a']);
    await until(() => gate.eventsUp('hospital-a'));
    expect((await gate.check(question)).allowed).toBe(true);
    expect((await gate.check(question)).allowed).toBe(true);
    expect(checks()).toBe(1);
    expect(ledger.calls[0]?.args).toEqual(['HospitalAMSP:s-1', 'ai-inference', 'HospitalAMSP:app', '']);
  });

  it('forgets cached verdicts on a revocation event', async () => {
    gate.start(['hospital-a']);
    await until(() => gate.eventsUp('hospital-a'));
    await gate.check(question);
    allowed = false;
    ledger.emit({ blockNumber: 12n, transactionId: 't', eventName: 'ConsentRevoked', payload: '{}' });
    await until(() => checks() === 1);
    // The event is delivered asynchronously; the next check after it must go to the ledger.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await gate.check(question)).allowed).toBe(false);
    expect(checks()).toBe(2);
  });

  it('never caches while the event stream is down, and lets a ledger failure through (the caller refuses)', async () => {
    ledger.failures.push(new LedgerError('unavailable', 'no events', { transient: true }));
    gate.start(['hospital-a']);
    await gate.check(question).catch(() => undefined);
    expect(gate.eventsUp('hospital-a')).toBe(false);
    await gate.check(question);
    await gate.check(question);
    expect(checks()).toBeGreaterThanOrEqual(2);
    ledger.failures.push(new LedgerError('unavailable', 'peer down', { transient: true }));
    await expect(gate.check(question)).rejects.toThrow(LedgerError);
  });
});
