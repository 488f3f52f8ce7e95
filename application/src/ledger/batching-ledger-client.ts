import { LIMITS, TRANSACTIONS } from '@aal/ledger-contract';
import type { ChaincodeEventStream } from './chaincode-event';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from './ledger-client';
import { LedgerError } from './ledger-error';

/** How single-record submits are gathered into batches (AAL_INTERACTION_BATCH_* in docs/operations.md). */
export interface InteractionBatchingConfig {
  /** Records per batch transaction; 1 turns batching off. At most `LIMITS.interactionBatchRecords`. */
  readonly maxRecords: number;
  /** How long the first record of a batch waits for others before the batch is sent. */
  readonly lingerMs: number;
}

/** Called when a batch is sent, with how many records it carries (for metrics). */
export type BatchListener = (channel: string, records: number) => void;

const SINGLE = TRANSACTIONS.recordInteraction;
const BATCH = TRANSACTIONS.recordInteractions;
/** A batch stays one record's size below the contract's byte limit of `RecordInteractions`. */
const MAX_BATCH_ARGUMENT_BYTES = LIMITS.interactionBatchBytes - LIMITS.interactionBytes;

interface Waiting {
  readonly id: string;
  readonly json: string;
  readonly bytes: number;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface OpenBatch {
  readonly waiting: Waiting[];
  readonly ids: Set<string>;
  bytes: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * A {@link LedgerClient} that gathers concurrent `Interactions:RecordInteraction` submits on a
 * channel into one `Interactions:RecordInteractions` transaction — up to `maxRecords`, or whatever
 * arrived within `lingerMs` of the first — and answers each caller with its own record from the
 * committed batch, exactly as the single-record transaction would have: same stored record (its
 * `txId` is the batch's), same write-once semantics. Every caller is answered only after the batch
 * commits, so an acknowledged record is on the ledger.
 *
 * A batch is all or nothing in the chaincode, so one refused record (a conflict, a field the
 * chaincode rejects) would fail its neighbours: when the batch is refused for any non-transient
 * reason it is split in halves until the refused record stands alone, so its caller gets the
 * single-record transaction's own refusal and every other caller its record. A transient
 * failure that outlasted the retries fails every caller with it (none of them was acknowledged).
 * The same id twice starts a new batch, since a batch may not hold duplicates.
 *
 * Records stay the same wherever they went, so reads and audit queries cannot tell the two paths
 * apart; only the block shows `RecordInteractions`.
 *
 * @example
 * ```ts
 * const ledger = new BatchingLedgerClient(retrying, { maxRecords: 100, lingerMs: 10 });
 * await ledger.submit('hospital-a', TRANSACTIONS.recordInteraction, [JSON.stringify(record)], { idempotent: true });
 * ```
 */
export class BatchingLedgerClient implements LedgerClient {
  private readonly open = new Map<string, OpenBatch>();

  constructor(
    private readonly inner: LedgerClient,
    private readonly config: InteractionBatchingConfig,
    private readonly onBatch: BatchListener = () => undefined,
  ) {
    if (
      !Number.isInteger(config.maxRecords) ||
      config.maxRecords < 1 ||
      config.maxRecords > LIMITS.interactionBatchRecords
    ) {
      throw new RangeError(`maxRecords must be a whole number from 1 to ${LIMITS.interactionBatchRecords}`);
    }
    if (!Number.isInteger(config.lingerMs) || config.lingerMs < 0)
      throw new RangeError('lingerMs must be a whole number ≥ 0');
  }

  submit(
    channel: string,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const json = args[0];
    const id = transaction === SINGLE && args.length === 1 && json !== undefined ? recordIdOf(json) : undefined;
    // Only plain, retry-safe single records are gathered; anything else (or a record whose id the
    // chaincode will refuse anyway) goes through unchanged.
    if (
      this.config.maxRecords === 1 ||
      id === undefined ||
      json === undefined ||
      options.transient !== undefined ||
      options.idempotent !== true
    ) {
      return this.inner.submit(channel, transaction, args, options);
    }
    return new Promise<SubmitResult>((resolve, reject) => {
      this.enqueue(channel, { id, json, bytes: Buffer.byteLength(json) + 1, resolve, reject });
    });
  }

  evaluate(channel: string, transaction: string, args: readonly string[], options?: EvaluateOptions): Promise<string> {
    return this.inner.evaluate(channel, transaction, args, options);
  }

  evaluateSystem(
    channel: string,
    chaincode: 'qscc',
    transaction: string,
    args: readonly string[],
  ): Promise<Uint8Array> {
    return this.inner.evaluateSystem(channel, chaincode, transaction, args);
  }

  chaincodeEvents(channel: string, startBlock: bigint | undefined): Promise<ChaincodeEventStream> {
    return this.inner.chaincodeEvents(channel, startBlock);
  }

  ready(): Promise<boolean> {
    return this.inner.ready();
  }

  /** Fails records still waiting for their batch (none was acknowledged), then closes the inner client. */
  close(): void {
    for (const [channel, batch] of this.open) {
      clearTimeout(batch.timer);
      this.open.delete(channel);
      const error = new LedgerError('unavailable', 'the application is shutting down; the record was not submitted', {
        transient: true,
      });
      for (const waiting of batch.waiting) waiting.reject(error);
    }
    this.inner.close();
  }

  private enqueue(channel: string, waiting: Waiting): void {
    let batch = this.open.get(channel);
    if (batch !== undefined && (batch.ids.has(waiting.id) || batch.bytes + waiting.bytes > MAX_BATCH_ARGUMENT_BYTES)) {
      this.send(channel);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = {
        waiting: [],
        ids: new Set(),
        bytes: 2,
        timer: setTimeout(() => this.send(channel), this.config.lingerMs),
      };
      this.open.set(channel, batch);
    }
    batch.waiting.push(waiting);
    batch.ids.add(waiting.id);
    batch.bytes += waiting.bytes;
    if (batch.waiting.length >= this.config.maxRecords) this.send(channel);
  }

  private send(channel: string): void {
    const batch = this.open.get(channel);
    if (batch === undefined) return;
    this.open.delete(channel);
    clearTimeout(batch.timer);
    this.onBatch(channel, batch.waiting.length);
    void this.submitBatch(channel, batch.waiting);
  }

  /**
   * Submits the records as one transaction; when the chaincode refuses it, halves it and tries each
   * half, so a refused record costs about 2·log2(n) extra transactions and its neighbours still
   * share theirs.
   */
  private async submitBatch(channel: string, waiting: readonly Waiting[]): Promise<void> {
    if (waiting.length === 1) {
      const [only] = waiting as [Waiting];
      await this.submitAlone(channel, only);
      return;
    }
    let submitted: SubmitResult;
    try {
      submitted = await this.inner.submit(channel, BATCH, [`[${waiting.map((entry) => entry.json).join(',')}]`], {
        idempotent: true,
      });
    } catch (error) {
      if (error instanceof LedgerError && !error.transient) {
        const half = Math.ceil(waiting.length / 2);
        await Promise.all([
          this.submitBatch(channel, waiting.slice(0, half)),
          this.submitBatch(channel, waiting.slice(half)),
        ]);
      } else {
        for (const entry of waiting) entry.reject(error);
      }
      return;
    }
    let records: unknown[];
    try {
      records = (JSON.parse(submitted.result) as { records: unknown[] }).records;
      if (!Array.isArray(records) || records.length !== waiting.length)
        throw new Error(`expected ${waiting.length} records`);
    } catch (error) {
      const failure = new LedgerError(
        'internal',
        `RecordInteractions answered in an unexpected shape: ${String(error)}`,
        { cause: error },
      );
      for (const entry of waiting) entry.reject(failure);
      return;
    }
    for (const [index, entry] of waiting.entries()) {
      entry.resolve({
        result: JSON.stringify(records[index]),
        transactionId: submitted.transactionId,
        blockNumber: submitted.blockNumber,
      });
    }
  }

  private async submitAlone(channel: string, entry: Waiting): Promise<void> {
    try {
      entry.resolve(await this.inner.submit(channel, SINGLE, [entry.json], { idempotent: true }));
    } catch (error) {
      entry.reject(error);
    }
  }
}

/** The record's `id` when the argument is a JSON object with a string id; otherwise undefined. */
function recordIdOf(json: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const id = (parsed as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
