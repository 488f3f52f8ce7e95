import type { ChaincodeEvent, ChaincodeEventStream } from '../ledger/chaincode-event';
import type { LedgerClient, SubmitOptions, SubmitResult } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';

/** One call a fake received, with the identity (role) it was made as. */
export interface RecordedLedgerCall {
  readonly role: string;
  readonly operation: 'submit' | 'evaluate' | 'evaluateSystem';
  readonly channel: string;
  readonly transaction: string;
  readonly args: readonly string[];
  /** Submit options, or for an evaluation its options (transient data). */
  readonly options?: SubmitOptions;
}

/** Answers a transaction the fake does not implement itself: the chaincode's result text, or throws its refusal. */
export type FakeTransactionHandler = (call: RecordedLedgerCall) => string;

/**
 * In-memory stand-in for the org's peer, for unit tests only: implements the probe transactions
 * with the chaincode's duplicate/not-found behaviour, answers other transactions from scripted
 * {@link FakeLedger.handlers}, streams {@link FakeLedger.events}, records every call, and can be told to fail.
 */
export class FakeLedger {
  readonly calls: RecordedLedgerCall[] = [];
  readonly probes = new Map<string, string>();
  /** Failures handed out, in order, by the next calls (any role, any operation). */
  readonly failures: Error[] = [];
  reachable = true;
  systemAnswers: Uint8Array[] = [];
  /** Scripted answers by transaction name (e.g. `Consents:GetConsent`), for everything but probes. */
  readonly handlers = new Map<string, FakeTransactionHandler>();
  /** Chaincode events on the ledger, in ledger order; streams deliver those from their start block on, then new ones. */
  readonly events: ChaincodeEvent[] = [];
  /** Event streams opened and closed so far (a test checks that each consumer closes its stream). */
  readonly eventStreams = { opened: 0, closed: 0 };
  private readonly eventListeners = new Set<() => void>();
  private block = 10n;

  /** Appends an event and wakes every open stream. */
  emit(event: ChaincodeEvent): void {
    this.events.push(event);
    for (const listener of this.eventListeners) listener();
  }

  /** A {@link LedgerClient} that acts as `role` on this ledger. */
  clientFor(role: string): LedgerClient {
    return {
      submit: (channel, transaction, args, options) => this.submit({ role, operation: 'submit', channel, transaction, args, options }),
      evaluate: (channel, transaction, args, options) => this.evaluate({ role, operation: 'evaluate', channel, transaction, args, options }),
      chaincodeEvents: (_channel, startBlock) => {
        const failure = this.failures.shift();
        return failure ? Promise.reject(failure) : Promise.resolve(this.eventStream(startBlock));
      },
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

  private eventStream(startBlock: bigint | undefined): ChaincodeEventStream {
    this.eventStreams.opened += 1;
    let closed = false;
    let wake: () => void = () => undefined;
    const listener = (): void => wake();
    this.eventListeners.add(listener);
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.eventStreams.closed += 1;
      this.eventListeners.delete(listener);
      wake();
    };
    const events = this.events;
    // Without a start block, only events emitted from now on (as the peer does).
    const first = startBlock === undefined ? events.length : 0;
    return {
      close,
      async *[Symbol.asyncIterator]() {
        let next = first;
        while (!closed) {
          const event = events[next];
          if (event === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          next += 1;
          if (startBlock === undefined || event.blockNumber >= startBlock) yield event;
        }
      },
    };
  }

  private handled(call: RecordedLedgerCall): string | undefined {
    const handler = this.handlers.get(call.transaction);
    return handler === undefined ? undefined : handler(call);
  }

  private submit(call: RecordedLedgerCall): Promise<SubmitResult> {
    this.calls.push(call);
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    if (this.handlers.has(call.transaction)) {
      try {
        const result = this.handled(call) ?? '';
        this.block += 1n;
        return Promise.resolve({ result, transactionId: 'c'.repeat(64), blockNumber: this.block });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
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
    if (this.handlers.has(call.transaction)) {
      try {
        return Promise.resolve(this.handled(call) ?? '');
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    const probe = this.probes.get(`${call.channel}/${call.args[0] ?? ''}`);
    return probe === undefined ? Promise.reject(new LedgerError('not-found', `probe ${call.args[0] ?? ''} does not exist`)) : Promise.resolve(probe);
  }
}
