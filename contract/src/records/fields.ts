import { z } from 'zod';

/**
 * Field rules shared by every record: each is declared once here and used by the chaincode's
 * validation, the REST app's request validation, the contract metadata and the OpenAPI document.
 * Messages are the `rule` of a field violation, so they read after a field name.
 */

/** Record ids, references and application ids: `[A-Za-z0-9._:-]{1,128}`. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** `hmac-sha256:` followed by 64 lowercase hex characters: a salted content commitment. */
export const COMMITMENT_PATTERN = /^hmac-sha256:[0-9a-f]{64}$/;

/** A 32-byte key or a SHA-256 digest: 64 lowercase hex characters. */
export const HEX_256_PATTERN = /^[0-9a-f]{64}$/;

const string = (what = 'a string') => z.string({ error: `must be ${what}` });

export const recordId = () => string().regex(ID_PATTERN, `must match ${ID_PATTERN.source}`);

/**
 * Short names of software and things, not of people (provider, operation, error type, finish
 * reasons, artifact names and versions, price tables): ASCII letters, digits, spaces and `. _ : / -`.
 * Spaces stay because artifact names and collection methods use them (`discharge notes`, `paper form`).
 * Labels about people and data use closed vocabularies (vocabularies.ts) or keyed commitments.
 */
export const label = (maxLength = 64) =>
  string()
    .min(1, `must be 1 to ${maxLength} characters`)
    .max(maxLength, `must be 1 to ${maxLength} characters`)
    .regex(/^[A-Za-z0-9 ._:/-]+$/, 'must be ASCII letters, digits, spaces and . _ : / -');

/** Unicode code points of a string: JSON Schema's `maxLength` counts these, not UTF-16 code units. */
export const codePointLength = (text: string): number => [...text].length;

/**
 * Text without control characters (C0, DEL and C1: Unicode's `Cc`, spelled as ranges so the pattern
 * reads the same in every regular-expression dialect), bounded in code points as JSON Schema counts.
 */
export const printableText = (maxLength: number) =>
  string()
    .min(1, `must be 1 to ${maxLength} characters`)
    .refine((text) => codePointLength(text) <= maxLength, `must be 1 to ${maxLength} characters`)
    .meta({ maxLength })
    // eslint-disable-next-line no-control-regex -- matching control characters is the rule
    .regex(/^[^\x00-\x1F\x7F-\x9F]+$/, 'must not contain control characters');

/**
 * The date-time rule as a portable pattern: zod's own (read from its JSON Schema, so the two cannot
 * drift), with `\d` spelled `[0-9]` (ECMAScript's `\d` is ASCII, Python's `re` also takes other
 * digits), for the OpenAPI document.
 */
export const DATE_TIME_PATTERN = (
  z.toJSONSchema(z.iso.datetime({ offset: true })) as { pattern: string }
).pattern.replace(/\\d/g, '[0-9]');

/** An RFC 3339 date-time with a time zone, e.g. `2026-01-31T12:00:00.123Z`; kept as sent. */
export const dateTime = () =>
  z.iso
    .datetime({ offset: true, error: 'must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)' })
    .meta({ pattern: DATE_TIME_PATTERN });

/** A non-negative safe integer (token counts, latencies, minor currency units), at most `max` when given. */
export const count = (max?: number) => {
  const atLeastZero = z.int({ error: 'must be an integer' }).min(0, 'must be at least 0');
  return max === undefined ? atLeastZero : atLeastZero.max(max, `must be at most ${max}`);
};

export const commitment = () =>
  string().regex(COMMITMENT_PATTERN, "must be 'hmac-sha256:' followed by 64 lowercase hex characters");

export const sha256Hex = () => string().regex(HEX_256_PATTERN, 'must be 64 lowercase hex characters (SHA-256)');

export const currency = () => string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** An array with bounds; `unique` refuses repeated entries. */
export function list<T extends z.ZodType>(item: T, options: { minItems?: number; maxItems: number; unique?: boolean }) {
  const min = options.minItems ?? 0;
  const bounds = `must have ${min} to ${options.maxItems} items`;
  const array = z.array(item, { error: 'must be an array' }).min(min, bounds).max(options.maxItems, bounds);
  return options.unique === true
    ? array
        .refine(
          (items) => new Set(items.map((entry) => JSON.stringify(entry))).size === items.length,
          'must not contain duplicates',
        )
        // The refinement is invisible to JSON Schema; `uniqueItems` states it in the document.
        .meta({ uniqueItems: true })
    : array;
}

/** Adds a violation at a dotted path from inside a `superRefine`. */
export function issueAt(context: z.RefinementCtx, path: string, message: string): void {
  context.addIssue({ code: 'custom', path: path.split('.'), message });
}
