import { ValidationError } from '../errors';
import { parseJsonArgument } from './json-argument';
import { array, check, commitment, currency, dateTime, id, integer, object, oneOf, optional } from './rules';

const usage = object({
  id: id(),
  at: dateTime(),
  tokens: integer({ min: 0 }),
  source: oneOf(['provider', 'estimated'] as const),
  tags: optional(array(id(), { maxItems: 2, unique: true })),
  currency: optional(currency()),
  promptCommitment: optional(commitment()),
});

function violations(value: unknown): string[] {
  try {
    check(usage, value);
  } catch (error) {
    if (error instanceof ValidationError) return error.violations.map((violation) => `${violation.path}: ${violation.rule}`);
    throw error;
  }
  return [];
}

describe('validation rules', () => {
  it('accepts a valid object and keeps only known fields', () => {
    expect(check(usage, { id: 'a-1', at: '2026-01-01T00:00:00Z', tokens: 0, source: 'provider', tags: ['x'] })).toEqual({
      id: 'a-1',
      at: '2026-01-01T00:00:00Z',
      tokens: 0,
      source: 'provider',
      tags: ['x'],
    });
  });

  it('names every failing field and the rule it broke', () => {
    const found = violations({ id: 'bad id', at: '2026-01-01', tokens: -1, source: 'guess', tags: ['a', 'a'], currency: 'eur', extra: 1 });
    expect(found).toEqual([
      'extra: is not a known field',
      'id: must match ^[A-Za-z0-9._:-]{1,128}$',
      'at: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)',
      'tokens: must be an integer from 0 to 9007199254740991',
      'source: must be one of provider, estimated',
      'tags: must not contain duplicates',
      'currency: must be an ISO 4217 code such as EUR',
    ]);
  });

  it('reports missing required fields and refuses non-integers', () => {
    expect(violations({ tokens: 1.5 })).toEqual([
      'id: is required',
      'at: is required',
      'tokens: must be an integer from 0 to 9007199254740991',
      'source: is required',
    ]);
  });

  it('refuses prototype keys, malformed JSON and oversized arguments', () => {
    expect(() => parseJsonArgument('record', '{"a":{"__proto__":{"x":1}}}', 1000)).toThrow(/__proto__/);
    expect(() => parseJsonArgument('record', '{"constructor":1}', 1000)).toThrow(/constructor/);
    expect(() => parseJsonArgument('record', '{', 1000)).toThrow(/valid JSON/);
    expect(() => parseJsonArgument('record', JSON.stringify({ a: 'x'.repeat(100) }), 50)).toThrow(/at most 50 bytes/);
  });
});
