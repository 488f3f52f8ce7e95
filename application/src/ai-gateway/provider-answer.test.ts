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

  it('treats a count the ledger would refuse (past the per-call limit, negative, fractional) as not reported', () => {
    const past = LIMITS.tokensPerCall + 1;
    expect(usageOf({ prompt_tokens: past, completion_tokens: 3 })).toBeUndefined();
    expect(
      usageOf({ prompt_tokens: 5, completion_tokens: past, prompt_tokens_details: { cached_tokens: past } }),
    ).toEqual({ inputTokens: 5, outputTokens: 0 });
    expect(usageOf({ prompt_tokens: -1 })).toBeUndefined();
    expect(usageOf({ prompt_tokens: 1.5 })).toBeUndefined();
    expect(usageOf({ prompt_tokens: LIMITS.tokensPerCall })).toEqual({
      inputTokens: LIMITS.tokensPerCall,
      outputTokens: 0,
    });
  });
});
