import { TRANSACTIONS } from '@aal/ledger-contract';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import type { CheckOutcome } from './cached-check';

/**
 * Asks the org's own chaincode server for one key (`ReadLog:GetLatestReadAnchor`, read-only) through
 * the org's own peer only — without that restriction the peer's gateway would hand the evaluation
 * to another org's peer and a dead chaincode server would go unnoticed. Any answer of the chaincode,
 * a coded refusal such as NOT_FOUND included, means it runs; an unreachable chaincode is the peer's
 * error without a chaincode code. The outcome names no address or gateway message: /readyz takes no key.
 */
export function chaincodeCheck(
  ledger: LedgerClient,
  channel: string,
  mspId: string,
  readLogName: string,
): () => Promise<CheckOutcome> {
  return async () => {
    try {
      await ledger.evaluate(channel, TRANSACTIONS.getLatestReadAnchor, [mspId, readLogName], { ownOrgOnly: true });
      return undefined;
    } catch (error) {
      if (error instanceof LedgerError && error.code !== undefined) return undefined;
      // No gateway message: /readyz takes no key, and those name internal addresses (the failure is in aal_errors_total).
      return `the org's chaincode does not answer on ${channel}`;
    }
  };
}
