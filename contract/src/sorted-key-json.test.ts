import { sortedKeyJson, sortedKeyJsonOnce } from './sorted-key-json';

describe('sortedKeyJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(sortedKeyJson({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('gives the same bytes whatever the insertion order', () => {
    expect(sortedKeyJson({ x: { z: 1, y: 2 }, w: null })).toBe(sortedKeyJson({ w: null, x: { y: 2, z: 1 } }));
  });

  it('sortedKeyJsonOnce gives the same text, computed once per object', () => {
    const record = { b: 1, a: { d: 2, c: 3 } };
    expect(sortedKeyJsonOnce(record)).toBe(sortedKeyJson(record));
    expect(sortedKeyJsonOnce(record)).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(sortedKeyJsonOnce({ ...record, b: 2 })).toBe('{"a":{"c":3,"d":2},"b":2}');
  });
});
