import { decodeContractError } from '@aal/ledger-contract';
import { parseJsonArgument } from './json-argument';

function refusalOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return decodeContractError((error as Error).message);
  }
  throw new Error('expected the argument to be refused');
}

describe('JSON arguments', () => {
  it('parses JSON within the limit', () => {
    expect(parseJsonArgument('record', '{"a":[1,{"b":null}]}', 1000)).toEqual({ a: [1, { b: null }] });
  });

  it('refuses prototype keys at any depth, malformed JSON and oversized arguments, naming the argument', () => {
    expect(refusalOf(() => parseJsonArgument('record', '{"a":{"__proto__":{"x":1}}}', 1000))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: "record: must not contain the key '__proto__'",
      violations: [{ path: 'record', rule: "must not contain the key '__proto__'" }],
    });
    expect(refusalOf(() => parseJsonArgument('record', '{"constructor":1}', 1000))).toMatchObject({
      violations: [{ path: 'record', rule: "must not contain the key 'constructor'" }],
    });
    // Spelled with escapes, and beside a value that spells one.
    expect(refusalOf(() => parseJsonArgument('record', '[{"a":1},{"\\u005f_proto__":{}}]', 1000))).toMatchObject({
      violations: [{ path: 'record', rule: "must not contain the key '__proto__'" }],
    });
    expect(refusalOf(() => parseJsonArgument('record', '{"tag":"prototype","p\\u0072ototype":2}', 1000))).toMatchObject(
      {
        violations: [{ path: 'record', rule: "must not contain the key 'prototype'" }],
      },
    );
    expect(parseJsonArgument('record', '{"tag":"constructor","note":"a\\"b\\\\"}', 1000)).toEqual({
      tag: 'constructor',
      note: 'a"b\\',
    });
    expect(refusalOf(() => parseJsonArgument('record', '{', 1000))).toMatchObject({
      violations: [{ path: 'record', rule: 'must be valid JSON' }],
    });
    expect(refusalOf(() => parseJsonArgument('filter', JSON.stringify({ a: 'x'.repeat(100) }), 50))).toMatchObject({
      violations: [{ path: 'filter', rule: 'must be at most 50 bytes of JSON' }],
    });
  });
});
