import { ValidationError } from './errors/contract-error';

/** {@link storedTimeBounds}' rule in words, for the OpenAPI document (query parameters cannot state it in JSON Schema). */
export const TIME_RANGE_RULE = '`from` must not be after `to`';

/** The first and last times the stored form (`YYYY-MM-DDTHH:mm:ss.sssZ`, four-digit years) can write. */
export const EARLIEST_STORED_TIME = '0000-01-01T00:00:00.000Z';
export const LATEST_STORED_TIME = '9999-12-31T23:59:59.999Z';
const EARLIEST_MS = Date.parse(EARLIEST_STORED_TIME);
const LATEST_MS = Date.parse(LATEST_STORED_TIME);

/**
 * Query time bounds in the form stored times have (UTC, milliseconds; finer digits dropped), so
 * they compare as strings with stored `txTime`s and index keys; a bound past year 9999 or before year
 * 0000 (in UTC, after its offset) is clamped to the stored form's last or first time. Refuses `to`
 * before `from`.
 *
 * @throws ValidationError `to: must not be before from`
 * @example
 * storedTimeBounds('2026-01-01T00:00:00Z', undefined) // { from: '2026-01-01T00:00:00.000Z' }
 */
export function storedTimeBounds(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const stored = (time: string): string => {
    // Outside years 0000–9999 toISOString writes '+010000-…' or '-000001-…', which sort before every
    // stored time: clamped, a bound keeps its meaning (stored times all lie within those years).
    const ms = Date.parse(time);
    if (ms > LATEST_MS) return LATEST_STORED_TIME;
    if (ms < EARLIEST_MS) return EARLIEST_STORED_TIME;
    return new Date(ms).toISOString();
  };
  // Compared before clamping (as milliseconds, the stored precision): two bounds past year 9999 clamp alike.
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) {
    throw new ValidationError([{ path: 'to', rule: 'must not be before from' }]);
  }
  return {
    ...(from === undefined ? {} : { from: stored(from) }),
    ...(to === undefined ? {} : { to: stored(to) }),
  };
}
