import { ValidationError } from './errors/contract-error';
import { EARLIEST_STORED_TIME, LATEST_STORED_TIME, storedTimeBounds } from './time-bounds';

describe('storedTimeBounds', () => {
  it('writes bounds in the stored form: UTC, milliseconds', () => {
    expect(storedTimeBounds('2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00.1234Z')).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:00.123Z',
    });
    expect(storedTimeBounds(undefined, undefined)).toEqual({});
  });

  it('clamps a bound past year 9999 or before year 0000 in UTC, so it still sorts with stored times', () => {
    // 9999-12-31T23:00-05:00 is in year 10000 UTC: unclamped it would be '+010000-…', before every stored time.
    expect(storedTimeBounds('9999-12-31T23:00:00-05:00', undefined)).toEqual({ from: LATEST_STORED_TIME });
    expect(storedTimeBounds(undefined, '0000-01-01T00:00:00+01:00')).toEqual({ to: EARLIEST_STORED_TIME });
    expect(storedTimeBounds('0000-01-01T00:00:00+01:00', '9999-12-31T23:00:00-05:00')).toEqual({
      from: EARLIEST_STORED_TIME,
      to: LATEST_STORED_TIME,
    });
    expect('2026-11-30T00:00:00.000Z' < LATEST_STORED_TIME && '2026-11-30T00:00:00.000Z' > EARLIEST_STORED_TIME).toBe(
      true,
    );
  });

  it('refuses to before from', () => {
    expect(() => storedTimeBounds('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')).toThrow(ValidationError);
    // Both past year 9999 (they clamp alike): still refused.
    expect(() => storedTimeBounds('9999-12-31T23:00:00-06:00', '9999-12-31T23:00:00-05:00')).toThrow(ValidationError);
    expect(storedTimeBounds('2026-01-01T00:00:00.0001Z', '2026-01-01T00:00:00.0002Z')).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:00.000Z',
    });
  });
});
