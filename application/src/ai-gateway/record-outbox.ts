import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

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
 * The gateway's durable outbox: an SQLite file (WAL, `synchronous=FULL`, so a commit is on disk
 * when it returns) holding each call's record until the shipper has it on the ledger. Appends
 * made in the same turn of the event loop share one transaction and one fsync (group commit); an
 * append resolves only after its commit, and the caller completes its HTTP answer after that.
 * Delivered records are deleted; a record the ledger refused for good stays, marked, for an operator.
 */
export class RecordOutbox {
  private readonly db: DatabaseSync;
  private pending: { entry: OutboxEntry; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushScheduled = false;
  private depthCache: number;
  /** Places held by admitted calls that have not appended yet. */
  private reserved = 0;

  constructor(
    readonly path: string,
    /** Undelivered records held at most. */
    readonly maxEntries: number,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS outbox (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         id TEXT NOT NULL UNIQUE,
         channel TEXT NOT NULL,
         record TEXT NOT NULL,
         created_ms INTEGER NOT NULL,
         refused TEXT
       )`,
    );
    this.depthCache = this.countUndelivered();
  }

  /** Undelivered records (queued appends included). */
  depth(): number {
    return this.depthCache + this.pending.length;
  }

  /** True when another call could not be given a place: undelivered records and held places fill the bound. */
  full(): boolean {
    return this.depth() + this.reserved >= this.maxEntries;
  }

  /**
   * Holds a place for one call's record, before the call goes upstream.
   * @throws OutboxFullError when undelivered records and held places fill the bound
   */
  reserve(): OutboxReservation {
    if (this.full()) throw new OutboxFullError(`the outbox holds ${this.maxEntries} undelivered records`);
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

  /** Age in ms of the oldest undelivered record, 0 when none. */
  oldestAgeMs(now = Date.now()): number {
    const row = this.db.prepare('SELECT MIN(created_ms) AS oldest FROM outbox WHERE refused IS NULL').get() as
      { oldest: number | null } | undefined;
    return row?.oldest === null || row?.oldest === undefined ? 0 : Math.max(0, now - row.oldest);
  }

  /**
   * Appends a record durably: resolves after the transaction holding it has committed (fsync).
   * @throws OutboxFullError when the outbox holds `maxEntries` undelivered records
   */
  append(entry: OutboxEntry): Promise<void> {
    if (this.full())
      return Promise.reject(new OutboxFullError(`the outbox holds ${this.maxEntries} undelivered records`));
    return this.enqueue(entry);
  }

  /** Queues an append for the next group commit, whatever the bound (the caller checked or reserved). */
  private enqueue(entry: OutboxEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** The oldest undelivered records, at most `limit`. */
  oldest(limit: number): OutboxEntry[] {
    return (
      this.db
        .prepare(
          'SELECT id, channel, record, created_ms AS createdMs FROM outbox WHERE refused IS NULL ORDER BY seq LIMIT ?',
        )
        .all(limit) as unknown as OutboxEntry[]
    ).map((row) => ({ ...row }));
  }

  /** Removes records the ledger has committed (or already held). */
  delivered(ids: readonly string[]): void {
    this.inTransaction(() => {
      const remove = this.db.prepare('DELETE FROM outbox WHERE id = ?');
      for (const id of ids) remove.run(id);
    });
    this.depthCache = this.countUndelivered();
  }

  /** Marks records the ledger refused for good (kept for an operator, no longer shipped). */
  refused(ids: readonly string[], reason: string): void {
    this.inTransaction(() => {
      const mark = this.db.prepare('UPDATE outbox SET refused = ? WHERE id = ?');
      for (const id of ids) mark.run(reason, id);
    });
    this.depthCache = this.countUndelivered();
  }

  /** Records the ledger refused for good. */
  refusedCount(): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE refused IS NOT NULL').get() as { n: number };
    return row.n;
  }

  close(): void {
    this.db.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.inTransaction(() => {
        const insert = this.db.prepare(
          'INSERT INTO outbox (id, channel, record, created_ms) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
        );
        for (const { entry } of batch) insert.run(entry.id, entry.channel, entry.record, entry.createdMs);
      });
      this.depthCache += batch.length;
      for (const { resolve } of batch) resolve();
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }

  private inTransaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private countUndelivered(): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE refused IS NULL').get() as { n: number };
    return row.n;
  }
}
