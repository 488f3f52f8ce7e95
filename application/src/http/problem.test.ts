import { LedgerError } from '../ledger/ledger-error';
import { problemFromLedger } from './problem';

describe('problemFromLedger', () => {
  it('answers a read conflict at commit (transient) 503 "Ledger busy", the chaincode CONFLICT 409', () => {
    const raced = problemFromLedger(new LedgerError('conflict', 'validation code 11', { transient: true }));
    expect([raced.status, raced.title]).toEqual([503, 'Ledger busy']);
    const taken = problemFromLedger(
      new LedgerError('conflict', 'interaction x exists with other content', { code: 'CONFLICT' }),
    );
    expect([taken.status, taken.title]).toEqual([409, 'Conflict']);
  });

  it('answers an unreachable ledger 503, a refusal 4xx, and hides internal details', () => {
    expect(problemFromLedger(new LedgerError('unavailable', 'down', { transient: true })).status).toBe(503);
    expect(problemFromLedger(new LedgerError('not-found', 'x does not exist')).status).toBe(404);
    const internal = problemFromLedger(new LedgerError('internal', 'stack trace with secrets'));
    expect([internal.status, internal.detail]).toEqual([500, 'the ledger call failed unexpectedly']);
  });
});
