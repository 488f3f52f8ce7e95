import { descendingTime, indexKey, indexRange, indexedId } from './index-keys';

describe('index keys', () => {
  const key = (org: string, time: string, id: string): string => indexKey('ix', [org, time, id]);

  it('orders by value, then time, then id, and finds the id again', () => {
    const keys = [
      key('B', '2026-01-01T00:00:00.000Z', 'x'),
      key('A', '2026-01-02T00:00:00.000Z', 'y'),
      key('A', '2026-01-01T00:00:00.000Z', 'z'),
    ];
    expect([...keys].sort().map(indexedId)).toEqual(['z', 'y', 'x']);
  });

  it('covers exactly the inclusive time range of one value', () => {
    const { startKey, endKey } = indexRange('ix', ['A'], '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    const inside = (k: string): boolean => k >= startKey && k < endKey;
    expect(inside(key('A', '2026-01-01T00:00:00.000Z', 'a'))).toBe(true);
    expect(inside(key('A', '2026-01-02T00:00:00.000Z', 'b'))).toBe(true);
    expect(inside(key('A', '2026-01-02T00:00:00.001Z', 'c'))).toBe(false);
    expect(inside(key('AB', '2026-01-01T00:00:00.000Z', 'd'))).toBe(false);
    expect(inside(key('B', '2026-01-01T00:00:00.000Z', 'e'))).toBe(false);
  });

  it('sorts descending times newest first', () => {
    expect(descendingTime('2026-01-02T00:00:00.000Z') < descendingTime('2026-01-01T00:00:00.000Z')).toBe(true);
  });

  it('keeps a bound before 1970 or after 2286 on its side of every stored time (13 digits, no sign)', () => {
    const stored = descendingTime('2026-01-01T00:00:00.000Z');
    for (const early of ['1960-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
      expect(descendingTime(early)).toMatch(/^[0-9]{13}$/);
      expect(descendingTime(early) > stored).toBe(true);
    }
    for (const late of ['2300-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(descendingTime(late)).toMatch(/^[0-9]{13}$/);
      expect(descendingTime(late) < stored).toBe(true);
    }
  });
});
