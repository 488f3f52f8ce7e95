import { ContractError, TRANSACTIONS } from '@aal/ledger-contract';
import { createMetrics } from '../observability/metrics';
import { FakeLedger } from '../testing/fake-ledger-client';
import { InstrumentedLedgerClient } from './instrumented-ledger-client';
import { LedgerError } from './ledger-error';
import { OrderingOutcomes } from '../readiness/ordering-outcomes';

describe('InstrumentedLedgerClient', () => {
  it('times submits and evaluations by transaction and outcome, and counts ledger failures by kind', async () => {
    const metrics = createMetrics();
    const ledger = new FakeLedger();
    ledger.handlers.set(TRANSACTIONS.grantConsent, () => JSON.stringify({ id: 'c1' }));
    ledger.handlers.set(TRANSACTIONS.getConsent, (call) => {
      throw new ContractError({ code: 'NOT_FOUND', message: `consent ${call.args[0] ?? ''} does not exist` });
    });
    const client = new InstrumentedLedgerClient(ledger.clientFor('recorder'), metrics);
    await client.submit('hospital-a', TRANSACTIONS.grantConsent, ['{"id":"c1"}']);
    await expect(client.evaluate('hospital-a', TRANSACTIONS.getConsent, ['absent'])).rejects.toMatchObject({
      kind: 'not-found',
    });
    ledger.failures.push(new LedgerError('unavailable', 'down', { transient: true }));
    await expect(client.evaluateSystem('hospital-a', 'qscc', 'GetTransactionByID', [])).rejects.toMatchObject({
      kind: 'unavailable',
    });

    const text = await metrics.registry.metrics();
    expect(text).toContain(
      `aal_ledger_call_duration_seconds_count{operation="submit",transaction="${TRANSACTIONS.grantConsent}",outcome="ok"} 1`,
    );
    expect(text).toContain(
      `aal_ledger_call_duration_seconds_count{operation="evaluate",transaction="${TRANSACTIONS.getConsent}",outcome="not-found"} 1`,
    );
    expect(text).toContain(
      'aal_ledger_call_duration_seconds_count{operation="evaluate",transaction="qscc:GetTransactionByID",outcome="unavailable"} 1',
    );
    expect(text).toContain('aal_errors_total{source="ledger",kind="not-found"} 1');
    expect(text).toContain('aal_errors_total{source="ledger",kind="unavailable"} 1');
  });

  it('tells the ordering outcomes which submits were ordered and which the ordering service refused', async () => {
    const ledger = new FakeLedger();
    ledger.handlers.set(TRANSACTIONS.grantConsent, () => JSON.stringify({ id: 'c1' }));
    const ordering = new OrderingOutcomes({ refusalStaleMs: 30_000, stalledAfterMs: 10_000 });
    const client = new InstrumentedLedgerClient(ledger.clientFor('recorder'), createMetrics(), ordering);
    ledger.failures.push(new LedgerError('unavailable', 'no Raft leader', { transient: true, notOrdered: true }));
    await expect(client.submit('hospital-a', TRANSACTIONS.grantConsent, ['{}'])).rejects.toMatchObject({
      notOrdered: true,
    });
    expect(ordering.unavailable()).toMatchObject([{ channel: 'hospital-a', lastError: 'no Raft leader' }]);
    // An endorsement failure says nothing about ordering.
    ledger.failures.push(new LedgerError('unavailable', 'chaincode unreachable', { transient: true }));
    await expect(client.submit('hospital-a', TRANSACTIONS.grantConsent, ['{}'])).rejects.toBeInstanceOf(LedgerError);
    expect(ordering.unavailable()).toMatchObject([{ lastError: 'no Raft leader' }]);
    await client.submit('hospital-a', TRANSACTIONS.grantConsent, ['{}']);
    expect(ordering.unavailable()).toEqual([]);
  });
});
