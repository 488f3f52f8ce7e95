import { ValidationError, type FieldViolation } from '../errors';

/**
 * A small, dependency-free schema checker for transaction input. Each rule checks one value and
 * records every violation with its path instead of stopping at the first, so one error message
 * names all failing fields. Objects are strict: unknown fields are violations.
 *
 * @example
 * const usage = object({ inputTokens: integer({ min: 0 }), source: oneOf(['provider', 'estimated']) });
 * const value = check(usage, JSON.parse(text)); // throws ValidationError listing every bad field
 */
export type Rule<T> = (value: unknown, path: string, violations: FieldViolation[]) => T | undefined;

export type Infer<R> = R extends Rule<infer T> ? T : never;

const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export function check<T>(rule: Rule<T>, value: unknown, path = ''): T {
  const violations: FieldViolation[] = [];
  const result = rule(value, path, violations);
  if (violations.length > 0 || result === undefined) {
    throw new ValidationError(violations.length > 0 ? violations : [{ path, rule: 'is required' }]);
  }
  return result;
}

export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function string(options: { pattern?: RegExp; minLength?: number; maxLength: number; describe?: string }): Rule<string> {
  return (value, path, violations) => {
    if (typeof value !== 'string') {
      violations.push({ path, rule: 'must be a string' });
      return undefined;
    }
    if (value.length < (options.minLength ?? 1) || value.length > options.maxLength) {
      violations.push({ path, rule: `must be ${options.minLength ?? 1} to ${options.maxLength} characters` });
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value)) {
      violations.push({ path, rule: options.describe ?? `must match ${options.pattern.source}` });
      return undefined;
    }
    return value;
  };
}

/** Identifiers: `[A-Za-z0-9._:-]{1,128}`. */
export const id = (): Rule<string> => string({ pattern: ID_PATTERN, maxLength: 128, describe: `must match ${ID_PATTERN.source}` });

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time with a time zone, e.g. `2026-01-31T12:00:00.123Z`. Returned unchanged. */
export function dateTime(): Rule<string> {
  return (value, path, violations) => {
    if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
      violations.push({ path, rule: 'must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)' });
      return undefined;
    }
    return value;
  };
}

export function integer(options: { min: number; max?: number }): Rule<number> {
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return (value, path, violations) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < options.min || value > max) {
      violations.push({ path, rule: `must be an integer from ${options.min} to ${max}` });
      return undefined;
    }
    return value;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Rule<T> {
  return (value, path, violations) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      violations.push({ path, rule: `must be one of ${values.join(', ')}` });
      return undefined;
    }
    return value as T;
  };
}

export function array<T>(item: Rule<T>, options: { maxItems: number; minItems?: number; unique?: boolean }): Rule<T[]> {
  return (value, path, violations) => {
    if (!Array.isArray(value)) {
      violations.push({ path, rule: 'must be an array' });
      return undefined;
    }
    if (value.length < (options.minItems ?? 0) || value.length > options.maxItems) {
      violations.push({ path, rule: `must have ${options.minItems ?? 0} to ${options.maxItems} items` });
      return undefined;
    }
    const before = violations.length;
    const items = value.map((element, index) => item(element, at(path, index), violations));
    if (violations.length > before) return undefined;
    if (options.unique && new Set(items.map((element) => JSON.stringify(element))).size !== items.length) {
      violations.push({ path, rule: 'must not contain duplicates' });
      return undefined;
    }
    return items as T[];
  };
}

/** Marks an object member as optional: absent (or undefined) is fine; `null` is not. */
export interface OptionalRule<T> extends Rule<T | undefined> {
  readonly optional: true;
}

export function optional<T>(rule: Rule<T>): OptionalRule<T> {
  const wrapped = ((value, path, violations) => (value === undefined ? undefined : rule(value, path, violations))) as Rule<T | undefined>;
  return Object.assign(wrapped, { optional: true as const });
}

type Shape = Record<string, Rule<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalRule<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalRule<unknown> ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> };

export function object<S extends Shape>(shape: S): Rule<ObjectOf<S>> {
  return (value, path, violations) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      violations.push({ path, rule: 'must be an object' });
      return undefined;
    }
    const input = value as Record<string, unknown>;
    const before = violations.length;
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      if (!Object.hasOwn(shape, key)) violations.push({ path: at(path, key), rule: 'is not a known field' });
    }
    for (const [key, rule] of Object.entries(shape)) {
      const isOptional = (rule as Partial<OptionalRule<unknown>>).optional === true;
      if (input[key] === undefined) {
        if (!isOptional) violations.push({ path: at(path, key), rule: 'is required' });
        continue;
      }
      const checked = rule(input[key], at(path, key), violations);
      if (checked !== undefined) result[key] = checked;
    }
    return violations.length > before ? undefined : (result as ObjectOf<S>);
  };
}

/** `sha256:` digest of artifact bytes: 64 lowercase hex characters. */
export const sha256Hex = (): Rule<string> =>
  string({ pattern: /^[0-9a-f]{64}$/, maxLength: 64, describe: 'must be 64 lowercase hex characters (SHA-256)' });

/** A salted content commitment computed by the org's application: `hmac-sha256:<64 hex>`. */
export const commitment = (): Rule<string> =>
  string({ pattern: /^hmac-sha256:[0-9a-f]{64}$/, maxLength: 76, describe: "must be 'hmac-sha256:' followed by 64 lowercase hex characters" });

/** ISO 4217 alphabetic currency code (three upper-case letters). */
export const currency = (): Rule<string> => string({ pattern: /^[A-Z]{3}$/, maxLength: 3, describe: 'must be an ISO 4217 code such as EUR' });

/** Free-text labels such as tags and purposes: short, printable, no control characters. */
export const label = (maxLength = 64): Rule<string> =>
  string({ pattern: /^[\p{L}\p{N} ._:/-]+$/u, maxLength, describe: 'must be letters, digits, spaces and . _ : / -' });
