/**
 * The outbox's worker thread: the only owner of the outbox's SQLite file. `node:sqlite` is
 * synchronous and every commit waits for an fsync, so doing it here keeps the gateway's event loop
 * free while the disk works. Appends that arrive while a commit is running are committed together
 * in the next transaction (group commit); each is answered only after the commit holding it returned.
 *
 * Loaded by path (see record-outbox.ts): it imports nothing of ours at run time (type imports are
 * erased), so Node can run it from the built `.mjs` or, in tests, from this `.mts` by type stripping.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { OutboxAnswer, OutboxCounts, OutboxRequest, OutboxWorkerData } from './outbox-worker-messages.js';
import type { OutboxEntry } from './record-outbox.js';

const port = parentPort;
if (port === null) throw new Error('outbox-worker runs as a worker thread only');
const { path } = workerData as OutboxWorkerData;

mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
const db = new DatabaseSync(path);
db.exec('PRAGMA journal_mode = WAL');
// A commit returns only once it is on disk.
db.exec('PRAGMA synchronous = FULL');
db.exec(
  `CREATE TABLE IF NOT EXISTS outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     channel TEXT NOT NULL,
     record TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     refused TEXT
   )`,
);
// The oldest undelivered record's age is asked after every delivery: an index, not a scan.
db.exec('CREATE INDEX IF NOT EXISTS outbox_undelivered_created ON outbox (created_ms) WHERE refused IS NULL');

const insert = db.prepare(
  'INSERT INTO outbox (id, channel, record, created_ms) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
);
const remove = db.prepare('DELETE FROM outbox WHERE id = ? AND refused IS NULL');
const markRefused = db.prepare('UPDATE outbox SET refused = ? WHERE id = ? AND refused IS NULL');
const selectOldest = db.prepare(
  'SELECT id, channel, record, created_ms AS createdMs FROM outbox WHERE refused IS NULL ORDER BY seq LIMIT ?',
);
const selectOldestCreated = db.prepare('SELECT MIN(created_ms) AS oldest FROM outbox WHERE refused IS NULL');

let depth = (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE refused IS NULL').get() as { n: number }).n;
let refused = (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE refused IS NOT NULL').get() as { n: number }).n;
let oldestCreatedMs = (selectOldestCreated.get() as { oldest: number | null }).oldest;
let appendCommits = 0;

function counts(): OutboxCounts {
  return { depth, refused, oldestCreatedMs, appendCommits };
}

function answer(message: OutboxAnswer): void {
  port?.postMessage(message);
}

/** Runs `work` in one transaction; the counts change only if it committed. */
function inTransaction(work: () => () => void): void {
  db.exec('BEGIN IMMEDIATE');
  let apply: () => void;
  try {
    apply = work();
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  apply();
}

/** One transaction and one fsync for every append that arrived since the last commit. */
function appendAll(requests: readonly Extract<OutboxRequest, { kind: 'append' }>[]): void {
  if (requests.length === 0) return;
  try {
    inTransaction(() => {
      let added = 0;
      let oldestAdded: number | null = null;
      for (const { entries } of requests)
        for (const entry of entries) {
          if (Number(insert.run(entry.id, entry.channel, entry.record, entry.createdMs).changes) === 0) continue;
          added += 1;
          if (oldestAdded === null || entry.createdMs < oldestAdded) oldestAdded = entry.createdMs;
        }
      return () => {
        appendCommits += 1;
        depth += added;
        if (oldestAdded !== null && (oldestCreatedMs === null || oldestAdded < oldestCreatedMs))
          oldestCreatedMs = oldestAdded;
      };
    });
  } catch (error) {
    for (const { n } of requests) answer({ n, ok: false, error: String(error) });
    return;
  }
  for (const { n } of requests) answer({ n, ok: true, counts: counts() });
}

/** Takes records out of the undelivered ones: delivered (deleted) or refused for good (marked). */
function settle(request: Extract<OutboxRequest, { kind: 'delivered' | 'refused' }>): void {
  inTransaction(() => {
    let settled = 0;
    for (const id of request.ids)
      settled += Number((request.kind === 'delivered' ? remove.run(id) : markRefused.run(request.reason, id)).changes);
    return () => {
      depth -= settled;
      if (request.kind === 'refused') refused += settled;
      oldestCreatedMs = (selectOldestCreated.get() as { oldest: number | null }).oldest;
    };
  });
}

function handle(request: Exclude<OutboxRequest, { kind: 'append' }>): void {
  try {
    switch (request.kind) {
      case 'oldest': {
        const entries = (selectOldest.all(request.limit) as unknown as OutboxEntry[]).map((row) => ({ ...row }));
        answer({ n: request.n, ok: true, counts: counts(), entries });
        return;
      }
      case 'delivered':
      case 'refused':
        settle(request);
        answer({ n: request.n, ok: true, counts: counts() });
        return;
      case 'close':
        db.close();
        answer({ n: request.n, ok: true, counts: counts() });
        port?.close();
        return;
    }
  } catch (error) {
    answer({ n: request.n, ok: false, error: String(error) });
  }
}

let queue: OutboxRequest[] = [];
let scheduled = false;

/**
 * Everything that arrived meanwhile, in arrival order: each run of appends is one commit; a
 * delivery or refusal is its own commit; reads see what was committed before them.
 */
function work(): void {
  scheduled = false;
  const requests = queue;
  queue = [];
  let appends: Extract<OutboxRequest, { kind: 'append' }>[] = [];
  for (const request of requests) {
    if (request.kind === 'append') {
      appends.push(request);
      continue;
    }
    appendAll(appends);
    appends = [];
    handle(request);
  }
  appendAll(appends);
}

port.on('message', (request: OutboxRequest) => {
  queue.push(request);
  if (scheduled) return;
  scheduled = true;
  // Messages already waiting are delivered before this runs, so they join the same commit.
  setImmediate(work);
});
answer({ n: 0, ok: true, counts: counts() });
