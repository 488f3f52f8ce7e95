import type { LedgerCensus } from './ledger-census';
import type { LoadReport } from './write-load';

/** What a load's acknowledgements and the ledger's blocks say about each other. */
export interface ExactlyOnce {
  /** Records the client saw acknowledged. */
  readonly acknowledged: number;
  /** Of those, written by exactly one valid transaction. */
  readonly committedOnce: number;
  /** Acknowledged records not on the ledger at all (lost). */
  readonly missing: readonly string[];
  /** Records of the load (acknowledged or not) written by more than one valid transaction. */
  readonly duplicates: readonly string[];
  /** Requests that needed more than one try before their acknowledgement. */
  readonly retriedAcknowledged: number;
  /** Requests acknowledged with 200: a retry whose earlier try had committed. */
  readonly replayAcknowledged: number;
}

/** Compares a stopped load's report with a census of the ledger taken afterwards. */
export function exactlyOnce(report: LoadReport, census: LedgerCensus): ExactlyOnce {
  const acknowledged = report.acknowledged.flatMap((ack) => ack.ids);
  return {
    acknowledged: acknowledged.length,
    committedOnce: acknowledged.filter((id) => census.writes.get(id) === 1).length,
    missing: acknowledged.filter((id) => !census.writes.has(id)),
    duplicates: report.sent.filter((id) => (census.writes.get(id) ?? 0) > 1),
    retriedAcknowledged: report.acknowledged.filter((ack) => ack.attempts > 1).length,
    replayAcknowledged: report.acknowledged.filter((ack) => ack.status === 200).length,
  };
}

/**
 * Answers that are neither an acknowledgement, a 503 with `Retry-After` as a problem, nor no answer
 * at all: a 500 (or a 503 without what a client needs to retry) under a fault is a bug of the app.
 */
export function unexpectedAnswers(report: LoadReport): string[] {
  return report.attempts
    .filter(
      (attempt) =>
        typeof attempt.status === 'number' &&
        attempt.status >= 500 &&
        !(attempt.status === 503 && attempt.problemJson && attempt.retryAfter !== null),
    )
    .map((attempt) =>
      `${attempt.kind}: ${attempt.status} (retry-after ${attempt.retryAfter}) ${attempt.problem ?? ''}`.trimEnd(),
    );
}

/** The median of `values` (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Prints one scenario's measurements as one line, where a CI log shows it. */
export function printMeasurement(scenario: string, measured: Record<string, string | number>): void {
  const fields = Object.entries(measured)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  process.stderr.write(`[faults] ${scenario}: ${fields}\n`);
}

/** Polls the app's /readyz until it answers `status`; returns how long that took, or throws after `timeoutMs`. */
export async function waitForReadiness(url: string, status: 200 | 503, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === status) return Date.now() - started;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url}/readyz did not answer ${status} within ${timeoutMs} ms; last: ${last}`);
}

/**
 * What every scenario asserts of a stopped load and the ledger: nothing refused, no answer a
 * client could not act on, nothing left unacknowledged, every acknowledged record on the ledger,
 * none twice.
 */
export function expectNothingLostOrDoubled(report: LoadReport, verdict: ExactlyOnce): void {
  expect(report.refused).toEqual([]);
  expect(unexpectedAnswers(report)).toEqual([]);
  expect(report.unacknowledged).toEqual([]);
  expect(verdict.missing).toEqual([]);
  expect(verdict.duplicates).toEqual([]);
  expect(verdict.committedOnce).toBe(verdict.acknowledged);
}
