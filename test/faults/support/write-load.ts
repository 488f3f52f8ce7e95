import { setTimeout as sleep } from 'node:timers/promises';
import { interactionRequest } from '../../support/interactions';
import type { RequestPacer } from '../../support/request-pacer';

/** The three ways the REST app writes interactions. */
export type WriteKind = 'single' | 'interactions-batch' | 'merkle-batch';

/** One answer (or failure to answer) the client saw. */
export interface Attempt {
  readonly at: number;
  readonly kind: WriteKind;
  /** HTTP status, or 'network' when no answer came (connection refused or reset, timeout). */
  readonly status: number | 'network';
  readonly retryAfter: string | null;
  readonly problemJson: boolean;
  /** A server error's problem `title: detail`, so a failing scenario says what the app answered. */
  readonly problem?: string;
}

/** A request the app acknowledged (200 or 201), after `attempts` tries. */
export interface Acknowledgement {
  readonly kind: WriteKind;
  /** The records' ids as stored (qualified with the org's MSP id). */
  readonly ids: readonly string[];
  readonly at: number;
  /** From the first try to the acknowledgement, retries included. */
  readonly latencyMs: number;
  readonly attempts: number;
  /** 201 (recorded now) or 200 (already recorded with the same content: an earlier try of it had committed). */
  readonly status: 200 | 201;
}

export interface WriteLoadOptions {
  /** The app's base URL. */
  readonly url: string;
  readonly channel: string;
  /** The org's recorder API key. */
  readonly recorderKey: string;
  /** The org's MSP id: the app stores each bare id as `<mspId>:<id>`. */
  readonly mspId: string;
  /** Prefix of every id, unique per run and load. */
  readonly runId: string;
  /** Concurrent writers per kind (single writers are what the app gathers into Merkle batches). */
  readonly writers?: Readonly<Partial<Record<WriteKind, number>>>;
  readonly recordsPerBatch?: number;
  readonly requestTimeoutMs?: number;
  /** Spaces new requests at a fixed rate over all writers (retries are not paced); unpaced: each writer sends on acknowledgement. */
  readonly pace?: RequestPacer;
}

/** What the load saw once stopped. */
export interface LoadReport {
  readonly acknowledged: readonly Acknowledgement[];
  readonly attempts: readonly Attempt[];
  /** Requests given up when the drain ended (not acknowledged): their ids. */
  readonly unacknowledged: readonly string[];
  /** 409 answers (a replay with the same content must never get one) and other 4xx: what they said. */
  readonly refused: readonly string[];
  /** Every id sent at least once, acknowledged or not. */
  readonly sent: readonly string[];
}

interface Request {
  readonly kind: WriteKind;
  readonly path: string;
  readonly body: string;
  readonly ids: readonly string[];
}

const PATHS: Record<WriteKind, (channel: string) => string> = {
  single: (channel) => `/api/v1/channels/${channel}/interactions`,
  'interactions-batch': (channel) => `/api/v1/channels/${channel}/interactions/batch`,
  'merkle-batch': (channel) => `/api/v1/channels/${channel}/batches`,
};

/** A Retry-After of more than this is shortened: the suite has minutes, not hours. */
const MAX_RETRY_WAIT_MS = 2_000;
/** Wait before retrying when the answer named no Retry-After (connection refused, reset, 5xx). */
const DEFAULT_RETRY_WAIT_MS = 250;

/**
 * A steady write load through one org's REST app that behaves like a careful client: each request
 * carries fresh ids and is retried, byte for byte (ids are idempotency keys), after every answer
 * that is not an acknowledgement (no answer, 5xx, 429) until the app acknowledges it (201, or 200
 * "already recorded with the same content"). A 409 or other 4xx is final and reported: for a retry
 * with the same content it would be a bug.
 */
export class WriteLoad {
  private running = false;
  private drainUntil = Number.POSITIVE_INFINITY;
  private counter = 0;
  private readonly workers: Promise<void>[] = [];
  private readonly acknowledged: Acknowledgement[] = [];
  private readonly attempts: Attempt[] = [];
  private readonly unacknowledged: string[] = [];
  private readonly refused: string[] = [];
  private readonly sent: string[] = [];

  constructor(private readonly options: WriteLoadOptions) {}

  /** Starts the writers; each sends its next request once the previous one is acknowledged. */
  start(): void {
    this.running = true;
    const writers = { single: 6, 'interactions-batch': 1, 'merkle-batch': 1, ...this.options.writers };
    for (const kind of Object.keys(writers) as WriteKind[])
      for (let i = 0; i < writers[kind]; i++) this.workers.push(this.writer(kind));
  }

  /** Acknowledgements so far. */
  acknowledgedCount(): number {
    return this.acknowledged.length;
  }

  /** Acknowledgements after `since` (Date.now() value). */
  acknowledgedSince(since: number): Acknowledgement[] {
    return this.acknowledged.filter((ack) => ack.at >= since);
  }

  /** Answers seen after `since`. */
  attemptsSince(since: number): Attempt[] {
    return this.attempts.filter((attempt) => attempt.at >= since);
  }

  /** Waits until `count` more requests are acknowledged than now, failing after `timeoutMs`. */
  async waitForAcknowledgements(count: number, timeoutMs: number): Promise<void> {
    const target = this.acknowledged.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged.length < target) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.acknowledged.length} of ${target} acknowledgements within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /**
   * Stops sending new requests and retries the outstanding ones for up to `drainMs` (the faults
   * are healed by then); returns what the load saw.
   */
  async stop(drainMs: number): Promise<LoadReport> {
    this.running = false;
    this.drainUntil = Date.now() + drainMs;
    await Promise.all(this.workers);
    return {
      acknowledged: this.acknowledged,
      attempts: this.attempts,
      unacknowledged: this.unacknowledged,
      refused: this.refused,
      sent: this.sent,
    };
  }

  private async writer(kind: WriteKind): Promise<void> {
    while (this.running) {
      await this.options.pace?.turn();
      if (!this.running) return;
      await this.deliver(this.nextRequest(kind));
    }
  }

  private nextRequest(kind: WriteKind): Request {
    const count = kind === 'single' ? 1 : (this.options.recordsPerBatch ?? 5);
    const records = Array.from({ length: count }, () =>
      interactionRequest(`${this.options.runId}-${kind}-${this.counter++}`, { applicationId: 'faults' }),
    );
    const body = kind === 'single' ? records[0] : { records };
    return {
      kind,
      path: PATHS[kind](this.options.channel),
      body: JSON.stringify(body),
      ids: records.map((record) => `${this.options.mspId}:${String(record.id)}`),
    };
  }

  private async deliver(request: Request): Promise<void> {
    const first = Date.now();
    this.sent.push(...request.ids);
    for (let attempt = 1; ; attempt++) {
      if (Date.now() > this.drainUntil) {
        this.unacknowledged.push(...request.ids);
        return;
      }
      let status: number | 'network' = 'network';
      let retryAfter: string | null = null;
      let problemJson = false;
      let text = '';
      try {
        const response = await fetch(`${this.options.url}${request.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.recorderKey}` },
          body: request.body,
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        problemJson = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
        // Read to the end: an unread body can tear down a pooled connection another request uses.
        text = await response.text();
      } catch {
        // No answer (refused, reset, timed out): not acknowledged, so sent again.
      }
      const at = Date.now();
      this.attempts.push({
        at,
        kind: request.kind,
        status,
        retryAfter,
        problemJson,
        ...(typeof status === 'number' && status >= 500 ? { problem: problemSummary(text) } : {}),
      });
      if (status === 200 || status === 201) {
        this.acknowledged.push({
          kind: request.kind,
          ids: request.ids,
          at,
          latencyMs: at - first,
          attempts: attempt,
          status,
        });
        return;
      }
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) {
        this.refused.push(`${status} for ${request.ids.join(',')}: ${text}`);
        return;
      }
      const seconds = Number(retryAfter);
      await sleep(
        retryAfter !== null && Number.isFinite(seconds)
          ? Math.min(seconds * 1000, MAX_RETRY_WAIT_MS)
          : DEFAULT_RETRY_WAIT_MS,
      );
    }
  }
}

/** `title: detail` of a problem+json body, or the body's first 200 characters. */
function problemSummary(text: string): string {
  try {
    const problem = JSON.parse(text) as { title?: unknown; detail?: unknown };
    return `${String(problem.title)}: ${String(problem.detail)}`;
  } catch {
    return text.slice(0, 200);
  }
}
