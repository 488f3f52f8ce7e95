import type { OutboxEntry } from './record-outbox';

/**
 * What the outbox's worker thread is asked (see outbox-worker.mts). Every request carries a number
 * the answer repeats; the worker answers in the order it was asked.
 */
export type OutboxRequest =
  | { readonly kind: 'append'; readonly n: number; readonly entries: readonly OutboxEntry[] }
  | { readonly kind: 'oldest'; readonly n: number; readonly limit: number }
  | { readonly kind: 'delivered'; readonly n: number; readonly ids: readonly string[] }
  | { readonly kind: 'refused'; readonly n: number; readonly ids: readonly string[]; readonly reason: string }
  | { readonly kind: 'close'; readonly n: number };

/** The outbox's counts after a request, so that the gateway's thread can read them without asking. */
export interface OutboxCounts {
  /** Undelivered records on disk. */
  readonly depth: number;
  /** Records the ledger refused for good. */
  readonly refused: number;
  /** `createdMs` of the oldest undelivered record, null when none. */
  readonly oldestCreatedMs: number | null;
  /** Transactions that appended records since the worker started: appends per commit show the grouping. */
  readonly appendCommits: number;
}

/** The worker's answer to one request (or, with n = 0, its first message: the file is open). */
export type OutboxAnswer =
  | { readonly n: number; readonly ok: true; readonly counts: OutboxCounts; readonly entries?: OutboxEntry[] }
  | { readonly n: number; readonly ok: false; readonly error: string };

/** What the worker is started with. */
export interface OutboxWorkerData {
  readonly path: string;
}
