import type { LedgerClient, SubmitOptions, SubmitResult } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';

/** One call a fake received, with the identity (role) it was made as. */
export interface RecordedLedgerCall {
  readonly role: string;
  readonly operation: 'submit' | 'evaluate' | 'evaluateSystem';
  readonly channel: string;
  readonly transaction: string;
  readonly args: readonly string[];
  readonly options?: SubmitOptions;
}

/**
 * In-memory stand-in for the org's peer, for unit tests only: implements the probe transactions
 * with the chaincode's duplicate/not-found behaviour, records every call, and can be told to fail.
 */
export class FakeLedger {
  readonly calls: RecordedLedgerCall[] = [];
  readonly probes = new Map<string, string>();
  /** Failures handed out, in order, by the next calls (any role, any operation). */
  readonly failures: Error[] = [];
  reachable = true;
  systemAnswers: Uint8Array[] = [];
  private block = 10n;

  /** A {@link LedgerClient} that acts as `role` on this ledger. */
  clientFor(role: string): LedgerClient {
    return {
      submit: (channel, transaction, args, options) => this.submit({ role, operation: 'submit', channel, transaction, args, options }),
      evaluate: (channel, transaction, args) => this.evaluate({ role, operation: 'evaluate', channel, transaction, args }),
      evaluateSystem: (channel, _chaincode, transaction, args) => {
        this.calls.push({ role, operation: 'evaluateSystem', channel, transaction, args });
        const failure = this.failures.shift();
        if (failure) return Promise.reject(failure);
        const answer = this.systemAnswers.shift();
        return answer ? Promise.resolve(answer) : Promise.reject(new LedgerError('rejected', 'no such transaction'));
      },
      ready: () => Promise.resolve(this.reachable),
      close: () => undefined,
    };
  }

  private submit(call: RecordedLedgerCall): Promise<SubmitResult> {
    this.calls.push(call);
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const [id = '', note = ''] = call.args;
    const key = `${call.channel}/${id}`;
    if (this.probes.has(key)) return Promise.reject(new LedgerError('conflict', `probe ${id} already exists`));
    const probe = JSON.stringify({ id, note, org: 'HospitalAMSP', txId: 'a'.repeat(64), txTime: '2026-01-01T00:00:00.000Z' });
    this.probes.set(key, probe);
    this.block += 1n;
    return Promise.resolve({ result: probe, transactionId: 'a'.repeat(64), blockNumber: this.block });
  }

  private evaluate(call: RecordedLedgerCall): Promise<string> {
    this.calls.push(call);
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const probe = this.probes.get(`${call.channel}/${call.args[0] ?? ''}`);
    return probe === undefined ? Promise.reject(new LedgerError('not-found', `probe ${call.args[0] ?? ''} does not exist`)) : Promise.resolve(probe);
  }
}
