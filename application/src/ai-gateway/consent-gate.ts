import { orgNamespaced } from '@aal/ledger-contract';
import type { Logger } from 'pino';
import { checkConsent, type ConsentCheck } from '../consents/consent-ledger';
import type { ChaincodeEventStream } from '../ledger/chaincode-event';
import type { LedgerClient } from '../ledger/ledger-client';

/** Chaincode events after which a cached verdict on the channel may be wrong. */
const INVALIDATING_EVENTS = new Set(['ConsentGranted', 'ConsentRevoked', 'SubjectErased']);

/** What `enforce` asks: may `applicationId` of this org use the subject's data for `purpose` now? */
export interface ConsentQuestion {
  readonly channel: string;
  readonly subjectRef: string;
  readonly purpose: string;
  readonly applicationId: string;
}

interface CachedVerdict {
  readonly verdict: ConsentCheck;
  readonly atMs: number;
}

/**
 * The ledger's consent verdicts for `enforce` mode (CheckConsent on the org's own peer, grantee
 * `<MSP id>:<applicationId>`, which the chaincode also judges by the org's consents), cached for
 * `cacheMs`. Each channel's chaincode event stream clears the channel's cache on every consent
 * grant, revocation or erasure, so a revocation takes effect as soon as the org's peer has
 * committed it. While a channel's stream is down the cache is neither read nor filled: every check
 * goes to the ledger, and a ledger that does not answer refuses the call (fail closed).
 */
export class ConsentGate {
  private readonly cache = new Map<string, CachedVerdict>();
  /** Bumped on every invalidation, so a check that raced an event does not cache a stale verdict. */
  private readonly generation = new Map<string, number>();
  private readonly streamUp = new Map<string, boolean>();
  private readonly streams = new Map<string, ChaincodeEventStream>();
  private stopped = false;

  constructor(
    private readonly ledger: LedgerClient,
    private readonly mspId: string,
    private readonly cacheMs: number,
    private readonly logger: Logger,
  ) {}

  /** Follows each channel's chaincode events (reconnecting with backoff) until `stop`. */
  start(channels: readonly string[]): void {
    for (const channel of channels) void this.follow(channel);
  }

  stop(): void {
    this.stopped = true;
    for (const stream of this.streams.values()) stream.close();
  }

  /** True when the channel's event stream is connected (the cache may be used). */
  eventsUp(channel: string): boolean {
    return this.streamUp.get(channel) === true;
  }

  /**
   * The ledger's verdict, from the cache when it may be trusted.
   * @throws LedgerError when the ledger cannot answer (the caller refuses the call)
   */
  async check(question: ConsentQuestion): Promise<ConsentCheck> {
    const key = `${question.channel}\u0000${question.subjectRef}\u0000${question.purpose}\u0000${question.applicationId}`;
    const trusted = this.eventsUp(question.channel) && this.cacheMs > 0;
    const cached = trusted ? this.cache.get(key) : undefined;
    if (cached !== undefined && Date.now() - cached.atMs < this.cacheMs) return cached.verdict;
    const generation = this.generation.get(question.channel) ?? 0;
    const verdict = await checkConsent(this.ledger, question.channel, {
      subjectRef: question.subjectRef,
      purpose: question.purpose,
      grantee: orgNamespaced(this.mspId, question.applicationId),
    });
    if (trusted && this.eventsUp(question.channel) && (this.generation.get(question.channel) ?? 0) === generation)
      this.cache.set(key, { verdict, atMs: Date.now() });
    return verdict;
  }

  private invalidate(channel: string): void {
    this.generation.set(channel, (this.generation.get(channel) ?? 0) + 1);
    for (const key of this.cache.keys()) if (key.startsWith(`${channel}\u0000`)) this.cache.delete(key);
  }

  private async follow(channel: string): Promise<void> {
    let backoff = 200;
    while (!this.stopped) {
      try {
        const stream = await this.ledger.chaincodeEvents(channel, undefined);
        this.streams.set(channel, stream);
        if (this.stopped) stream.close();
        this.invalidate(channel);
        this.streamUp.set(channel, true);
        backoff = 200;
        for await (const event of stream) if (INVALIDATING_EVENTS.has(event.eventName)) this.invalidate(channel);
      } catch (error) {
        if (!this.stopped)
          this.logger.warn(
            { channel, err: { message: String(error) } },
            'ai gateway: chaincode event stream failed; consent cache off',
          );
      }
      this.streamUp.set(channel, false);
      this.invalidate(channel);
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 5_000);
    }
  }
}
