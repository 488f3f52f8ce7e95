import type { ChaincodeEvent, ChaincodeEventStream } from '../ledger/chaincode-event';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from '../ledger/ledger-client';
import { ContractError } from '@aal/ledger-contract';
import { chaincodeRefusal } from '../ledger/chaincode-refusal';
import { LedgerError } from '../ledger/ledger-error';

/** One call a fake received, with the identity (role) it was made as. */
export interface RecordedLedgerCall {
  readonly role: string;
  readonly operation: 'submit' | 'evaluate' | 'evaluateSystem';
  readonly channel: string;
  readonly transaction: string;
  readonly args: readonly string[];
  /** Submit options, or for an evaluation its options (transient data, own org only). */
  readonly options?: SubmitOptions | EvaluateOptions;
  /** A submit's transaction id (what `ctx.stub.getTxID()` gives the chaincode). */
  readonly transactionId?: string;
}

/**
 * Answers a transaction as the chaincode would: its result text, or throws its refusal as the
 * chaincode does (a {@link ContractError}, whose message is the coded payload).
 */
export type FakeTransactionHandler = (call: RecordedLedgerCall) => string;

/**
 * In-memory stand-in for the org's peer, for unit tests only: answers transactions from scripted
 * {@link FakeLedger.handlers}, streams {@link FakeLedger.events}, records every call, and can be told
 * to fail. A chaincode refusal (a handler's or a queued {@link ContractError}) reaches the caller the
 * way the gateway client delivers a real one: the payload wrapped in the gateway's text, decoded by
 * the same code. A transaction without a handler is refused as fabric-contract-api refuses an unknown one.
 */
export class FakeLedger {
  readonly calls: RecordedLedgerCall[] = [];
  /** Failures handed out, in order, by the next calls (any role, any operation); a ContractError as the chaincode's refusal. */
  readonly failures: Error[] = [];
  reachable = true;
  systemAnswers: Uint8Array[] = [];
  /** qscc answers by transaction name (`GetTransactionByID`), used when no scripted answer is queued. */
  readonly systemHandlers = new Map<string, (args: readonly string[]) => Uint8Array | undefined>();
  /** Scripted answers by transaction name (e.g. `TRANSACTIONS.getConsent`). */
  readonly handlers = new Map<string, FakeTransactionHandler>();
  /** Chaincode events on the ledger, in ledger order; streams deliver those from their start block on, then new ones. */
  readonly events: ChaincodeEvent[] = [];
  /** Event streams opened and closed so far (a test checks that each consumer closes its stream). */
  readonly eventStreams = { opened: 0, closed: 0 };
  /**
   * The id each submit's transaction gets; by default always `c…c`, so tests can tell a record
   * written by this submit from an earlier one. Tests of transactions keyed by their id (Merkle
   * batches) give each submit its own.
   */
  nextTransactionId: () => string = () => 'c'.repeat(64);
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
      submit: (channel, transaction, args, options) =>
        this.submit({ role, operation: 'submit', channel, transaction, args, options }),
      evaluate: (channel, transaction, args, options) =>
        this.evaluate({ role, operation: 'evaluate', channel, transaction, args, options }),
      chaincodeEvents: (_channel, startBlock) => {
        const failure = this.nextFailure();
        return failure ? Promise.reject(failure) : Promise.resolve(this.eventStream(startBlock));
      },
      evaluateSystem: (channel, _chaincode, transaction, args) => {
        this.calls.push({ role, operation: 'evaluateSystem', channel, transaction, args });
        const failure = this.nextFailure();
        if (failure) return Promise.reject(failure);
        const answer = this.systemAnswers.shift() ?? this.systemHandlers.get(transaction)?.(args);
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

  /** The answer of a scripted transaction, or the refusal the caller would see. */
  private answer(call: RecordedLedgerCall): string {
    const handler = this.handlers.get(call.transaction);
    if (handler === undefined)
      throw refusal(new Error(`You've asked to invoke a function that does not exist: ${call.transaction}`));
    try {
      return handler(call);
    } catch (error) {
      throw refusal(error);
    }
  }

  private nextFailure(): Error | undefined {
    const failure = this.failures.shift();
    return failure instanceof ContractError ? refusal(failure) : failure;
  }

  private submit(proposed: RecordedLedgerCall): Promise<SubmitResult> {
    const call = { ...proposed, transactionId: this.nextTransactionId() };
    this.calls.push(call);
    const failure = this.nextFailure();
    if (failure) return Promise.reject(failure);
    try {
      const result = this.answer(call);
      this.block += 1n;
      return Promise.resolve({ result, transactionId: call.transactionId, blockNumber: this.block });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private evaluate(call: RecordedLedgerCall): Promise<string> {
    this.calls.push(call);
    const failure = this.nextFailure();
    if (failure) return Promise.reject(failure);
    try {
      return Promise.resolve(this.answer(call));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/**
 * What the gateway client makes of an error the chaincode threw: its message, wrapped as the gateway
 * wraps it (`chaincode response 500, …`), decoded by the same code as a real endorsement failure.
 */
function refusal(error: unknown): Error {
  if (error instanceof LedgerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return chaincodeRefusal([`chaincode response 500, ${message}`], error) ?? new LedgerError('internal', message);
}
