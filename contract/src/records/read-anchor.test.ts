import type { z } from 'zod';
import type { FieldViolation } from '../errors/contract-error';
import { LIMITS } from '../limits';
import { readAnchorFilterSchema, readAnchorSchema } from './read-anchor';
import { collectViolations } from './validate';

function violationsOf(schema: z.ZodType, value: unknown): string[] {
  const violations: FieldViolation[] = [];
  collectViolations(schema, value, violations);
  return violations.map((violation) => `${violation.path}: ${violation.rule}`);
}

const anchor = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  log: 'auditor-reads',
  seq: 42,
  head: 'ab'.repeat(32),
  window: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:01:00.000Z' },
  readsByOwner: { HospitalAMSP: 3, AIProviderMSP: 1 },
  ...overrides,
});

describe('read anchor schema', () => {
  it('accepts an anchor, and one that counts no reads on its channel', () => {
    expect(violationsOf(readAnchorSchema, anchor())).toEqual([]);
    expect(violationsOf(readAnchorSchema, anchor({ readsByOwner: {} }))).toEqual([]);
    expect(violationsOf(readAnchorSchema, anchor({ previousHead: 'cd'.repeat(32) }))).toEqual([]);
    expect(violationsOf(readAnchorSchema, anchor({ previousHead: 'CD'.repeat(32) }))).toEqual([
      'previousHead: must be 64 lowercase hex characters',
    ]);
  });

  it('names every bad, unknown and missing field', () => {
    expect(
      violationsOf(readAnchorSchema, {
        log: 'no spaces please',
        seq: 0,
        head: 'AB'.repeat(32),
        window: { from: 'yesterday' },
        readsByOwner: { 'Hospital A': 1, HospitalBMSP: 0 },
        org: 'RegulatorMSP',
      }),
    ).toEqual([
      'log: must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
      'seq: must be at least 1',
      'head: must be 64 lowercase hex characters',
      'window.from: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)',
      'window.to: is required',
      'readsByOwner.HospitalBMSP: must be at least 1 (leave out owners with no reads)',
      'readsByOwner.Hospital A: must be an MSP id matching ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
      'org: is not a known field',
    ]);
  });

  it('refuses a window that ends before it starts, and too many owners', () => {
    expect(
      violationsOf(
        readAnchorSchema,
        anchor({ window: { from: '2026-01-01T00:01:00Z', to: '2026-01-01T00:00:00+00:00' } }),
      ),
    ).toEqual(['window.to: must not be before from']);
    const owners = Object.fromEntries(
      Array.from({ length: LIMITS.readAnchorOwners + 1 }, (_, index) => [`Org${index}MSP`, 1]),
    );
    expect(violationsOf(readAnchorSchema, anchor({ readsByOwner: owners }))).toEqual([
      `readsByOwner: must name at most ${LIMITS.readAnchorOwners} owners`,
    ]);
  });
});

describe('read anchor filter schema', () => {
  it('takes a reader org or a data owner; time bounds only with an owner', () => {
    expect(violationsOf(readAnchorFilterSchema, { by: 'org', value: 'RegulatorMSP' })).toEqual([]);
    expect(
      violationsOf(readAnchorFilterSchema, {
        by: 'owner',
        value: 'HospitalAMSP',
        from: '2026-01-01T00:00:00Z',
        to: '2026-02-01T00:00:00Z',
        pageSize: 10,
        bookmark: '',
      }),
    ).toEqual([]);
    expect(
      violationsOf(readAnchorFilterSchema, { by: 'org', value: 'RegulatorMSP', from: '2026-01-01T00:00:00Z' }),
    ).toEqual(['from: is only allowed with by owner']);
    expect(violationsOf(readAnchorFilterSchema, { by: 'reader', value: 'x y' })).toEqual([
      'by: must be one of org, owner',
      'value: must be an MSP id matching ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
    ]);
  });
});
