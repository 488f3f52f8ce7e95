import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How long a read waits for a block committed at one org's peer to reach another org's peer (or
 * an app's audit index): well beyond what it takes on an idle machine, since CI runs every node of
 * the network, the test and the apps' background work on 2 cores.
 */
export const BLOCK_PROPAGATION_MS = 30_000;

/**
 * Calls `attempt` until `accept` takes its answer, for at most `timeoutMs`; a throw counts as not
 * yet. Another org's peer commits a block a little after the submitting org's peer does, so a read
 * there right after a write may not see it yet: the ledger is the same, only later.
 *
 * @returns the first accepted answer
 * @throws the last error (or an Error naming `what`) once the time is up
 */
export async function eventually<T>(
  what: string,
  attempt: () => Promise<T>,
  accept: (value: T) => boolean = () => true,
  timeoutMs: number = BLOCK_PROPAGATION_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const value = await attempt();
      if (accept(value)) return value;
      failure = new Error(`${what}: not yet after ${timeoutMs} ms`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure;
    await sleep(100);
  }
}
