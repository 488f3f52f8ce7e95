import { ContractError, TRANSACTIONS } from '@aal/ledger-contract';
import { LedgerError } from '../ledger/ledger-error';
import { FakeLedger } from '../testing/fake-ledger-client';
import { chaincodeCheck } from './chaincode-check';

describe('chaincodeCheck', () => {
  it("evaluates a read-only transaction on the org's own peers only, and counts any chaincode answer as up", async () => {
    const ledger = new FakeLedger();
    ledger.handlers.set(TRANSACTIONS.getLatestReadAnchor, () => {
      throw new ContractError({ code: 'NOT_FOUND', message: 'no anchor' });
    });
    const check = chaincodeCheck(ledger.clientFor('auditor'), 'hospital-a', 'HospitalAMSP', 'reads');
    expect(await check()).toBeUndefined();
    expect(ledger.calls[0]).toMatchObject({
      operation: 'evaluate',
      channel: 'hospital-a',
      transaction: TRANSACTIONS.getLatestReadAnchor,
      args: ['HospitalAMSP', 'reads'],
      options: { ownOrgOnly: true },
    });
    ledger.handlers.set(TRANSACTIONS.getLatestReadAnchor, () => '{}');
    expect(await check()).toBeUndefined();
  });

  it('reports a failure without a chaincode code (the chaincode server unreachable) as down, naming the channel', async () => {
    const ledger = new FakeLedger();
    ledger.failures.push(new LedgerError('unavailable', 'connection refused', { transient: true }));
    const check = chaincodeCheck(ledger.clientFor('auditor'), 'hospital-a', 'HospitalAMSP', 'reads');
    // Without the gateway's message: /readyz takes no key.
    expect(await check()).toBe("the org's chaincode does not answer on hospital-a");
  });
});
