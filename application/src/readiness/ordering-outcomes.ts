/** A channel whose ordering service refused the app's latest submit, or on which its submits stall. */
export interface OrderingOutage {
  readonly channel: string;
  /** When the outage began (ms since the epoch): the first refusal, or when the stall began. */
  readonly since: number;
  /** The latest refusal's message, or what is stalled. */
  readonly lastError: string;
  /** `refused`: the orderers did not take a submit; `stalled`: submits wait and none is ordered. */
  readonly reason: 'refused' | 'stalled';
}

/** How {@link OrderingOutcomes} judges. */
export interface OrderingOutcomeTiming {
  /** How long a refusal counts without newer evidence. */
  readonly refusalStaleMs: number;
  /** How long submits may wait with none ordered before the channel counts as stalled. */
  readonly stalledAfterMs: number;
}

/**
 * What the app's own submits say about each channel's ordering service: there is no read-only way
 * to ask whether a Raft cluster has a quorum short of ordering a transaction, so the evidence is
 * the outcome of the latest submits. A channel is reported down:
 * - from a submit the orderers did not take (the gateway's SubmitError, e.g. "no Raft leader")
 *   until a later submit is ordered, or until the refusal is `refusalStaleMs` old: without writes
 *   there is no evidence either way, and a stale "down" would keep the app out of its load balancer
 *   for good (no writes, no new evidence);
 * - while a submit waits, and submits have been started for `stalledAfterMs` with none ordered and
 *   no definitive answer (a chaincode refusal is one: the peers answered) — what an org cut off from
 *   the other orgs and the orderers sees: its own peer answers, nothing else does, nothing is
 *   refused either, and each submit ends at its deadline to be retried. A channel without any
 *   submit for `stalledAfterMs` starts afresh: an old failure is no evidence about a new submit.
 */
export class OrderingOutcomes {
  private readonly outages = new Map<string, Omit<OrderingOutage, 'reason'> & { readonly lastAt: number }>();
  private readonly pending = new Map<number, { readonly channel: string; readonly at: number }>();
  private readonly lastOrderedAt = new Map<string, number>();
  /** Per channel, the start of the first submit since the last one ordered (or answered). */
  private readonly unorderedSince = new Map<string, number>();
  /** Per channel, when a submit last started or settled. */
  private readonly lastActivity = new Map<string, number>();
  private nextSubmit = 0;

  constructor(
    private readonly timing: OrderingOutcomeTiming,
    private readonly now: () => number = Date.now,
  ) {}

  /** A submit on `channel` starts; call the returned function once it settled, whatever the outcome. */
  started(channel: string): () => void {
    const id = (this.nextSubmit += 1);
    const at = this.now();
    const idle = ![...this.pending.values()].some((submit) => submit.channel === channel);
    const quietSince = this.lastActivity.get(channel);
    if (idle && quietSince !== undefined && at - quietSince >= this.timing.stalledAfterMs)
      this.unorderedSince.delete(channel);
    this.pending.set(id, { channel, at });
    this.lastActivity.set(channel, at);
    if (!this.unorderedSince.has(channel)) this.unorderedSince.set(channel, at);
    return () => {
      this.pending.delete(id);
      this.lastActivity.set(channel, this.now());
    };
  }

  /** A submit on `channel` was ordered (it committed, or the peers invalidated it: either way it was ordered). */
  ordered(channel: string): void {
    this.outages.delete(channel);
    this.lastOrderedAt.set(channel, this.now());
    this.unorderedSince.delete(channel);
  }

  /**
   * A submit on `channel` got a definitive answer that was not an ordering (e.g. the chaincode
   * refused it at endorsement): the peers answer, so the writes are not stalled.
   */
  answered(channel: string): void {
    this.unorderedSince.delete(channel);
  }

  /** A submit on `channel` was not taken by the ordering service. */
  refused(channel: string, message: string): void {
    const at = this.now();
    const current = this.outages.get(channel);
    this.outages.set(channel, { channel, since: current?.since ?? at, lastError: message, lastAt: at });
  }

  /** Channels whose latest submit was refused less than `refusalStaleMs` ago, or whose submits stall. */
  unavailable(): readonly OrderingOutage[] {
    const now = this.now();
    const refused = [...this.outages.values()]
      .filter((outage) => now - outage.lastAt < this.timing.refusalStaleMs)
      .map(({ channel, since, lastError }): OrderingOutage => ({ channel, since, lastError, reason: 'refused' }));
    const waiting = new Map<string, { oldest: number; count: number }>();
    for (const { channel, at } of this.pending.values()) {
      const entry = waiting.get(channel) ?? { oldest: at, count: 0 };
      waiting.set(channel, { oldest: Math.min(entry.oldest, at), count: entry.count + 1 });
    }
    const stalled: OrderingOutage[] = [];
    for (const [channel, { oldest, count }] of waiting) {
      if (refused.some((outage) => outage.channel === channel)) continue;
      // Submits pending from before the last ordered one are slow, not stalled: ordering worked since.
      const since = this.unorderedSince.get(channel);
      if (since === undefined || now - since < this.timing.stalledAfterMs) continue;
      const lastOrdered = this.lastOrderedAt.get(channel);
      stalled.push({
        channel,
        since,
        reason: 'stalled',
        lastError:
          `${count} submit(s) waiting, the oldest for ${Math.round((now - oldest) / 1000)} s; ` +
          (lastOrdered === undefined
            ? 'none ordered yet'
            : `none ordered since ${new Date(lastOrdered).toISOString()}`),
      });
    }
    return [...refused, ...stalled];
  }
}
