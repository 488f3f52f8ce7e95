import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A provider's answer as it starts arriving: status and headers now, the body as it comes. */
export interface UpstreamAnswer {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  /** The value of a response header (lower-case name), several joined by `, `; undefined when absent. */
  header(name: string): string | undefined;
  /** The body, chunk by chunk; iteration throws when the provider or the caller cuts it. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole body (for answers that are not streamed). */
  bytes(): Promise<Buffer>;
}

// Kept-alive connections to each provider, shared by all calls: Node's http client with a pooling
// agent costs a fraction of the CPU of `fetch` per call (docs/performance.md, the AI gateway). An
// idle connection is closed after 4 s (sooner when the provider's Keep-Alive header says so), before
// a server's usual 5 s, so that a call is not sent into a connection the provider is closing.
const IDLE_CONNECTION_MS = 4_000;
const AGENTS = {
  'http:': new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
  'https:': new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
} as const;

/**
 * How long a provider may stay silent — before its answer's headers, or between two chunks of its
 * body — before the call is given up: 300 s, as `fetch` (undici) waits by default.
 */
export const UPSTREAM_SILENCE_MS = 300_000;

/**
 * POSTs `body` to `url` over a kept-alive connection; resolves once the response's status and
 * headers arrive. `signal` aborts the call at any point (the body's iteration then throws), and so
 * does a provider silent for `silenceMs`.
 * @throws Error when the provider cannot be reached, stays silent, or `signal` aborted before the answer began
 */
export function postUpstream(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string | Buffer,
  signal: AbortSignal,
  silenceMs = UPSTREAM_SILENCE_MS,
): Promise<UpstreamAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = target.protocol === 'https:' ? AGENTS['https:'] : AGENTS['http:'];
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        agent,
        signal,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => resolve(answerOf(response)),
    );
    request.on('error', reject);
    request.setTimeout(silenceMs, () =>
      request.destroy(new Error(`the provider sent nothing for ${silenceMs / 1_000} s`)),
    );
    request.end(body);
  });
}

function answerOf(response: IncomingMessage): UpstreamAnswer {
  const status = response.statusCode ?? 502;
  return {
    status,
    ok: status >= 200 && status < 300,
    header(name) {
      const value = response.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    body: response,
    async bytes() {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      // A connection closed before the body's end is a cut, not a short answer.
      if (!response.complete) throw new Error('the provider closed the connection before the answer ended');
      return Buffer.concat(chunks);
    },
  };
}
