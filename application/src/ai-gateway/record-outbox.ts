import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OutboxAnswer, OutboxCounts, OutboxRequest, OutboxWorkerData } from './outbox-worker-messages';

/** One record waiting for the ledger: already committed (commitments only, no content). */
export interface OutboxEntry {
  /** The record's qualified id: the idempotency key on the ledger too. */
  readonly id: string;
  readonly channel: string;
  /** The interaction input as the ledger takes it, JSON. */
  readonly record: string;
  readonly createdMs: number;
}

/** The outbox holds its configured maximum of undelivered records. */
export class OutboxFullError extends Error {
  override readonly name = 'OutboxFullError';
}

/** The outbox's worker thread is gone: nothing can be made durable, so nothing is accepted (fail closed). */
export class OutboxUnavailableError extends Error {
  override readonly name = 'OutboxUnavailableError';
}

/**
 * A place in the outbox held for one call from its admission to its record: a call admitted while
 * the outbox had room can always record itself, however many calls were admitted meanwhile.
 */
export interface OutboxReservation {
  /** Appends the call's record into the held place (see {@link RecordOutbox.append}); once. */
  append(entry: OutboxEntry): Promise<void>;
  /** Gives the place back unused (a call refused before it had anything to record); no-op after append. */
  release(): void;
}

/**
 * The worker's script beside this file, an ES module: `.mjs` when built, `.mts` under ts-jest (Node
 * strips the types; the worker imports only Node's own modules at run time).
 */
const WORKER_FILE = join(__dirname, `outbox-worker.m${extname(__filename).slice(1)}`);

interface Asked {
  resolve(answer: Extract<OutboxAnswer, { ok: true }>): void;
  reject(error: Error): void;
}

/**
 * The gateway's durable outbox: an SQLite file (WAL, `synchronous=FULL`) owned by a worker thread
 * (outbox-worker.mts), so that commits and their fsyncs never block the gateway's event loop. Appends
 * made in one turn of the event loop go to the worker in one message; the worker commits everything
 * that arrived while it was busy in one transaction (group commit) and answers each append only after
 * that commit returned, and the caller completes its HTTP answer only after that. Depth, oldest age
 * and refusals are counted by the worker and read here without asking. Delivered records are
 * deleted; a record the ledger refused for good stays, marked, for an operator. If the worker dies,
 * every append not yet answered fails and every later one is refused ({@link OutboxUnavailableError}).
 */
export class RecordOutbox {
  private pending: { entry: OutboxEntry; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushScheduled = false;
  private readonly asked = new Map<number, Asked>();
  private nextRequest = 1;
  private counts: OutboxCounts;
  /** Appends handed to the worker and not answered yet. */
  private appendsInFlight = 0;
  /** Places held by admitted calls that have not appended yet. */
  private reserved = 0;
  private closing = false;
  private failure: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly path: string,
    /** Undelivered records held at most. */
    readonly maxEntries: number,
    counts: OutboxCounts,
  ) {
    this.counts = counts;
    worker.on('message', (answer: OutboxAnswer) => this.answered(answer));
    worker.on('error', (error: Error) => this.fail(`the outbox's worker failed: ${error.message}`));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        if (!this.closing) this.fail(`the outbox's worker exited (code ${code})`);
        resolve();
      }),
    );
  }

  /** Opens (or creates) the outbox file in a new worker thread; resolves once the worker has it open. */
  static async open(path: string, maxEntries: number): Promise<RecordOutbox> {
    const worker = new Worker(WORKER_FILE, { workerData: { path } satisfies OutboxWorkerData });
    const counts = await new Promise<OutboxCounts>((resolve, reject) => {
      const failed = (error: Error): void => reject(error);
      const exited = (code: number): void => reject(new Error(`the outbox's worker exited (code ${code}) at start`));
      worker.once('error', failed);
      worker.once('exit', exited);
      worker.once('message', (first: OutboxAnswer) => {
        worker.off('error', failed);
        worker.off('exit', exited);
        if (first.ok) resolve(first.counts);
        else reject(new Error(first.error));
      });
    });
    return new RecordOutbox(worker, path, maxEntries, counts);
  }

  /** Why the outbox accepts nothing (its worker is gone), or undefined while it works. */
  unavailable(): string | undefined {
    return this.failure;
  }

  /** Undelivered records (appends not yet committed included). */
  depth(): number {
    return this.counts.depth + this.appendsInFlight + this.pending.length;
  }

  /** True when another call could not be given a place: undelivered records and held places fill the bound. */
  full(): boolean {
    return this.depth() + this.reserved >= this.maxEntries;
  }

  /**
   * Holds a place for one call's record, before the call goes upstream.
   * @throws OutboxUnavailableError when the worker is gone
   * @throws OutboxFullError when undelivered records and held places fill the bound
   */
  reserve(): OutboxReservation {
    const refusal = this.refusal();
    if (refusal !== undefined) throw refusal;
    this.reserved += 1;
    let held = true;
    const giveBack = (): boolean => {
      if (!held) return false;
      held = false;
      this.reserved -= 1;
      return true;
    };
    return {
      append: (entry) => (giveBack() ? this.enqueue(entry) : this.append(entry)),
      release: () => {
        giveBack();
      },
    };
  }

  /** Age in ms of the oldest undelivered record on disk, 0 when none. */
  oldestAgeMs(now = Date.now()): number {
    const oldest = this.counts.oldestCreatedMs;
    return oldest === null ? 0 : Math.max(0, now - oldest);
  }

  /**
   * Appends a record durably: resolves after the transaction holding it has committed (fsync).
   * @throws OutboxUnavailableError when the worker is gone (or dies before the commit)
   * @throws OutboxFullError when the outbox holds `maxEntries` undelivered records
   */
  append(entry: OutboxEntry): Promise<void> {
    const refusal = this.refusal();
    return refusal === undefined ? this.enqueue(entry) : Promise.reject(refusal);
  }

  /** The oldest undelivered records, at most `limit`, in the order they were appended. */
  async oldest(limit: number): Promise<OutboxEntry[]> {
    return (await this.ask({ kind: 'oldest', n: 0, limit })).entries ?? [];
  }

  /** Removes records the ledger has committed (or already held). */
  async delivered(ids: readonly string[]): Promise<void> {
    await this.ask({ kind: 'delivered', n: 0, ids });
  }

  /** Marks records the ledger refused for good (kept for an operator, no longer shipped). */
  async refused(ids: readonly string[], reason: string): Promise<void> {
    await this.ask({ kind: 'refused', n: 0, ids, reason });
  }

  /** Records the ledger refused for good. */
  refusedCount(): number {
    return this.counts.refused;
  }

  /** Transactions that appended records since the outbox opened (each one fsync; fewer than appends when grouped). */
  appendCommits(): number {
    return this.counts.appendCommits;
  }

  /** Commits what is queued, closes the file and ends the worker. */
  async close(): Promise<void> {
    if (this.failure === undefined && !this.closing) {
      this.flush();
      const closed = this.ask({ kind: 'close', n: 0 });
      this.closing = true;
      await closed.catch(() => undefined);
    }
    this.closing = true;
    await this.worker.terminate();
    await this.exited;
  }

  /**
   * Ends the worker thread at once, as a crash would: appends not yet answered fail and the outbox
   * refuses everything after (fail closed). For tests of that path.
   */
  async terminateWorker(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }

  /** Why a new record could not be taken now, or undefined when it can. */
  private refusal(): OutboxUnavailableError | OutboxFullError | undefined {
    if (this.failure !== undefined) return new OutboxUnavailableError(this.failure);
    if (this.full()) return new OutboxFullError(`the outbox holds ${this.maxEntries} undelivered records`);
    return undefined;
  }

  /** Queues an append for the next message to the worker, whatever the bound (the caller checked or reserved). */
  private enqueue(entry: OutboxEntry): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(new OutboxUnavailableError(this.failure));
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Hands this turn's appends to the worker in one message. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.appendsInFlight += batch.length;
    this.ask({ kind: 'append', n: 0, entries: batch.map(({ entry }) => entry) }).then(
      () => {
        this.appendsInFlight -= batch.length;
        for (const { resolve } of batch) resolve();
      },
      (error) => {
        this.appendsInFlight -= batch.length;
        for (const { reject } of batch) reject(error);
      },
    );
  }

  private ask(request: OutboxRequest): Promise<Extract<OutboxAnswer, { ok: true }>> {
    if (this.failure !== undefined) return Promise.reject(new OutboxUnavailableError(this.failure));
    if (this.closing) return Promise.reject(new OutboxUnavailableError('the outbox is closed'));
    const n = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.asked.set(n, { resolve, reject });
      this.worker.postMessage({ ...request, n });
    });
  }

  private answered(answer: OutboxAnswer): void {
    const asked = this.asked.get(answer.n);
    if (asked === undefined) return;
    this.asked.delete(answer.n);
    if (!answer.ok) {
      asked.reject(new Error(`outbox: ${answer.error}`));
      return;
    }
    this.counts = answer.counts;
    asked.resolve(answer);
  }

  /** The worker is gone: fail everything waiting on it, refuse everything after. */
  private fail(reason: string): void {
    this.failure ??= reason;
    const error = new OutboxUnavailableError(this.failure);
    for (const asked of this.asked.values()) asked.reject(error);
    this.asked.clear();
    const waiting = this.pending;
    this.pending = [];
    for (const { reject } of waiting) reject(error);
  }
}
