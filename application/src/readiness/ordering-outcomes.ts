/** A channel whose ordering service refused or could not take the latest submit. */
export interface OrderingOutage {
  readonly channel: string;
  /** When the first refusal of this outage was seen (ms since the epoch). */
  readonly since: number;
  /** The latest refusal's message. */
  readonly lastError: string;
}

/**
 * What the app's own submits say about each channel's ordering service: there is no read-only way
 * to ask whether a Raft cluster has a quorum short of ordering a transaction, so the evidence is
 * the outcome of the latest submits. A channel is reported down from a submit the orderers did not
 * take (the gateway's SubmitError, e.g. "no Raft leader") until a later submit commits, or until
 * the refusal is `staleAfterMs` old: without writes there is no evidence either way, and a stale
 * "down" would keep the app out of its load balancer for good (no writes, no new evidence).
 */
export class OrderingOutcomes {
  private readonly outages = new Map<string, OrderingOutage & { readonly lastAt: number }>();

  constructor(
    private readonly staleAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A submit on `channel` was ordered (it committed, or the peers invalidated it: either way it was ordered). */
  ordered(channel: string): void {
    this.outages.delete(channel);
  }

  /** A submit on `channel` was not taken by the ordering service. */
  refused(channel: string, message: string): void {
    const at = this.now();
    const current = this.outages.get(channel);
    this.outages.set(channel, { channel, since: current?.since ?? at, lastError: message, lastAt: at });
  }

  /** Channels whose latest submit the ordering service refused less than `staleAfterMs` ago. */
  unavailable(): readonly OrderingOutage[] {
    const now = this.now();
    return [...this.outages.values()]
      .filter((outage) => now - outage.lastAt < this.staleAfterMs)
      .map(({ channel, since, lastError }) => ({ channel, since, lastError }));
  }
}
