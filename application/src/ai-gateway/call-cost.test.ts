import { LIMITS } from '@aal/ledger-contract';
import { callCost } from './call-cost';

const table = {
  version: 'v7',
  currency: 'EUR',
  prices: [
    {
      provider: 'p',
      model: 'm',
      inputPerMillionMinor: 250,
      outputPerMillionMinor: 1_000,
      cachedInputPerMillionMinor: 125,
    },
    { provider: 'p', model: 'plain', inputPerMillionMinor: 1_000_000, outputPerMillionMinor: 0 },
  ],
};

describe('call cost', () => {
  it('prices uncached, cached and output tokens per million, rounded half up once', () => {
    // 1M uncached × 250 + 1M cached × 125 + 1M output × 1000 = 1375 minor units
    expect(
      callCost(table, 'p', 'm', { inputTokens: 2_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000 }),
    ).toEqual({
      status: 'priced',
      amountMinor: 1_375,
      currency: 'EUR',
      priceTableVersion: 'v7',
    });
    expect(callCost(table, 'p', 'm', { inputTokens: 1_999, outputTokens: 0 }).status).toBe('priced');
    expect(callCost(table, 'p', 'm', { inputTokens: 1_999, outputTokens: 0 })).toMatchObject({ amountMinor: 0 });
    expect(callCost(table, 'p', 'm', { inputTokens: 2_000, outputTokens: 0 })).toMatchObject({ amountMinor: 1 });
  });

  it('uses the input price for cached tokens without a cached price', () => {
    expect(callCost(table, 'p', 'plain', { inputTokens: 3, outputTokens: 0, cacheReadTokens: 2 })).toMatchObject({
      amountMinor: 3,
    });
  });

  it('is unpriced, with no amount, for a model or provider without a price', () => {
    expect(callCost(table, 'p', 'other', { inputTokens: 10, outputTokens: 10 })).toEqual({
      status: 'unpriced',
      priceTableVersion: 'v7',
    });
    expect(callCost(table, 'q', 'm', { inputTokens: 10, outputTokens: 10 }).status).toBe('unpriced');
  });

  it('is unpriced, never refused by the ledger, when the amount is past the per-call limit', () => {
    const tokens = LIMITS.tokensPerCall;
    expect(callCost(table, 'p', 'plain', { inputTokens: tokens, outputTokens: 0 })).toMatchObject({
      status: 'priced',
      amountMinor: LIMITS.costMinorPerCall,
    });
    expect(callCost(table, 'p', 'plain', { inputTokens: tokens + 1_000, outputTokens: 0 })).toEqual({
      status: 'unpriced',
      priceTableVersion: 'v7',
    });
    expect(callCost(table, 'p', 'm', { inputTokens: tokens, outputTokens: tokens })).toMatchObject({
      status: 'priced',
      amountMinor: 1_250_000,
    });
  });
});
