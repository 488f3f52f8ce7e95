import { LIMITS } from '@aal/ledger-contract';
import { usageOf } from './provider-answer';

describe('usageOf', () => {
  it("reads OpenAI's chat and responses spellings, with cached and reasoning details", () => {
    expect(
      usageOf({
        prompt_tokens: 12,
        completion_tokens: 3,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      }),
    ).toEqual({ inputTokens: 12, outputTokens: 3, cacheReadTokens: 4, reasoningTokens: 2 });
    expect(usageOf({ input_tokens: 7, output_tokens: 1 })).toEqual({ inputTokens: 7, outputTokens: 1 });
  });

  it('keeps no count when any the ledger would refuse (past the per-call limit, negative, fractional) is given', () => {
    const past = LIMITS.tokensPerCall + 1;
    expect(usageOf({ prompt_tokens: past, completion_tokens: 3 })).toBeUndefined();
    expect(usageOf({ prompt_tokens: 5, completion_tokens: past })).toBeUndefined();
    expect(
      usageOf({ prompt_tokens: 5, completion_tokens: 3, prompt_tokens_details: { cached_tokens: past } }),
    ).toBeUndefined();
    expect(
      usageOf({ input_tokens: 5, output_tokens: 3, output_tokens_details: { reasoning_tokens: -1 } }),
    ).toBeUndefined();
    expect(usageOf({ prompt_tokens: 1.5 })).toBeUndefined();
    expect(usageOf({ prompt_tokens: '5' })).toBeUndefined();
    expect(usageOf({ prompt_tokens: LIMITS.tokensPerCall, completion_tokens: null })).toEqual({
      inputTokens: LIMITS.tokensPerCall,
      outputTokens: 0,
    });
  });
});
