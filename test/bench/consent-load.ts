import { setTimeout as sleep } from 'node:timers/promises';

/** One consent grant the app acknowledged (200 or 201). */
export interface ConsentAcknowledgement {
  /** The consent's id as stored (qualified with the org's MSP id). */
  readonly id: string;
  readonly at: number;
  readonly latencyMs: number;
}

/** One answer (or none) a consent writer saw. */
export interface ConsentAttempt {
  readonly at: number;
  readonly status: number | 'network';
  readonly retryAfter: string | null;
}

export interface ConsentLoadOptions {
  readonly url: string;
  readonly channel: string;
  /** The org's consent-manager API key. */
  readonly consentManagerKey: string;
  readonly mspId: string;
  readonly runId: string;
  readonly writers: number;
}

/** What the consent load saw once stopped. */
export interface ConsentLoadReport {
  readonly acknowledged: readonly ConsentAcknowledgement[];
  readonly attempts: readonly ConsentAttempt[];
  /** Ids never acknowledged before the drain ended. */
  readonly unacknowledged: readonly string[];
  /** Final 4xx answers: a retried grant with the same content must never get one. */
  readonly refused: readonly string[];
}

/** A placeholder policy commitment: the soak measures the ledger, not the policy's content. */
const POLICY_COMMITMENT = `hmac-sha256:${'1'.repeat(64)}`;

/**
 * Consent grants through one org's REST app for one registered subject, each with a fresh id and
 * retried byte for byte (the id is the idempotency key) after every answer that is not an
 * acknowledgement, as the interaction write load does.
 */
export class ConsentLoad {
  private running = false;
  private drainUntil = Number.POSITIVE_INFINITY;
  private counter = 0;
  private subjectRef = '';
  private readonly workers: Promise<void>[] = [];
  private readonly acknowledged: ConsentAcknowledgement[] = [];
  private readonly attempts: ConsentAttempt[] = [];
  private readonly unacknowledged: string[] = [];
  private readonly refused: string[] = [];

  constructor(private readonly options: ConsentLoadOptions) {}

  /** Registers the subject the grants are about, then starts the writers. */
  async start(): Promise<void> {
    const registered = await fetch(`${this.options.url}/api/v1/channels/${this.options.channel}/subjects`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify({ identifier: `MRN-${this.options.runId}` }),
    });
    if (registered.status !== 201 && registered.status !== 200)
      throw new Error(`registering the soak's subject answered ${registered.status}: ${await registered.text()}`);
    this.subjectRef = String(((await registered.json()) as { subjectRef?: string }).subjectRef);
    this.running = true;
    for (let i = 0; i < this.options.writers; i++) this.workers.push(this.writer());
  }

  acknowledgedSince(since: number): ConsentAcknowledgement[] {
    return this.acknowledged.filter((ack) => ack.at >= since);
  }

  attemptsSince(since: number): ConsentAttempt[] {
    return this.attempts.filter((attempt) => attempt.at >= since);
  }

  /** Stops new grants and retries the outstanding ones for up to `drainMs`. */
  async stop(drainMs: number): Promise<ConsentLoadReport> {
    this.running = false;
    this.drainUntil = Date.now() + drainMs;
    await Promise.all(this.workers);
    return {
      acknowledged: this.acknowledged,
      attempts: this.attempts,
      unacknowledged: this.unacknowledged,
      refused: this.refused,
    };
  }

  private headers(): Record<string, string> {
    return { 'content-type': 'application/json', authorization: `Bearer ${this.options.consentManagerKey}` };
  }

  private async writer(): Promise<void> {
    while (this.running) {
      const id = `${this.options.runId}-consent-${this.counter++}`;
      const body = JSON.stringify({
        id,
        subjectRef: this.subjectRef,
        grantees: ['AIProviderMSP'],
        decision: 'permit',
        purposes: ['ai-inference'],
        period: { start: '2025-01-01T00:00:00Z' },
        policyCommitment: POLICY_COMMITMENT,
        jurisdiction: 'DE',
      });
      await this.deliver(`${this.options.mspId}:${id}`, body);
    }
  }

  private async deliver(id: string, body: string): Promise<void> {
    const first = Date.now();
    for (;;) {
      if (Date.now() > this.drainUntil) {
        this.unacknowledged.push(id);
        return;
      }
      let status: number | 'network' = 'network';
      let retryAfter: string | null = null;
      let text = '';
      try {
        const response = await fetch(`${this.options.url}/api/v1/channels/${this.options.channel}/consents`, {
          method: 'POST',
          headers: this.headers(),
          body,
          signal: AbortSignal.timeout(30_000),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        text = await response.text();
      } catch {
        // No answer: sent again.
      }
      const at = Date.now();
      this.attempts.push({ at, status, retryAfter });
      if (status === 200 || status === 201) {
        this.acknowledged.push({ id, at, latencyMs: at - first });
        return;
      }
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) {
        this.refused.push(`${status} for ${id}: ${text}`);
        return;
      }
      await sleep(retryAfter === null ? 250 : Math.min(Number(retryAfter) * 1000, 2_000));
    }
  }
}
