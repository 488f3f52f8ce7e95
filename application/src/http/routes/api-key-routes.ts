import { z } from 'zod';
import { API_KEY_NAME_PATTERN, ApiKeyStoreError, type ApiKeyStore } from '../../auth/api-key-store';
import { ROLES } from '@aal/ledger-contract';
import { HttpProblem } from '../problem';
import { defineRoute, type AnyRouteDefinition } from '../route';

const apiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

/** Store refusals as HTTP problems; anything else is a server fault and propagates. */
function problemFromStore(error: unknown): never {
  if (error instanceof ApiKeyStoreError) {
    if (error.code === 'duplicate-name') throw new HttpProblem(409, 'Conflict', error.message);
    if (error.code === 'not-found') throw new HttpProblem(404, 'Not found', error.message);
    if (error.code === 'invalid-name')
      throw new HttpProblem(400, 'Invalid request', error.message, {
        errors: [{ field: 'name', message: error.message }],
      });
    if (error.code === 'locked') throw new HttpProblem(503, 'Key store busy', error.message);
  }
  throw error;
}

/**
 * Admin-only management of the org's API keys: create (the key is in this one answer and
 * nowhere else), list (metadata only) and revoke. The same store backs `npm run apikey`.
 */
export function apiKeyRoutes(store: ApiKeyStore): AnyRouteDefinition[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key',
      description: 'The key is returned once, in this answer; the app stores only its SHA-256 hash.',
      tag: 'api-keys',
      roles: ['admin'],
      body: z.strictObject({
        name: z
          .string()
          .regex(API_KEY_NAME_PATTERN, 'must be 1–64 letters, digits, . _ or -')
          .describe('who or what uses the key; unique among active keys'),
        role: z.enum(ROLES),
      }),
      responses: {
        201: { description: 'Created; `key` is shown only now', schema: apiKeyInfoSchema.extend({ key: z.string() }) },
      },
      refusals: [409],
      handle({ body }) {
        try {
          const created = store.create(body.name, body.role);
          return Promise.resolve({ status: 201, body: { ...created.info, key: created.key } });
        } catch (error) {
          return problemFromStore(error);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api-keys',
      operationId: 'listApiKeys',
      summary: 'List API keys',
      tag: 'api-keys',
      roles: ['admin'],
      responses: {
        200: {
          description: 'Every key, active and revoked, without secrets',
          schema: z.object({ keys: z.array(apiKeyInfoSchema) }),
        },
      },
      handle() {
        return Promise.resolve({ status: 200, body: { keys: store.list() } });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api-keys/:id',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'The key stops working at once; its record stays, with `revokedAt`.',
      tag: 'api-keys',
      roles: ['admin'],
      params: z.strictObject({
        id: z.string().regex(/^key_[0-9a-f]{16}$/, 'must be a key id (key_ and 16 hex digits)'),
      }),
      responses: { 200: { description: 'Revoked', schema: apiKeyInfoSchema } },
      refusals: [404],
      handle({ params }) {
        try {
          return Promise.resolve({ status: 200, body: store.revoke(params.id) });
        } catch (error) {
          return problemFromStore(error);
        }
      },
    }),
  ];
}
