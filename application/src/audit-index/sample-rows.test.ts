import { sampleStrides } from './sample-rows';

describe('sampleStrides', () => {
  it('lays size strides of equal width over the blocks, the same for the same seed', () => {
    const strides = sampleStrides(999_999, 100, 42);
    expect(sampleStrides(999_999, 100, 42)).toEqual(strides);
    // 100 strides of 10,000 blocks in order, then the blocks before the first one.
    const main = strides.slice(0, 100);
    expect(main.every((stride) => stride.take === 1)).toBe(true);
    for (const [index, stride] of main.entries()) {
      // The last one ends at the last block, shorter by the shift.
      if (index < 99) expect(stride.to - stride.from).toBeGreaterThanOrEqual(9_999);
      expect(stride.to - stride.from).toBeLessThanOrEqual(10_000);
      if (index > 0) expect(stride.from).toBe(main[index - 1]?.to);
    }
    const first = main[0]?.from ?? 0;
    expect(first).toBeLessThan(10_000);
    expect(main.at(-1)?.to).toBe(1_000_000);
    if (first > 0) expect(strides.at(-1)).toEqual({ from: 0, to: first, take: 1 });
    else expect(strides).toHaveLength(100);
  });

  it('shifts the strides by seed, so other seeds draw other blocks', () => {
    const starts = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((seed) => sampleStrides(999_999, 100, seed)[0]?.from));
    expect(starts.size).toBeGreaterThan(4);
  });

  it('makes each block a stride when there are fewer blocks than rows wanted', () => {
    expect(sampleStrides(2, 7, 5)).toEqual([
      { from: 0, to: 1, take: 3 },
      { from: 1, to: 2, take: 3 },
      { from: 2, to: 3, take: 3 },
    ]);
    expect(sampleStrides(-1, 7, 5)).toEqual([]);
    expect(sampleStrides(10, 0, 5)).toEqual([]);
  });

  it('spreads the strides over the blocks from the first block asked for, as over 0.. shifted', () => {
    expect(sampleStrides(1_000_999, 100, 42, 1_000)).toEqual(
      sampleStrides(999_999, 100, 42).map(({ from, to, take }) => ({ from: from + 1_000, to: to + 1_000, take })),
    );
    expect(sampleStrides(12, 7, 5, 10)).toEqual([
      { from: 10, to: 11, take: 3 },
      { from: 11, to: 12, take: 3 },
      { from: 12, to: 13, take: 3 },
    ]);
    expect(sampleStrides(9, 7, 5, 10)).toEqual([]);
  });
});
