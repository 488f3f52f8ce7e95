/** The parts of an OpenAPI 3.1 document a response is checked against. */
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }> }>>;
}

interface JsonSchema {
  readonly type?: string | string[];
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: string[];
  readonly items?: JsonSchema;
  readonly $ref?: string;
}

/**
 * Checks an answer against the app's own OpenAPI document: the status is documented for the
 * operation with the answer's media type, and the body has every required property (recursively,
 * through objects and arrays) with the documented JSON type. Returns the mismatches (empty when it conforms).
 */
export function conformanceProblems(document: unknown, method: string, pathTemplate: string, status: number, contentType: string, body: unknown): string[] {
  const operation = (document as OpenApiDocument).paths[pathTemplate]?.[method.toLowerCase()];
  if (operation === undefined) return [`${method} ${pathTemplate} is not in the document`];
  const response = operation.responses[String(status)];
  if (response === undefined) return [`status ${status} is not documented for ${method} ${pathTemplate}`];
  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  const media = response.content?.[mediaType];
  if (media === undefined) return [`${mediaType} is not documented for ${status}`];
  return media.schema === undefined || media.schema.$ref !== undefined ? [] : mismatches(media.schema, body, '');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function mismatches(schema: JsonSchema, value: unknown, path: string): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const actual = jsonType(value);
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${path || '(body)'}: is ${actual}, documented ${types.join('|')}`];
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    const missing = (schema.required ?? []).filter((name) => !(name in record)).map((name) => `${path}${path ? '.' : ''}${name}: required but missing`);
    const nested = Object.entries(schema.properties ?? {}).flatMap(([name, property]) => (name in record ? mismatches(property, record[name], `${path}${path ? '.' : ''}${name}`) : []));
    return [...missing, ...nested];
  }
  if (actual === 'array' && schema.items !== undefined) return (value as unknown[]).flatMap((item, index) => mismatches(schema.items as JsonSchema, item, `${path}[${index}]`));
  return [];
}
