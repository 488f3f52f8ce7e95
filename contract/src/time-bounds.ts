import { ValidationError } from './errors/contract-error';

/** {@link storedTimeBounds}' rule in words, for the OpenAPI document (query parameters cannot state it in JSON Schema). */
export const TIME_RANGE_RULE = '`from` must not be after `to`';

/**
 * Query time bounds in the form stored times have (UTC, milliseconds; finer digits dropped), so
 * they compare as strings with stored `txTime`s and index keys. Refuses `to` before `from`.
 *
 * @throws ValidationError `to: must not be before from`
 * @example
 * storedTimeBounds('2026-01-01T00:00:00Z', undefined) // { from: '2026-01-01T00:00:00.000Z' }
 */
export function storedTimeBounds(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const stored = (time: string): string => new Date(Date.parse(time)).toISOString();
  const bounds = {
    ...(from === undefined ? {} : { from: stored(from) }),
    ...(to === undefined ? {} : { to: stored(to) }),
  };
  if (bounds.from !== undefined && bounds.to !== undefined && bounds.from > bounds.to) {
    throw new ValidationError([{ path: 'to', rule: 'must not be before from' }]);
  }
  return bounds;
}
