import type { Context } from 'fabric-contract-api';

/**
 * The transaction's timestamp as RFC 3339 with milliseconds (UTC). Set by the client in the
 * proposal and identical on every endorser — unlike the local clock, which would break consensus.
 */
export function txTime(ctx: Context): string {
  const timestamp = ctx.stub.getTxTimestamp();
  const millis = Number(timestamp.seconds.toString()) * 1000 + Math.floor(timestamp.nanos / 1_000_000);
  return new Date(millis).toISOString();
}
