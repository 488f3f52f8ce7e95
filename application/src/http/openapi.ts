import { z } from 'zod';
import { HTTP_LIMITS } from '@aal/ledger-contract';
import { API_BASE, type AnyRouteDefinition } from './route';

/** A JSON Schema or OpenAPI object: plain JSON, as z.toJSONSchema returns it. */
type JsonObject = Record<string, unknown>;

/** The problem+json body every refusal carries. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z
      .string()
      .optional()
      .describe('502: the failed ledger evidence check (e.g. `LEAF_MISMATCH`, `WRITE_SET_MISMATCH`, `TX_NOT_VALID`)'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('the failing fields (400 and 422)'),
  })
  .describe('RFC 9457 problem details');

const REFUSALS: Record<number, string> = {
  400: 'Invalid request: `errors` lists the failing fields',
  401: 'Missing or invalid API key',
  403: "The key's role may not call this operation",
  404: 'Not found (or a channel this org is not a member of)',
  409: 'Conflict with the ledger state, e.g. a duplicate with different content',
  413: 'Request body over the limit',
  414: `Request target (path and query) over ${HTTP_LIMITS.urlBytes} bytes`,
  422: 'Refused by the chaincode: `errors` lists the failing fields when it named them',
  429: 'Rate limit for this API key exceeded; see `Retry-After`',
  502: "The record the chaincode answered is not what its recording transaction on the org's peer vouches for (`code` says which check failed); the bytes are not returned",
  503: 'Unavailable, see `Retry-After`: the ledger is unreachable, or (single interaction writes) the records already waiting for it on the channel are at their limit, or (audit index reads) the audit index has not reached `minBlock` in time, has halted, or its database cannot be reached',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonObject;
  return rest;
}

/**
 * The `x-rules` of a schema and the schemas inside it: the rules between fields that JSON Schema
 * cannot state (comparisons of values), in words, declared with the zod schema that enforces them.
 */
function rulesOf(schema: z.ZodType): string[] {
  const rules = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'x-rules' && Array.isArray(value)) value.forEach((rule) => rules.add(String(rule)));
        else visit(value);
      }
    }
  };
  visit(jsonSchema(schema, 'input'));
  return [...rules];
}

/** Path parameters and query parameters, from the properties of their object schemas. */
function parameters(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  channels: readonly string[],
): JsonObject[] {
  if (schema === undefined) return [];
  const objectSchema = jsonSchema(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(objectSchema.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (objectSchema.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    // This org's channels are the only ones its app serves: any other answers 404.
    schema: location === 'path' && name === 'channel' ? { ...property, enum: [...channels] } : property,
  }));
}

function operation(route: AnyRouteDefinition, channels: readonly string[]): JsonObject {
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? {
            content: Object.fromEntries(
              [response.contentType ?? 'application/json', ...(response.alternativeContentTypes ?? [])].map((type) => [
                type,
                { schema: jsonSchema(response.schema as z.ZodType, 'output') },
              ]),
            ),
          }
        : {}),
    };
  }
  const refusals = new Set([400, 401, 403, 414, 429, 503, ...(route.body ? [413] : []), ...(route.refusals ?? [])]);
  for (const status of [...refusals].sort()) {
    responses[String(status)] = {
      description: REFUSALS[status] ?? 'Refused',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  responses['431'] = { $ref: '#/components/responses/HeadersTooLarge' };
  for (const [status, links] of Object.entries(route.links ?? {})) {
    const response = responses[status];
    if (response !== undefined) response.links = links;
  }
  const rules = [route.query, route.body].flatMap((schema) => (schema === undefined ? [] : rulesOf(schema)));
  const roles = route.roles.join(', ');
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description ?? ''}${route.description ? '\n\n' : ''}Roles: ${roles}.${route.recordsAuditorRead ? ' Reads by auditor keys are recorded in the auditor-read log.' : ''}${route.recordsEveryCall ? ' Every call is recorded in the auditor-read log.' : ''}${rules.length > 0 ? `\n\nRules between fields that JSON Schema cannot state (refused with 400): ${rules.join('; ')}.` : ''}`,
    tags: [route.tag],
    'x-roles': route.roles,
    ...(rules.length > 0 ? { 'x-rules': rules } : {}),
    parameters: [...parameters(route.params, 'path', channels), ...parameters(route.query, 'query', channels)],
    ...(route.body
      ? {
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
        }
      : {}),
    responses,
  };
}

/** Operations outside /api/v1 that need no API key. */
function operationsPaths(): Record<string, JsonObject> {
  const plain = (summary: string, description: string, content?: JsonObject): JsonObject => ({
    get: {
      summary,
      tags: ['operations'],
      security: [],
      responses: { 200: { description, ...(content ? { content } : {}) } },
    },
  });
  return {
    '/healthz': plain('Process health', 'The process is up', { 'application/json': { schema: { type: 'object' } } }),
    '/readyz': {
      get: {
        summary:
          "Readiness: the org's peer and chaincode server answer, the ordering service takes submits, and the auditor-read log takes entries",
        tags: ['operations'],
        security: [],
        responses: {
          200: {
            description:
              'Ready; `readLog` reports the auditor-read log: its anchoring on the ledger and any gaps found at start-up',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          503: {
            description:
              "Not ready, with `Retry-After`; `dependency` names what is down. `peer`: the org's peer does not answer within 2 s. " +
              "`chaincode`: the org's chaincode server does not answer a read-only evaluation on the org's own peer (checked at most every 5 s, the outcome reused meanwhile). " +
              "`ordering`: the ordering service refused (SubmitError) the latest submit through this app on a channel listed in `ordering.unavailable`, less than 30 s ago and with no submit ordered since, or the app's submits on that channel stall (one is waiting and none has been ordered for 10 s since one started, as when the org is cut off from the other orgs and the orderers); no probe writes: without writes there is no evidence, and it reports ready. " +
              'Also: the auditor-read log has not been compared with its ledger anchor yet, an audit index halted, or its database does not answer',
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        },
      },
    },
    '/metrics': plain('Prometheus metrics', 'Prometheus text exposition format', {
      'text/plain': { schema: { type: 'string' } },
    }),
    '/openapi.json': plain('This document', 'OpenAPI 3.1 document', {
      'application/json': { schema: { type: 'object' } },
    }),
    '/docs': plain('Rendered API documentation', 'HTML page (Swagger UI, served from the app)', {
      'text/html': { schema: { type: 'string' } },
    }),
  };
}

/** An OpenAPI document: its paths by template, each with its operations by method. */
export interface OpenApiDocument extends JsonObject {
  readonly paths: Record<string, JsonObject>;
}

/** The OpenAPI 3.1 document of the REST API, generated from the same route definitions that validate requests. */
export function openApiDocument(
  routes: readonly AnyRouteDefinition[],
  info: { title: string; version: string; org: string; channels: readonly string[] },
): OpenApiDocument {
  const paths: Record<string, JsonObject> = operationsPaths();
  for (const route of routes) {
    const path = `${API_BASE}${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation(route, info.channels) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: `REST API of the AI Audit Ledger application of ${info.org}. Authenticate with \`Authorization: Bearer <API key>\`; every refusal is \`application/problem+json\` (RFC 9457). A path of this document asked with a method it does not list is answered 405 with \`Allow\` naming exactly the methods it answers (HEAD with GET); any other path 404. Request targets over ${HTTP_LIMITS.urlBytes} bytes are answered 414, request lines and headers over ${HTTP_LIMITS.headerBytes} bytes 431.`,
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (`aal_…`) issued by an admin; each key has one role.',
        },
      },
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
      responses: {
        HeadersTooLarge: {
          description: `Request line and headers over ${HTTP_LIMITS.headerBytes} bytes (answered by the HTTP server before any route; the connection is closed)`,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
        MethodNotAllowed: {
          description:
            'A path of this document asked with a method it does not list; `Allow` names the methods it answers',
          headers: { Allow: { schema: { type: 'string' }, description: 'e.g. `GET, HEAD, POST`' } },
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
  };
}
