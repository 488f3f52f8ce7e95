import { request as httpRequest } from 'node:http';
import { HTTP_LIMITS } from '@aal/ledger-contract';
import { startAppHarness, type AppHarness } from '../testing/app-harness';
import { interactionRequest } from '../testing/interaction-request';

interface Schema {
  readonly type?: string;
  readonly pattern?: string;
  readonly uniqueItems?: boolean;
  readonly anyOf?: Schema[];
  readonly allOf?: Schema[];
  readonly properties?: Record<string, Schema | boolean>;
  readonly items?: Schema;
  readonly required?: string[];
  readonly maximum?: number;
}
interface Operation {
  readonly operationId?: string;
  readonly parameters?: { name: string; schema: Schema }[];
  readonly requestBody?: { content: Record<string, { schema: Schema }> };
  readonly responses: Record<string, { links?: Record<string, { operationId: string; parameters: object }> }>;
  readonly 'x-rules'?: string[];
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
}

let app: AppHarness;
let document: Document;
const path = (template: string): Record<string, Operation> =>
  document.paths[`/api/v1/channels/{channel}${template}`] ?? {};
const bodyOf = (operation: Operation | undefined): Schema =>
  operation?.requestBody?.content['application/json']?.schema ?? {};

beforeAll(async () => {
  app = await startAppHarness();
  document = (await (await app.request('GET', '/openapi.json')).json()) as Document;
});
afterAll(() => app.close());

describe('the OpenAPI document states the rules the validators enforce', () => {
  it('uses only patterns that ECMAScript and Python read alike: no \\d, \\s, \\S, \\p{…} or lookbehind', () => {
    const patterns: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === 'object' && node !== null)
        for (const [key, value] of Object.entries(node))
          if (key === 'pattern' && typeof value === 'string') patterns.push(value);
          else collect(value);
    };
    collect(document);
    expect(patterns.length).toBeGreaterThan(50);
    for (const pattern of patterns) expect(pattern).not.toMatch(/\\[dDsSwWpP]|\(\?<[=!]/);
  });

  it('states date-times, unique items and the page size as the validators take them', () => {
    const record = bodyOf(path('/interactions').post);
    const startTime = record.properties?.['startTime'] as Schema;
    expect(startTime).toMatchObject({ type: 'string', pattern: expect.stringContaining('[0-9]{4}-') as string });
    expect((record.properties?.['dataCategories'] as Schema).uniqueItems).toBe(true);
    expect((record.properties?.['tags'] as Schema).uniqueItems).toBe(true);
    const pageSize = path('/interactions').get?.parameters?.find((parameter) => parameter.name === 'pageSize');
    expect(pageSize?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    // The org's own channels: another is answered 404.
    const channel = path('/interactions').get?.parameters?.find((parameter) => parameter.name === 'channel');
    expect(channel?.schema).toMatchObject({ enum: ['hospital-a'] });
  });

  it('states the rules between fields: prompt or promptCommitment, amount and currency unless unpriced, errorType with error', () => {
    const record = bodyOf(path('/interactions').post);
    const rules = JSON.stringify(record.allOf);
    expect(rules).toContain('{"required":["prompt"],"properties":{"promptCommitment":false}}');
    expect(rules).toContain('{"properties":{"status":{"const":"ok"},"errorType":false}}');
    expect(rules).toContain('{"properties":{"status":{"const":"error"}},"required":["errorType"]}');
    expect(JSON.stringify((record.properties?.['cost'] as Schema).anyOf)).toContain(
      '{"properties":{"status":{"enum":["priced","provider"]}},"required":["amountMinor","currency"]}',
    );
    expect(bodyOf(path('/interactions/{id}/verify').post).anyOf).toEqual([
      { required: ['prompt'] },
      { required: ['output'] },
    ]);
  });

  it('names in x-rules the rules JSON Schema cannot state: by with value, from before to, endTime after startTime', () => {
    expect(path('/audit/usage').get?.['x-rules']).toEqual([
      '`by` and `value` are given together, or neither',
      '`from` must not be after `to`',
    ]);
    expect(path('/interactions').post?.['x-rules']).toEqual(['`endTime` must not be before `startTime`']);
    expect(path('/consents').post?.['x-rules']).toEqual(['`period.end`, when given, must be after `period.start`']);
    expect(path('/batches').post?.['x-rules']).toEqual([
      '`endTime` must not be before `startTime`',
      'each of `records[].id` appears once in the request',
    ]);
  });

  it('links a create to the get of what it created', () => {
    expect(path('/interactions').post?.responses['201']?.links?.['getInteraction']).toEqual({
      operationId: 'getInteraction',
      parameters: { channel: '$request.path.channel', id: '$request.body#/id' },
    });
    expect(path('/batches').post?.responses['201']?.links?.['getMerkleBatch']?.parameters).toEqual({
      channel: '$request.path.channel',
      batchId: '$response.body#/batchId',
    });
  });

  it('documents 414 and 431 on every operation', () => {
    for (const operations of Object.entries(document.paths).filter(([template]) => template.startsWith('/api/'))) {
      for (const operation of Object.values(operations[1])) {
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['414', '431']));
      }
    }
  });
});

describe('rules between the records of a batch request', () => {
  it('refuses a record id given twice with 400 naming the repeat, before the ledger is called', async () => {
    for (const route of ['/batches', '/interactions/batch']) {
      const response = await app.request('POST', `/api/v1/channels/hospital-a${route}`, {
        key: app.keys.admin,
        body: { records: [interactionRequest('dup-1'), interactionRequest('dup-2'), interactionRequest('dup-1')] },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([
        { field: 'records[2].id', message: 'duplicates [0].id' },
      ]);
    }
  });
});

describe('HTTP answers outside the operations', () => {
  it('answers an unsupported method on a known path 405 with Allow listing exactly its methods', async () => {
    const put = await app.request('PUT', '/api/v1/channels/hospital-a/interactions', { key: app.keys.admin });
    expect(put.status).toBe(405);
    expect(put.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    // A concrete path takes precedence over a template, as OpenAPI matches them: not GET …/{id} with id 'batch'.
    const batch = await app.request('GET', '/api/v1/channels/hospital-a/interactions/batch', { key: app.keys.admin });
    expect(batch.status).toBe(405);
    expect(batch.headers.get('allow')).toBe('POST');
    const health = await app.request('DELETE', '/healthz');
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    expect((await app.request('GET', '/api/v1/no-such-path', { key: app.keys.admin })).status).toBe(404);
  });

  it('answers a request target over the limit 414 and headers over the limit 431, both as problem+json', async () => {
    const long = await app.request(
      'GET',
      `/api/v1/channels/hospital-a/interactions?value=${'a'.repeat(HTTP_LIMITS.urlBytes)}`,
      {
        key: app.keys.admin,
      },
    );
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const { status, contentType } = await new Promise<{ status?: number; contentType?: string }>((resolve, reject) => {
      const request = httpRequest(`${app.url}/healthz`, {
        headers: { 'x-filler': 'a'.repeat(HTTP_LIMITS.headerBytes) },
      });
      request.on('response', (response) => {
        response.resume();
        resolve({ status: response.statusCode, contentType: response.headers['content-type'] });
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(431);
    expect(contentType).toMatch(/^application\/problem\+json/);
  });
});
