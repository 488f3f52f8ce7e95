import type { z } from 'zod';
import type { FieldError } from './problem';

/** `usage.inputTokens`, `[3].id`: the same path notation the chaincode uses in its refusals. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}

/** One {@link FieldError} per failing field; an unknown field is reported under its own name. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: 'unknown field' }))
      : [{ field: fieldPath(issue.path), message: issue.message }],
  );
}
