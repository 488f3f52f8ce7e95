/**
 * Thrown when a sum the audit index reports (a usage total, a rollup sum) is above 2^53 − 1: a JSON
 * number past it cannot state the total exactly, and an inexact total is never reported. With the
 * contract's per-call limits it takes millions of maximal calls in one total.
 */
export class TotalTooLargeError extends RangeError {
  override readonly name = 'TotalTooLargeError';

  /** @param total the value as read (digits), or what is known of it */
  constructor(readonly total: string) {
    super(`the audit index read ${total}, which is not a whole number below 2^53`);
  }
}

/**
 * `total + value`, exact. A sum past 2^53 − 1 comes out of floating-point addition as a number that
 * is not a safe integer, so checking the result is enough; `value` may be a database's inexact read
 * of a larger sum (SQLite returns 64-bit integers as JS numbers), which is caught the same way.
 *
 * @throws TotalTooLargeError when the exact sum is not a safe integer
 * @example addExactly(2, 3) // 5
 */
export function addExactly(total: number, value: number): number {
  const sum = total + value;
  if (!Number.isSafeInteger(sum)) throw new TotalTooLargeError(`a total of at least ${sum}`);
  return sum;
}
