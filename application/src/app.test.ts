import {
  ANNOTATION_LABELS,
  ContractError,
  DATA_CATEGORIES,
  ID_PATTERN,
  PURPOSES,
  ROLES,
  TRANSACTIONS,
  ValidationError,
  type Role,
} from '@aal/ledger-contract';
import { readFileSync } from 'node:fs';
import { verifyAuditorReadLog } from './audit-log/auditor-read-log';
import { defaultReadLogKeyPath, readReadLogKey } from './audit-log/read-log-key';
import { LedgerError } from './ledger/ledger-error';
import { startAppHarness, type AppHarness } from './testing/app-harness';
import { installFakeInteractionsChaincode, type FakeInteractionState } from './testing/fake-interactions-chaincode';
import { interactionRequest } from './testing/interaction-request';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

async function problemOf(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as Problem;
  expect(problem.status).toBe(status);
  return problem;
}

const INTERACTIONS = '/api/v1/channels/hospital-a/interactions';
const COMMITMENT = `hmac-sha256:${'a'.repeat(64)}`;

/** A record with its prompt's commitment instead of content: recording it is one ledger call. */
function committedRequest(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { prompt: _content, ...record } = interactionRequest(id, { promptCommitment: COMMITMENT, ...extra });
  return record;
}

describe('the REST app (fake ledger)', () => {
  let app: AppHarness;
  let chaincode: FakeInteractionState;
  beforeEach(async () => {
    app = await startAppHarness();
    chaincode = installFakeInteractionsChaincode(app.ledger);
  });
  afterEach(() => app.close());

  describe('authentication', () => {
    it('refuses a request without a key with 401 and a Bearer challenge, before touching the ledger', async () => {
      const response = await app.request('GET', `${INTERACTIONS}/i1`);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="ai-audit-ledger"');
      await problemOf(response, 401);
      expect(app.ledger.calls).toEqual([]);
    });

    it('refuses an unknown, malformed or revoked key with invalid_token', async () => {
      const revoked = app.store.create('soon-revoked', 'admin');
      app.store.revoke(revoked.info.id);
      for (const header of [
        `Bearer aal_${'x'.repeat(43)}`,
        'Bearer nonsense',
        `Basic ${app.keys.admin}`,
        `Bearer ${revoked.key}`,
      ]) {
        const response = await app.request('GET', `${INTERACTIONS}/i1`, { headers: { authorization: header } });
        expect(response.headers.get('www-authenticate')).toMatch(
          /^Bearer realm="ai-audit-ledger", error="invalid_token"/,
        );
        await problemOf(response, 401);
      }
      expect(app.ledger.calls).toEqual([]);
    });
  });

  describe('roles', () => {
    // okStatus: the answer once past the role check.
    const matrix: {
      route: string;
      method: string;
      path: string;
      body?: unknown;
      allowed: readonly Role[];
      okStatus: number;
      /** Ledger calls made as the caller's role: 0, or 1 — 2 for a point read checked against its transaction. */
      ledgerCalls: number;
    }[] = [
      {
        route: 'record interaction',
        method: 'POST',
        path: INTERACTIONS,
        body: committedRequest('i-new'),
        allowed: ['recorder', 'admin'],
        okStatus: 201,
        ledgerCalls: 1,
      },
      {
        route: 'read interaction',
        method: 'GET',
        path: `${INTERACTIONS}/i-seeded`,
        allowed: ROLES,
        okStatus: 200,
        ledgerCalls: 2,
      },
      {
        route: 'transaction proof',
        method: 'GET',
        path: `/api/v1/channels/hospital-a/transactions/${'b'.repeat(64)}`,
        allowed: ROLES,
        okStatus: 404,
        ledgerCalls: 1,
      },
      {
        route: 'create key',
        method: 'POST',
        path: '/api/v1/api-keys',
        body: { name: 'new-key', role: 'auditor' },
        allowed: ['admin'],
        okStatus: 201,
        ledgerCalls: 0,
      },
      {
        route: 'list keys',
        method: 'GET',
        path: '/api/v1/api-keys',
        allowed: ['admin'],
        okStatus: 200,
        ledgerCalls: 0,
      },
    ];
    for (const entry of matrix) {
      for (const role of ROLES) {
        const allowed = entry.allowed.includes(role);
        it(`${entry.route}: ${role} is ${allowed ? 'allowed' : 'refused with 403'}`, async () => {
          chaincode.interactions.set('HospitalAMSP:i-seeded', {
            ...committedRequest('HospitalAMSP:i-seeded'),
            org: 'HospitalAMSP',
            recordedBy: 'app-recorder',
            // Another transaction than the one the proof route asks for (which stays unknown: 404).
            txId: 'd'.repeat(64),
            txTime: '2026-01-01T00:00:00.000Z',
          });
          const response = await app.request(entry.method, entry.path, { key: app.keys[role], body: entry.body });
          if (allowed) {
            expect(response.status).toBe(entry.okStatus);
            expect(app.ledger.calls.map((call) => call.role)).toEqual(Array<Role>(entry.ledgerCalls).fill(role));
          } else {
            const problem = await problemOf(response, 403);
            expect(problem.detail).toContain(`role '${role}'`);
            expect(app.ledger.calls).toEqual([]);
          }
        });
      }
    }

    it('calls the ledger with the Fabric identity of the caller’s role', async () => {
      expect(
        (await app.request('POST', INTERACTIONS, { key: app.keys.admin, body: committedRequest('i1') })).status,
      ).toBe(201);
      expect((await app.request('GET', `${INTERACTIONS}/i1`, { key: app.keys['consent-manager'] })).status).toBe(200);
      expect(app.ledger.calls.map((call) => [call.role, call.operation, call.transaction])).toEqual([
        ['admin', 'submit', TRANSACTIONS.recordInteraction],
        ['consent-manager', 'evaluate', TRANSACTIONS.getInteraction],
        ['consent-manager', 'evaluateSystem', 'GetTransactionByID'],
      ]);
    });
  });

  describe('validation and refusals', () => {
    it('lists every failing field, refuses unknown fields, and sends nothing to the ledger', async () => {
      const { provider: _provider, ...withoutProvider } = committedRequest('bad id!', { latencyMs: -1, extra: 1 });
      const problem = await problemOf(
        await app.request('POST', INTERACTIONS, { key: app.keys.recorder, body: withoutProvider }),
        400,
      );
      expect(problem.errors?.map((error) => error.field).sort()).toEqual(['extra', 'id', 'latencyMs', 'provider']);
      expect(problem.errors?.find((error) => error.field === 'extra')?.message).toBe('is not a known field');
      expect(problem.errors?.find((error) => error.field === 'provider')?.message).toBe('is required');
      expect(problem.errors?.find((error) => error.field === 'latencyMs')?.message).toBe('must be at least 0');
      const path = await problemOf(
        await app.request('GET', `/api/v1/channels/hospital-a/transactions/xyz`, { key: app.keys.auditor }),
        400,
      );
      expect(path.errors).toEqual([{ field: 'txId', message: 'must be 64 lowercase hex characters' }]);
      expect(app.ledger.calls).toEqual([]);
    });

    it('answers 400 for malformed JSON and 413 for a body over the limit', async () => {
      await problemOf(await app.request('POST', INTERACTIONS, { key: app.keys.recorder, rawBody: '{"id":' }), 400);
      const big = await startAppHarness({ bodyLimitBytes: 2048 });
      try {
        const problem = await problemOf(
          await big.request('POST', INTERACTIONS, {
            key: big.keys.recorder,
            body: interactionRequest('i', { prompt: 'x'.repeat(4096) }),
          }),
          413,
        );
        expect(problem.title).toBe('Payload too large');
      } finally {
        await big.close();
      }
    });

    it('answers 404 for a channel this org is not on, and for an unknown route', async () => {
      await problemOf(
        await app.request('GET', '/api/v1/channels/hospital-b/interactions/i1', { key: app.keys.auditor }),
        404,
      );
      await problemOf(await app.request('GET', '/api/v1/nothing-here', { key: app.keys.auditor }), 404);
      expect(app.ledger.calls).toEqual([]);
    });

    it('maps ledger refusals to 404, 409, 422 (with fields), 403 and 503 with Retry-After', async () => {
      const key = app.keys.recorder;
      const absent = await problemOf(await app.request('GET', `${INTERACTIONS}/absent`, { key }), 404);
      expect(absent.detail).toBe('interaction HospitalAMSP:absent does not exist');
      expect((await app.request('POST', INTERACTIONS, { key, body: committedRequest('i1') })).status).toBe(201);
      const conflict = await problemOf(
        await app.request('POST', INTERACTIONS, { key, body: committedRequest('i1', { latencyMs: 1 }) }),
        409,
      );
      expect(conflict.detail).toBe('interaction HospitalAMSP:i1 already exists with different content');

      app.ledger.failures.push(
        new ValidationError([
          { path: 'usage.inputTokens', rule: 'must be at least 0' },
          { path: 'cost', rule: 'is required' },
        ]),
      );
      const invalid = await problemOf(
        await app.request('POST', INTERACTIONS, { key, body: committedRequest('i2') }),
        422,
      );
      expect(invalid.detail).toBe('usage.inputTokens: must be at least 0; cost: is required');
      expect(invalid.errors).toEqual([
        { field: 'usage.inputTokens', message: 'must be at least 0' },
        { field: 'cost', message: 'is required' },
      ]);

      app.ledger.failures.push(
        new ContractError({ code: 'ACCESS_DENIED', message: 'access denied: role recorder may not record' }),
      );
      expect(
        (await problemOf(await app.request('POST', INTERACTIONS, { key, body: committedRequest('i3') }), 403)).detail,
      ).toBe('access denied: role recorder may not record');

      app.ledger.failures.push(new LedgerError('unavailable', 'the ledger is unreachable', { transient: true }));
      const unavailable = await app.request('GET', `${INTERACTIONS}/i1`, { key });
      expect(unavailable.headers.get('retry-after')).toBe('5');
      await problemOf(unavailable, 503);
    });

    it('limits each key with a token bucket: 429 with Retry-After, other keys unaffected', async () => {
      const limited = await startAppHarness({ rateLimit: { perSecond: 1, burst: 2 } });
      try {
        installFakeInteractionsChaincode(limited.ledger);
        const get = (role: Role) => limited.request('GET', `${INTERACTIONS}/i1`, { key: limited.keys[role] });
        expect((await get('auditor')).status).toBe(404);
        expect((await get('auditor')).status).toBe(404);
        const refused = await get('auditor');
        expect(refused.headers.get('retry-after')).toBe('1');
        await problemOf(refused, 429);
        expect((await get('recorder')).status).toBe(404);
      } finally {
        await limited.close();
      }
    });
  });

  describe('API keys over HTTP', () => {
    it('lets an admin create a key (shown once), list keys without secrets, and revoke it', async () => {
      const created = await app.request('POST', '/api/v1/api-keys', {
        key: app.keys.admin,
        body: { name: 'ai-gateway', role: 'recorder' },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const key = (await created.json()) as { id: string; key: string; role: string; name: string };
      expect(key).toMatchObject({
        name: 'ai-gateway',
        role: 'recorder',
        key: expect.stringMatching(/^aal_/) as string,
      });
      expect(
        (await app.request('POST', INTERACTIONS, { key: key.key, body: committedRequest('via-new-key') })).status,
      ).toBe(201);

      const listed = JSON.stringify(
        await (await app.request('GET', '/api/v1/api-keys', { key: app.keys.admin })).json(),
      );
      expect(listed).toContain(key.id);
      expect(listed).not.toContain(key.key);
      expect(listed).not.toMatch(/sha256|hash/);

      await problemOf(
        await app.request('POST', '/api/v1/api-keys', {
          key: app.keys.admin,
          body: { name: 'ai-gateway', role: 'auditor' },
        }),
        409,
      );
      const badRole = await problemOf(
        await app.request('POST', '/api/v1/api-keys', { key: app.keys.admin, body: { name: 'x', role: 'root' } }),
        400,
      );
      expect(badRole.errors?.map((error) => error.field)).toEqual(['role']);

      expect((await app.request('DELETE', `/api/v1/api-keys/${key.id}`, { key: app.keys.admin })).status).toBe(200);
      await problemOf(await app.request('GET', `${INTERACTIONS}/via-new-key`, { key: key.key }), 401);
      await problemOf(
        await app.request('DELETE', '/api/v1/api-keys/key_0000000000000000', { key: app.keys.admin }),
        404,
      );
    });
  });

  describe('auditor-read log', () => {
    it('records successful reads by auditor keys only, with route template and resource ids, in a valid chain', async () => {
      expect(
        (
          await app.request('POST', INTERACTIONS, {
            key: app.keys.recorder,
            body: interactionRequest('i1', { prompt: 'secret prompt text' }),
          })
        ).status,
      ).toBe(201);
      const read = await app.request('GET', `${INTERACTIONS}/i1`, { key: app.keys.auditor });
      expect(read.status).toBe(200);
      await app.request('GET', `${INTERACTIONS}/i1`, { key: app.keys.recorder });
      await app.request('GET', `${INTERACTIONS}/absent`, { key: app.keys.auditor });

      const lines = readFileSync(app.auditorReadLogPath, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
      expect(entry).toMatchObject({
        seq: 1,
        keyName: 'test-auditor',
        role: 'auditor',
        route: 'GET /api/v1/channels/:channel/interactions/:id',
        resourceIds: { channel: 'hospital-a', id: 'i1' },
        requestId: read.headers.get('x-request-id'),
      });
      expect(lines[0]).not.toContain('secret prompt text');
      expect(lines[0]).not.toContain(app.keys.auditor);
      expect(entry).toMatchObject({ event: 'read', readsByOwner: { HospitalAMSP: 1 }, subjectRefs: [] });
      const key = readReadLogKey(defaultReadLogKeyPath(app.auditorReadLogPath));
      expect(verifyAuditorReadLog(app.auditorReadLogPath, key)).toMatchObject({ valid: true, entries: 1 });
    });
  });

  describe('operations', () => {
    it('serves /healthz, and /readyz according to the peer', async () => {
      expect(await (await app.request('GET', '/healthz')).json()).toEqual({ status: 'ok', org: 'HospitalA' });
      expect((await app.request('GET', '/readyz')).status).toBe(200);
      app.ledger.reachable = false;
      const notReady = await app.request('GET', '/readyz');
      expect(notReady.headers.get('retry-after')).toBe('5');
      await problemOf(notReady, 503);
    });

    it('exports request and ledger metrics by route template, never by concrete path', async () => {
      await app.request('POST', INTERACTIONS, {
        key: app.keys.recorder,
        body: committedRequest('metric-interaction-id'),
      });
      await app.request('GET', `${INTERACTIONS}/metric-interaction-id`, { key: app.keys.auditor });
      await app.request('GET', `${INTERACTIONS}/metric-interaction-id`);
      const text = await (await app.request('GET', '/metrics')).text();
      expect(text).toContain(
        'aal_http_requests_total{method="POST",route="/api/v1/channels/:channel/interactions",status="201"} 1',
      );
      expect(text).toContain(
        'aal_http_requests_total{method="GET",route="/api/v1/channels/:channel/interactions/:id",status="200"} 1',
      );
      expect(text).toContain('aal_http_requests_total{method="GET",route="unmatched",status="401"} 1');
      expect(text).toMatch(
        /aal_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v1\/channels\/:channel\/interactions\/:id",status="200"\}/,
      );
      expect(text).toContain('aal_errors_total{source="http",kind="401"} 1');
      // Only the scrape itself is in flight: every earlier request was answered.
      expect(text).toContain('\naal_http_requests_in_flight 1\n');
      expect(text).not.toContain('metric-interaction-id');
    });

    it('serves the OpenAPI 3.1 document generated from the route schemas, and the docs from the package', async () => {
      const document = (await (await app.request('GET', '/openapi.json')).json()) as {
        openapi: string;
        paths: Record<
          string,
          Record<
            string,
            {
              'x-roles': string[];
              requestBody?: {
                content: Record<string, { schema: { additionalProperties?: boolean; required?: string[] } }>;
              };
              responses: Record<string, unknown>;
            }
          >
        >;
      };
      expect(document.openapi).toBe('3.1.0');
      const record = document.paths['/api/v1/channels/{channel}/interactions']?.post;
      expect(record?.['x-roles']).toEqual(['recorder', 'admin']);
      const body = record?.requestBody?.content['application/json']?.schema;
      expect(body?.additionalProperties).toBe(false);
      // The closed vocabularies are enums in the document; actors and tags are clear ids the app commits.
      const properties = (body as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties;
      expect(properties?.['purpose']?.['enum']).toEqual([...PURPOSES]);
      expect(properties?.['dataCategories']?.['items']).toMatchObject({ enum: [...DATA_CATEGORIES] });
      expect(properties?.['actorRef']).toMatchObject({ pattern: ID_PATTERN.source });
      expect(properties?.['actorRef']?.['description']).toContain('keyed commitment');
      const annotate = document.paths['/api/v1/channels/{channel}/interactions/{id}/annotations']?.post;
      const annotation = annotate?.requestBody?.content['application/json']?.schema as
        { properties?: Record<string, { items?: unknown }> } | undefined;
      expect(annotation?.properties?.['labels']?.items).toMatchObject({ enum: [...ANNOTATION_LABELS] });
      expect(body?.required).toEqual([
        'id',
        'startTime',
        'endTime',
        'provider',
        'operation',
        'requestModel',
        'usage',
        'cost',
        'latencyMs',
        'status',
        'applicationId',
      ]);
      expect(Object.keys(record?.responses ?? {}).sort()).toEqual([
        '200',
        '201',
        '400',
        '401',
        '403',
        '404',
        '409',
        '413',
        '414',
        '422',
        '429',
        '431',
        '503',
      ]);
      expect(Object.keys(document.paths).filter((path) => path.includes('probe'))).toEqual([]);
      expect(document.paths['/api/v1/api-keys/{id}']?.delete?.['x-roles']).toEqual(['admin']);
      // The usage summary's groupings, org among them, as the route's zod schema states them.
      const usageParameters = (
        document.paths['/api/v1/channels/{channel}/audit/usage']?.get as unknown as {
          parameters: { name: string; schema: { enum?: string[] } }[];
        }
      ).parameters;
      expect(usageParameters.find((parameter) => parameter.name === 'groupBy')?.schema.enum).toEqual([
        'model',
        'actor',
        'application',
        'day',
        'org',
      ]);

      const docs = await app.request('GET', '/docs');
      expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
      const page = await docs.text();
      expect(page).toContain('/docs/assets/swagger-ui-bundle.js');
      expect(page).not.toMatch(/https?:\/\//);
      const bundle = await app.request('GET', '/docs/assets/swagger-ui-bundle.js');
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
    });
  });

  describe('logs', () => {
    it('write one line per request with its id and route template, and no key, id or content', async () => {
      const created = await app.request('POST', INTERACTIONS, {
        key: app.keys.recorder,
        body: interactionRequest('log-interaction-id', { prompt: 'patient said something' }),
      });
      await app.request('GET', `${INTERACTIONS}/log-interaction-id`, { key: app.keys.auditor });
      await app.request('GET', `${INTERACTIONS}/log-interaction-id`, {
        headers: { authorization: 'Bearer aal_guessedguessedguessedguessedguessedguessed' },
      });
      const log = app.logLines.join('\n');
      const completed = app.logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === 'request completed');
      expect(completed).toHaveLength(3);
      expect(completed[0]).toMatchObject({
        reqId: created.headers.get('x-request-id'),
        route: '/api/v1/channels/:channel/interactions',
        status: 201,
        role: 'recorder',
        apiKeyId: expect.stringMatching(/^key_/) as string,
      });
      expect(completed[2]).toMatchObject({ route: 'unmatched', status: 401 });
      expect(completed[2]).not.toHaveProperty('apiKeyId');
      for (const secret of [
        'log-interaction-id',
        'patient said something',
        app.keys.recorder,
        app.keys.auditor,
        'guessedguessed',
      ])
        expect(log).not.toContain(secret);
    });
  });
});
