/** A readiness check's outcome: `undefined` when the dependency answers, otherwise why it does not. */
export type CheckOutcome = string | undefined;

/**
 * Runs a readiness check at most once per `ttlMs` and shares the outcome (and a check in flight)
 * between callers, so `/readyz` stays cheap however often orchestrators call it.
 */
export class CachedCheck {
  private last: { readonly at: number; readonly outcome: CheckOutcome } | undefined;
  private running: Promise<CheckOutcome> | undefined;

  constructor(
    private readonly check: () => Promise<CheckOutcome>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The outcome of a check at most `ttlMs` old; runs one when there is none. A check that throws counts as down. */
  async current(): Promise<CheckOutcome> {
    if (this.last !== undefined && this.now() - this.last.at < this.ttlMs) return this.last.outcome;
    this.running ??= this.check()
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
      .then((outcome) => {
        this.last = { at: this.now(), outcome };
        this.running = undefined;
        return outcome;
      });
    return this.running;
  }
}
