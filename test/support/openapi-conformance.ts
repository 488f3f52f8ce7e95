import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.1 document an answer is looked up in. */
interface OpenApiDocument {
  readonly paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
}

/** One validator per document: the document is registered once, and schemas are referenced inside it (so `$ref`s resolve). */
const validators = new WeakMap<object, Ajv2020>();

function validatorFor(document: object): Ajv2020 {
  let ajv = validators.get(document);
  if (ajv === undefined) {
    // strict: false — OpenAPI documents carry keywords (x-roles, examples …) that are not JSON Schema.
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, 'openapi');
    validators.set(document, ajv);
  }
  return ajv;
}

const pointer = (...parts: string[]): string =>
  parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks an answer against the app's own OpenAPI 3.1 document: the operation documents the status
 * with the answer's media type, and the body validates against that response's JSON Schema (full
 * JSON Schema 2020-12 validation with ajv). Returns the problems (empty when it conforms).
 */
export function conformanceProblems(
  document: unknown,
  method: string,
  pathTemplate: string,
  status: number,
  contentType: string,
  body: unknown,
): string[] {
  const operation = (document as OpenApiDocument).paths[pathTemplate]?.[method.toLowerCase()];
  if (operation === undefined) return [`${method} ${pathTemplate} is not in the document`];
  const response = operation.responses[String(status)];
  if (response === undefined) return [`status ${status} is not documented for ${method} ${pathTemplate}`];
  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  const media = response.content?.[mediaType];
  if (media === undefined) return [`${mediaType} is not documented for ${status}`];
  if (media.schema === undefined) return [];
  const ajv = validatorFor(document as object);
  const ref = `openapi#/${pointer('paths', pathTemplate, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '(body)'}: ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
  );
}
