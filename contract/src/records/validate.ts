import type { z } from 'zod';
import { ValidationError, type FieldViolation } from '../errors/contract-error';

/** `usage.inputTokens`, `[3].id`: the path notation of every field violation. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let text = prefix;
  for (const segment of path)
    text += typeof segment === 'number' ? `[${segment}]` : `${text === '' ? '' : '.'}${String(segment)}`;
  return text;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * One violation per failing field (its first broken rule): an unknown field under its own name, a
 * missing one as `is required` — whatever its type, enums included. A rule between fields
 * (a refinement, e.g. `cost.currency: is required when …`) keeps its own message.
 */
export function fieldViolations(error: z.ZodError, input: unknown, prefix = ''): FieldViolation[] {
  const reported = new Set<string>();
  const once = (violation: FieldViolation): FieldViolation[] => {
    if (reported.has(violation.path)) return [];
    reported.add(violation.path);
    return [violation];
  };
  return error.issues.flatMap((issue): FieldViolation[] => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.flatMap((key) =>
        once({ path: fieldPath([...issue.path, key], prefix), rule: 'is not a known field' }),
      );
    const path = fieldPath(issue.path, prefix);
    if (issue.code !== 'custom' && valueAt(input, issue.path) === undefined) return once({ path, rule: 'is required' });
    return once({ path, rule: issue.message });
  });
}

/**
 * Validates `value` against a record schema, collecting every violation under `prefix` (e.g. `[3]`)
 * instead of throwing, for callers that check many records at once.
 */
export function collectViolations<S extends z.ZodType>(
  schema: S,
  value: unknown,
  violations: FieldViolation[],
  prefix = '',
): z.output<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  violations.push(...fieldViolations(result.error, value, prefix));
  return undefined;
}

/**
 * Validates `value` against a record schema; `prefix` names the argument when the value is one of
 * several (`id`, `transient`), so violations read `id: …` or `transient.identifier: …`.
 *
 * @throws ValidationError naming every failing field
 * @example
 * const consent = checkInput(consentInputSchema, JSON.parse(argument));
 * const id = checkInput(recordId(), argument, 'id');
 */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const violations: FieldViolation[] = [];
  const checked = collectViolations(schema, value, violations, prefix);
  if (checked === undefined)
    throw new ValidationError(violations.length > 0 ? violations : [{ path: prefix, rule: 'is required' }]);
  return checked;
}
