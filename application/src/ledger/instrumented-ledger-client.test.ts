import { ContractError, TRANSACTIONS } from '@aal/ledger-contract';
import { createMetrics } from '../observability/metrics';
import { FakeLedger } from '../testing/fake-ledger-client';
import { InstrumentedLedgerClient } from './instrumented-ledger-client';
import { LedgerError } from './ledger-error';

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
});
