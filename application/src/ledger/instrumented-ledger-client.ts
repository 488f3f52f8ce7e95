import type { AppMetrics } from '../observability/metrics';
import type { ChaincodeEventStream } from './chaincode-event';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from './ledger-client';
import { LedgerError } from './ledger-error';
import type { OrderingOutcomes } from '../readiness/ordering-outcomes';

/**
 * A {@link LedgerClient} that times every call into the ledger latency histogram, by outcome, and
 * tells `ordering` (for /readyz) whether each submit was ordered.
 */
export class InstrumentedLedgerClient implements LedgerClient {
  constructor(
    private readonly inner: LedgerClient,
    private readonly metrics: AppMetrics,
    private readonly ordering?: OrderingOutcomes,
  ) {}

  submit(
    channel: string,
    transaction: string,
    args: readonly string[],
    options?: SubmitOptions,
  ): Promise<SubmitResult> {
    return this.timed('submit', transaction, async () => {
      const settled = this.ordering?.started(channel);
      try {
        const result = await this.inner.submit(channel, transaction, args, options);
        this.ordering?.ordered(channel);
        return result;
      } catch (error) {
        if (error instanceof LedgerError && error.notOrdered) this.ordering?.refused(channel, error.message);
        // A refusal that is not transient (the chaincode said no, an MVCC conflict) is an answer.
        else if (error instanceof LedgerError && !error.transient) this.ordering?.answered(channel);
        throw error;
      } finally {
        settled?.();
      }
    });
  }

  evaluate(channel: string, transaction: string, args: readonly string[], options?: EvaluateOptions): Promise<string> {
    return this.timed('evaluate', transaction, () => this.inner.evaluate(channel, transaction, args, options));
  }

  /** Timed until the stream opens: a live stream has no duration worth a histogram. */
  chaincodeEvents(channel: string, startBlock: bigint | undefined): Promise<ChaincodeEventStream> {
    return this.timed('evaluate', 'chaincodeEvents', () => this.inner.chaincodeEvents(channel, startBlock));
  }

  evaluateSystem(
    channel: string,
    chaincode: 'qscc',
    transaction: string,
    args: readonly string[],
  ): Promise<Uint8Array> {
    return this.timed('evaluate', `${chaincode}:${transaction}`, () =>
      this.inner.evaluateSystem(channel, chaincode, transaction, args),
    );
  }

  ready(): Promise<boolean> {
    return this.inner.ready();
  }

  close(): void {
    this.inner.close();
  }

  private async timed<T>(operation: 'submit' | 'evaluate', transaction: string, call: () => Promise<T>): Promise<T> {
    const stop = this.metrics.ledgerDuration.startTimer({ operation, transaction });
    try {
      const result = await call();
      stop({ outcome: 'ok' });
      return result;
    } catch (error) {
      const kind = error instanceof LedgerError ? error.kind : 'internal';
      stop({ outcome: kind });
      this.metrics.errors.inc({ source: 'ledger', kind });
      throw error;
    }
  }
}
