import { z } from 'zod';
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
  422: 'Refused by the chaincode: `errors` lists the failing fields when it named them',
  429: 'Rate limit for this API key exceeded; see `Retry-After`',
  502: "The record the chaincode answered is not what its recording transaction on the org's peer vouches for (`code` says which check failed); the bytes are not returned",
  503: 'Unavailable, see `Retry-After`: the ledger is unreachable, or (audit index reads) the audit index has not reached `minBlock` in time, has halted, or its database cannot be reached',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonObject;
  return rest;
}

/** Path parameters and query parameters, from the properties of their object schemas. */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  const objectSchema = jsonSchema(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(objectSchema.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (objectSchema.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

function operation(route: AnyRouteDefinition): JsonObject {
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? {
            content: {
              [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') },
            },
          }
        : {}),
    };
  }
  const refusals = new Set([400, 401, 403, 429, 503, ...(route.body ? [413] : []), ...(route.refusals ?? [])]);
  for (const status of [...refusals].sort()) {
    responses[String(status)] = {
      description: REFUSALS[status] ?? 'Refused',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  const roles = route.roles.join(', ');
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description ?? ''}${route.description ? '\n\n' : ''}Roles: ${roles}.${route.recordsAuditorRead ? ' Reads by auditor keys are recorded in the auditor-read log.' : ''}${route.recordsEveryCall ? ' Every call is recorded in the auditor-read log.' : ''}`,
    tags: [route.tag],
    'x-roles': route.roles,
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
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
        summary: "Readiness: the org's peer answers and the auditor-read log takes entries",
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
              'The peer does not answer, or the auditor-read log has not been compared with its ledger anchor yet',
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

/** The OpenAPI 3.1 document of the REST API, generated from the same route definitions that validate requests. */
export function openApiDocument(
  routes: readonly AnyRouteDefinition[],
  info: { title: string; version: string; org: string },
): JsonObject {
  const paths: Record<string, JsonObject> = operationsPaths();
  for (const route of routes) {
    const path = `${API_BASE}${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: `REST API of the AI Audit Ledger application of ${info.org}. Authenticate with \`Authorization: Bearer <API key>\`; every refusal is \`application/problem+json\` (RFC 9457).`,
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
    },
  };
}
