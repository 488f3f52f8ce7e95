import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the wait until the next token, then refills per key', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.take('b').allowed).toBe(true);
    now = 499;
    expect(buckets.take('a').allowed).toBe(false);
    now = 1_000;
    expect(buckets.take('a').allowed).toBe(true);
    now = 60_000;
    expect([1, 2, 3, 4].map(() => buckets.take('a').allowed)).toEqual([true, true, true, false]);
  });

  it('says how many whole seconds to wait when the rate is slow', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, () => now);
    buckets.take('k');
    expect(buckets.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 100;
    const slow = new TokenBuckets({ perSecond: 1, burst: 1 }, () => now);
    slow.take('k');
    expect(slow.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
