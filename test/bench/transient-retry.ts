import { setTimeout as sleep } from 'node:timers/promises';

/**
 * gRPC status codes a Fabric Gateway call ends with when the network was briefly unable to answer
 * (a Raft leader election under saturation, a deadline passed while the machine was busy) rather
 * than refusing: CANCELLED, DEADLINE_EXCEEDED, ABORTED, UNAVAILABLE.
 */
const TRANSIENT_CODES = new Set([1, 4, 10, 14]);

/** Whether a Fabric Gateway error is one a client retries. */
export function isTransientGatewayError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}

/** Retries of transient errors, by message (at most 80 characters), for the results file. */
export type RetryTally = Record<string, number>;

/**
 * Runs `operation` and runs it again, up to `attempts` times in all, after a transient error, with
 * a growing pause; the operation must be idempotent (a replayed transaction with the same ids).
 * Each retry is counted in `tally`; the last error is thrown.
 */
export async function withTransientRetries<T>(
  operation: () => Promise<T>,
  tally: RetryTally,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransientGatewayError(error)) throw error;
      const key = (error instanceof Error ? error.message : String(error)).slice(0, 80);
      tally[key] = (tally[key] ?? 0) + 1;
      await sleep(1000 * attempt);
    }
  }
}
