import { sortedKeyJson } from './sorted-key-json';
import { withSortedKeyFields } from './sorted-key-json-fields';

/** What withSortedKeyFields must equal: the whole object serialised again. */
const reference = (object: object, fields: Record<string, unknown>): string => sortedKeyJson({ ...object, ...fields });

describe('withSortedKeyFields', () => {
  const objects: Record<string, unknown>[] = [
    {},
    { a: 1 },
    { z: 'last' },
    { b: 'x", "c": {', d: [{ y: '}]', x: '\\' }, [], {}], f: null, t: true, n: -1.5e-7 },
    { 'k"ey': 1, 'k\\ey': { 'in"ner': '"' }, ké: 'ü', '\u0001': 'control', '😀': ['😀'] },
    { 9: 'nine', 10: 'ten', '01': 'not an index', '-1': 'neither', $a: 1, A: 2 },
    { nested: { deep: { deeper: [1, [2, [3, { e: '{[,]}' }]]] } }, empty: '' },
  ];
  const fieldSets: Record<string, unknown>[] = [
    {},
    { b: 2 },
    { a: 'replaced', zz: { q: 1, p: [{ s: 2, r: 1 }] } },
    { $: 1, '01': 'no index', '-1': 'no index', ' ': 'space', '~': 'tilde', u: undefined, 'k"ey': 'replaced' },
    { org: 'HospitalAMSP', txId: 'a'.repeat(64), leafIndex: 3, consentCheck: { allowed: true, consentId: 'c-1' } },
  ];

  it('equals the sorted-key JSON of the object with the fields, for every object and field set', () => {
    for (const object of objects)
      for (const fields of fieldSets)
        expect(withSortedKeyFields(sortedKeyJson(object), fields)).toBe(reference(object, fields));
  });

  it('leaves undefined fields out and replaces a member of the same key', () => {
    expect(withSortedKeyFields('{"a":1,"c":[2]}', { b: { y: 1, x: 2 }, c: undefined })).toBe(
      '{"a":1,"b":{"x":2,"y":1},"c":[2]}',
    );
    expect(withSortedKeyFields('{"a":1,"c":[2]}', { c: 'new' })).toBe('{"a":1,"c":"new"}');
  });

  it('refuses a field whose key is an array index, and text that is not an object', () => {
    expect(() => withSortedKeyFields('{"a":1}', { 7: 'x' })).toThrow(/field 7 is an array index/);
    expect(() => withSortedKeyFields('[1]', { a: 1 })).toThrow(/not a JSON object/);
    expect(() => withSortedKeyFields('{"a":"open}', { a: 1 })).toThrow(/unterminated string/);
  });
});
