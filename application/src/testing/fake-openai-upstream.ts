import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake upstream received. */
export interface UpstreamRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

/** A running fake upstream. */
export interface FakeOpenAiUpstream {
  /** Base URL to configure as a provider's `baseUrl` (ends in `/v1`). */
  readonly baseUrl: string;
  readonly requests: UpstreamRequest[];
  close(): Promise<void>;
}

/** The fixed usage every chat answer reports (cached and reasoning tokens included). */
export const FAKE_CHAT_USAGE = {
  prompt_tokens: 11,
  completion_tokens: 7,
  total_tokens: 18,
  prompt_tokens_details: { cached_tokens: 3 },
  completion_tokens_details: { reasoning_tokens: 2 },
} as const;

/** The fixed usage every response reports, streamed or not (in the Responses API's spelling). */
export const FAKE_RESPONSES_USAGE = {
  input_tokens: 9,
  output_tokens: 4,
  total_tokens: 13,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens_details: { reasoning_tokens: 1 },
} as const;

/** Models that make the fake misbehave; any other model answers normally. */
export const FAKE_MODELS = {
  /** Answers 429 with an OpenAI error body. */
  rateLimited: 'fake-rate-limited',
  /** Streams two chunks, then destroys the connection. */
  cutStream: 'fake-cut-stream',
  /** Waits 300 ms between stream chunks (and before a non-streamed answer). */
  slow: 'fake-slow',
} as const;

const STREAM_PIECES = ['Hello', ', ', 'world', '!'];

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  const content = messages.at(-1)?.content;
  return typeof content === 'string' ? content : '';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An OpenAI-compatible upstream for tests, answering deterministically: chat completions (plain
 * and streamed, with the usage chunk only when `stream_options.include_usage` asks), responses,
 * embeddings; errors, slow and cut streams by model name ({@link FAKE_MODELS}). It records every
 * request it received, so a test can tell that nothing reached it.
 */
export async function startFakeOpenAiUpstream(port = 0): Promise<FakeOpenAiUpstream> {
  const requests: UpstreamRequest[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    void answer(req, res);
  });
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      // not JSON: answered below as a 400
    }
    const path = (req.url ?? '').replace(/^\/v1/, '');
    requests.push({ path, authorization: req.headers.authorization, body });
    const model = typeof body.model === 'string' ? body.model : '';
    counter += 1;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_fake_${counter}` });
      res.end(JSON.stringify(value));
    };
    if (model === FAKE_MODELS.rateLimited)
      return json(429, {
        error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
      });
    if (model === FAKE_MODELS.slow && body.stream !== true) await sleep(300);
    if (path === '/embeddings')
      return json(200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
        model,
        usage: { prompt_tokens: 5, total_tokens: 5 },
      });
    if (path === '/responses') {
      const response = {
        id: `resp_fake_${counter}`,
        object: 'response',
        created_at: 1_700_000_000,
        status: 'completed',
        model: `${model}-2026-01-01`,
        output: [
          {
            type: 'message',
            id: `msg_fake_${counter}`,
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: FAKE_STREAM_TEXT, annotations: [] }],
          },
        ],
        usage: FAKE_RESPONSES_USAGE,
      };
      if (body.stream !== true) return json(200, response);
      return streamResponse(res, model, response, counter);
    }
    if (path !== '/chat/completions')
      return json(404, { error: { message: 'Unknown path', type: 'invalid_request_error' } });
    const id = `chatcmpl-fake-${counter}`;
    const responseModel = `${model}-2026-01-01`;
    if (body.stream !== true)
      return json(200, {
        id,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: responseModel,
        choices: [
          { index: 0, message: { role: 'assistant', content: `echo: ${lastUserText(body)}` }, finish_reason: 'stop' },
        ],
        usage: FAKE_CHAT_USAGE,
      });
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_fake_${counter}` });
    const send = (chunk: object) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const base = { id, object: 'chat.completion.chunk', created: 1_700_000_000, model: responseModel };
    const withUsage = includeUsage ? { usage: null } : {};
    send({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      ...withUsage,
    });
    for (const [index, piece] of STREAM_PIECES.entries()) {
      if (model === FAKE_MODELS.slow) await sleep(300);
      if (model === FAKE_MODELS.cutStream && index === 2) {
        // Let the chunks so far reach the client first, as a connection lost mid-answer would.
        await sleep(50);
        res.destroy();
        return;
      }
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }], ...withUsage });
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...withUsage });
    if (includeUsage) send({ ...base, choices: [], usage: FAKE_CHAT_USAGE });
    res.end('data: [DONE]\n\n');
  }
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The text the fake answers (and streams) for a chat completion or a response, in full. */
export const FAKE_STREAM_TEXT = STREAM_PIECES.join('');

/**
 * A streamed response as the Responses API sends one: named server-sent events — `response.created`,
 * one `response.output_text.delta` per piece, `response.completed` carrying the whole response with
 * its usage — and no `[DONE]`. The cut-stream model stops after two deltas, the slow one waits
 * between them.
 */
async function streamResponse(
  res: ServerResponse,
  model: string,
  response: { id: string; output: { id: string }[] },
  counter: number,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_fake_${counter}` });
  let sequence = 0;
  const send = (type: string, fields: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`);
  send('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } });
  const itemId = response.output[0]?.id ?? '';
  for (const [index, piece] of STREAM_PIECES.entries()) {
    if (model === FAKE_MODELS.slow) await sleep(300);
    if (model === FAKE_MODELS.cutStream && index === 2) {
      await sleep(50);
      res.destroy();
      return;
    }
    send('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece });
  }
  send('response.completed', { response });
  res.end();
}
