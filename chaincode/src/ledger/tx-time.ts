import { ContractError, LIMITS } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';

/** The transaction's timestamp in milliseconds since the epoch (set by the client in the proposal). */
export function txTimeMillis(ctx: Context): number {
  return timestampMillis(ctx.stub.getTxTimestamp());
}

/** Milliseconds since the epoch of a protobuf timestamp (a transaction's, or a history entry's). */
export function timestampMillis(timestamp: {
  readonly seconds: { toString(): string };
  readonly nanos: number;
}): number {
  return Number(timestamp.seconds.toString()) * 1000 + Math.floor(timestamp.nanos / 1_000_000);
}

/**
 * The transaction's timestamp as RFC 3339 with milliseconds (UTC). Set by the client in the
 * proposal and identical on every endorser — unlike the local clock, which would break consensus.
 * Every endorser has checked it against its own clock first ({@link requireTxTimeNearClock}).
 */
export function txTime(ctx: Context): string {
  return new Date(txTimeMillis(ctx)).toISOString();
}

/**
 * Refuses a proposal whose timestamp is more than `LIMITS.txTimeSkewMs` away from `localNowMillis`,
 * the endorsing peer's own clock. Without this a member could date its records, grants and
 * revocations at will. This is the one place the chaincode reads a local clock, and it may: the
 * clock only decides whether to refuse, never what is written, so honest endorsers with roughly
 * synchronised clocks still produce identical write sets (a proposal near the bound may be endorsed
 * by some peers and refused by others; the client retries with a fresh timestamp).
 *
 * @throws ContractError `PRECONDITION_FAILED` naming the skew
 */
export function requireTxTimeNearClock(ctx: Context, localNowMillis: number): void {
  const skew = txTimeMillis(ctx) - localNowMillis;
  if (Math.abs(skew) <= LIMITS.txTimeSkewMs) return;
  const direction = skew > 0 ? 'ahead of' : 'behind';
  const reason = `is ${Math.abs(skew)} ms ${direction} the endorsing peer's clock (at most ${LIMITS.txTimeSkewMs} ms allowed)`;
  throw new ContractError({
    code: 'PRECONDITION_FAILED',
    // A timestamp outside Date's range (a hand-built proposal) cannot be printed as a date.
    message: `the transaction timestamp ${Number.isNaN(new Date(txTimeMillis(ctx)).getTime()) ? `${txTimeMillis(ctx)} ms` : txTime(ctx)} ${reason}: check the client's clock and submit again`,
    reasons: [{ path: 'timestamp', reason }],
  });
}
