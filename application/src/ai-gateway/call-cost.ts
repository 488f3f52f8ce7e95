import { LIMITS } from '@aal/ledger-contract';
import type { GatewayConfig } from './gateway-config';

/** Token counts a cost is computed from (as recorded: cached tokens are part of the input tokens). */
export interface CostedUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens?: number | undefined;
}

/** A record's `cost`: priced from the table, or `unpriced` (never 0 for a model without a price). */
export type CallCost =
  | {
      readonly status: 'priced';
      readonly amountMinor: number;
      readonly currency: string;
      readonly priceTableVersion: string;
    }
  | { readonly status: 'unpriced'; readonly priceTableVersion: string };

/**
 * The cost of a call from the configured price table: uncached input at the input price, cached
 * input at the cached price (else the input price), output (reasoning included, as providers bill
 * it) at the output price; the sum of per-million prices is rounded to the nearest minor unit
 * (half up) once, so a cheap call may cost 0 minor units while still being `priced`. A call priced
 * past the contract's per-call limit is unpriced.
 */
export function callCost(
  table: GatewayConfig['priceTable'],
  provider: string,
  model: string,
  usage: CostedUsage,
): CallCost {
  const price = table.prices.find((entry) => entry.provider === provider && entry.model === model);
  if (price === undefined) return { status: 'unpriced', priceTableVersion: table.version };
  const cached = Math.min(usage.cacheReadTokens ?? 0, usage.inputTokens);
  // Integer arithmetic in millionths of a minor unit, so no rounding error accumulates.
  const millionths =
    (usage.inputTokens - cached) * price.inputPerMillionMinor +
    cached * (price.cachedInputPerMillionMinor ?? price.inputPerMillionMinor) +
    usage.outputTokens * price.outputPerMillionMinor;
  const amountMinor = Math.floor((millionths + 500_000) / 1_000_000);
  // An amount the ledger refuses (past the contract's per-call limit) would lose the record: unpriced keeps it.
  if (!(amountMinor <= LIMITS.costMinorPerCall)) return { status: 'unpriced', priceTableVersion: table.version };
  return {
    status: 'priced',
    amountMinor,
    currency: table.currency,
    priceTableVersion: table.version,
  };
}
