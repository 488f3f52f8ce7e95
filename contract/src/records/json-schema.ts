import { z } from 'zod';

/**
 * The JSON Schema of a record schema as returned (draft-07, without `$schema`): Fabric's contract
 * metadata compiles its components with Ajv 6, which knows draft-07 but not 2020-12, and a
 * component is a fragment of the metadata document, not a document of its own.
 *
 * @example
 * recordJsonSchema(storedInteractionSchema) // { type: 'object', properties: { id: …, usage: { type: 'object', … } }, required: [...] }
 */
export function recordJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' });
  return json;
}
