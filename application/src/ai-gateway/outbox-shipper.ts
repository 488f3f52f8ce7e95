import type { Logger } from 'pino';
import { recordBatch } from '../interactions/batch-ledger';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import { OutboxUnavailableError, type OutboxEntry, type RecordOutbox } from './record-outbox';

/** How the shipper paces itself. */
export interface ShipperOptions {
  /** Records per Merkle batch transaction. */
  readonly batchRecords: number;
  /** Pause between looks at an empty outbox. */
  readonly idleMs?: number;
  /** Backoff after the ledger could not be reached, doubling up to `maxBackoffMs`. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** What one look at the outbox did: shipped records, found none, or could not reach the ledger. */
type ShipOutcome = 'shipped' | 'idle' | 'failed';

/**
 * Failures the same batch may overcome later: the ledger unreachable, a read conflict with a
 * concurrent transaction (the error says so itself), or a failure not understood.
 */
function transient(error: unknown): boolean {
  return (
    !(error instanceof LedgerError) || error.transient || error.kind === 'unavailable' || error.kind === 'internal'
  );
}

/**
 * A final refusal of the whole transaction, whatever records it carries: the peers refused the
 * caller's identity (not the chaincode: it names no code), or invalidated the transaction at commit
 * for something other than a read conflict (an endorsement policy failure…). Halving such a batch
 * would set every record aside one by one; the records stay and the shipper tries again later.
 */
function refusesTheTransaction(error: unknown): boolean {
  return (
    error instanceof LedgerError &&
    ((error.kind === 'forbidden' && error.code === undefined) || error.validationCode !== undefined)
  );
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Ships the outbox to the ledger: the oldest records, per channel, in one `RecordBatch` (Merkle
 * batch) transaction; removed from the outbox only after that transaction committed. A record the
 * ledger already holds (a resend after a crash between commit and removal) is answered as
 * `alreadyRecorded` by the chaincode and written nowhere twice: its id is the idempotency key.
 * While the ledger is unreachable the shipper backs off and the outbox grows; a batch refused for
 * good is halved until the refused records stand alone, so that only they are set aside and one
 * bad record among n costs about 2·log2(n) transactions, not n.
 */
export class OutboxShipper {
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  /** Time of the last successful commit (ms), for /readyz. */
  lastDeliveryMs: number | undefined;
  /** The last transient failure's message, cleared by the next success. */
  lastFailure: string | undefined;
  /** When the batch transaction now awaited was sent (ms), for /readyz; undefined between batches. */
  private batchSentMs: number | undefined;

  constructor(
    private readonly outbox: RecordOutbox,
    private readonly ledger: LedgerClient,
    private readonly logger: Logger,
    private readonly options: ShipperOptions,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** How long the batch transaction now awaited has been waiting (ms), or undefined between batches. */
  batchInFlightMs(now = Date.now()): number | undefined {
    return this.batchSentMs === undefined ? undefined : now - this.batchSentMs;
  }

  /** Nudges an idle shipper after an append. */
  notify(): void {
    this.wake?.();
  }

  /** Stops after the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** Ships until the outbox is empty (tests, shutdown); returns false if the ledger failed meanwhile. */
  async drain(): Promise<boolean> {
    for (;;) {
      const outcome = await this.shipOnce();
      if (outcome === 'failed') return false;
      if (outcome === 'idle') return true;
    }
  }

  private async loop(): Promise<void> {
    const baseBackoff = this.options.baseBackoffMs ?? 200;
    let backoff = baseBackoff;
    while (!this.stopped) {
      let outcome: ShipOutcome;
      try {
        outcome = await this.shipOnce();
      } catch (error) {
        if (error instanceof OutboxUnavailableError) {
          // Nothing can be read or marked any more; the gateway refuses calls and /readyz says why.
          this.logger.error({ err: { message: error.message } }, 'ai gateway: the outbox is gone; the shipper stops');
          return;
        }
        this.logger.error({ err: { message: String(error) } }, 'ai gateway: the outbox shipper failed unexpectedly');
        outcome = 'failed';
      }
      if (outcome === 'shipped') {
        backoff = baseBackoff;
        continue;
      }
      if (outcome === 'idle') {
        backoff = baseBackoff;
        await this.sleep(this.options.idleMs ?? 200);
        continue;
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5_000);
    }
  }

  /** One batch per channel of the oldest records. */
  private async shipOnce(): Promise<ShipOutcome> {
    const entries = await this.outbox.oldest(this.options.batchRecords);
    if (entries.length === 0) return 'idle';
    const byChannel = new Map<string, OutboxEntry[]>();
    for (const entry of entries) byChannel.set(entry.channel, [...(byChannel.get(entry.channel) ?? []), entry]);
    for (const [channel, batch] of byChannel) if (!(await this.shipBatch(channel, batch))) return 'failed';
    return 'shipped';
  }

  private async shipBatch(channel: string, entries: readonly OutboxEntry[]): Promise<boolean> {
    const readable = await this.setAsideUnreadable(entries);
    if (readable.length === 0) return true;
    const batch = readable.map(({ entry }) => entry);
    const records = readable.map(({ record }) => record);
    let written: Awaited<ReturnType<typeof recordBatch>>;
    this.batchSentMs = Date.now();
    try {
      written = await recordBatch(this.ledger, channel, records);
    } catch (error) {
      return this.failed(channel, batch, error);
    } finally {
      this.batchSentMs = undefined;
    }
    await this.outbox.delivered(batch.map((entry) => entry.id));
    this.lastDeliveryMs = Date.now();
    this.lastFailure = undefined;
    this.logger.debug(
      {
        channel,
        records: batch.length,
        transactionId: written.transactionId,
        already: written.summary.alreadyRecorded.length,
      },
      'ai gateway: outbox batch on the ledger',
    );
    return true;
  }

  /** After a failed batch: keep it (transient, or the whole transaction refused), or halve it to find the refused records. */
  private async failed(channel: string, batch: readonly OutboxEntry[], error: unknown): Promise<boolean> {
    if (transient(error) || refusesTheTransaction(error)) {
      this.lastFailure = messageOf(error);
      const entry = { channel, records: batch.length, err: { message: this.lastFailure } };
      if (!transient(error))
        this.logger.error(entry, 'ai gateway: the ledger refused the whole transaction; the outbox keeps the records');
      else if (error instanceof LedgerError && error.kind === 'conflict')
        this.logger.warn(entry, 'ai gateway: the batch met a read conflict; it is sent again');
      else this.logger.warn(entry, 'ai gateway: ledger unreachable; the outbox keeps the records');
      return false;
    }
    if (batch.length > 1) {
      // All or nothing: halve it, so the halves without a refused record go through whole.
      const half = Math.ceil(batch.length / 2);
      this.logger.warn(
        { channel, records: batch.length, err: { message: messageOf(error) } },
        'ai gateway: the ledger refused a batch; shipping it in halves to find the refused records',
      );
      return (
        (await this.shipBatch(channel, batch.slice(0, half))) && (await this.shipBatch(channel, batch.slice(half)))
      );
    }
    const reason = error instanceof LedgerError ? `${error.kind}: ${error.message}` : String(error);
    await this.outbox.refused(
      batch.map((entry) => entry.id),
      reason,
    );
    this.logger.error(
      { channel, id: batch[0]?.id, reason },
      'ai gateway: the ledger refused a record; set aside in the outbox',
    );
    return true;
  }

  /** Sets aside entries whose stored record is not JSON (nothing the ledger could take); returns the others, parsed. */
  private async setAsideUnreadable(entries: readonly OutboxEntry[]): Promise<{ entry: OutboxEntry; record: object }[]> {
    const readable: { entry: OutboxEntry; record: object }[] = [];
    for (const entry of entries) {
      try {
        readable.push({ entry, record: JSON.parse(entry.record) as object });
      } catch {
        await this.outbox.refused([entry.id], 'unreadable: the stored record is not JSON');
        this.logger.error({ id: entry.id }, 'ai gateway: an outbox record is unreadable; set aside in the outbox');
      }
    }
    return readable;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
