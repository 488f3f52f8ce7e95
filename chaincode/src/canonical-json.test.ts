import { canonicalJson, canonicalJsonOnce } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('gives the same bytes whatever the insertion order', () => {
    expect(canonicalJson({ x: { z: 1, y: 2 }, w: null })).toBe(canonicalJson({ w: null, x: { y: 2, z: 1 } }));
  });

  it('canonicalJsonOnce gives the same text, computed once per object', () => {
    const record = { b: 1, a: { d: 2, c: 3 } };
    expect(canonicalJsonOnce(record)).toBe(canonicalJson(record));
    expect(canonicalJsonOnce(record)).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(canonicalJsonOnce({ ...record, b: 2 })).toBe('{"a":{"c":3,"d":2},"b":2}');
  });
});
