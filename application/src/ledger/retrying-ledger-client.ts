import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryConfig } from '../config';
import type { ChaincodeEventStream } from './chaincode-event';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from './ledger-client';
import { LedgerError } from './ledger-error';

/** Called before each repeat; lets the caller count retries without this class knowing about metrics. */
export type RetryListener = (transaction: string, attempt: number, error: LedgerError) => void;

/**
 * A {@link LedgerClient} that repeats a submit after a transient failure (read conflict, endorsement
 * timeout, peer unavailable) with bounded exponential backoff and jitter — but only when the caller
 * marked the submit idempotent: after a timeout the first attempt may have committed, and repeating a
 * non-idempotent transaction could record it twice. Evaluations are not retried: they are cheap for
 * the client to repeat and a slow peer should surface quickly as 503.
 */
export class RetryingLedgerClient implements LedgerClient {
  constructor(
    private readonly inner: LedgerClient,
    private readonly policy: RetryConfig,
    private readonly onRetry: RetryListener = () => undefined,
    private readonly wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {}

  async submit(
    channel: string,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inner.submit(channel, transaction, args, options);
      } catch (error) {
        const retry =
          options.idempotent === true &&
          error instanceof LedgerError &&
          error.transient &&
          attempt < this.policy.maxAttempts;
        if (!retry) throw error;
        this.onRetry(transaction, attempt, error);
        await this.wait(backoffDelay(this.policy, attempt));
      }
    }
  }

  evaluate(channel: string, transaction: string, args: readonly string[], options?: EvaluateOptions): Promise<string> {
    return this.inner.evaluate(channel, transaction, args, options);
  }

  chaincodeEvents(channel: string, startBlock: bigint | undefined): Promise<ChaincodeEventStream> {
    return this.inner.chaincodeEvents(channel, startBlock);
  }

  evaluateSystem(
    channel: string,
    chaincode: 'qscc',
    transaction: string,
    args: readonly string[],
  ): Promise<Uint8Array> {
    return this.inner.evaluateSystem(channel, chaincode, transaction, args);
  }

  ready(): Promise<boolean> {
    return this.inner.ready();
  }

  close(): void {
    this.inner.close();
  }
}

/**
 * Delay before repeat number `attempt` (1-based): base·2^(attempt−1), capped, then jittered
 * uniformly within [delay/2, delay] so clients that conflicted with each other do not retry in step.
 */
export function backoffDelay(policy: RetryConfig, attempt: number, random: () => number = Math.random): number {
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(delay / 2 + (random() * delay) / 2);
}
