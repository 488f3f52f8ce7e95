import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces new requests evenly at a fixed rate across every writer that shares it: a writer takes a
 * turn before each new request (never before a retry), so the offered load is the rate whatever the
 * latency, as long as enough writers wait for turns. A writer that would start late does not make up
 * for it with a burst: missed turns are skipped.
 */
export class RequestPacer {
  private nextAt = Date.now();
  private readonly intervalMs: number;

  /** @param perSecond new requests per second, more than 0 */
  constructor(readonly perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError(`a pace must be more than 0 requests/s, not ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves at this writer's turn. */
  async turn(): Promise<void> {
    const now = Date.now();
    // Behind by more than a turn: start from now, not from the missed turns.
    const at = Math.max(this.nextAt, now - this.intervalMs);
    this.nextAt = at + this.intervalMs;
    if (at > now) await sleep(at - now);
  }
}
