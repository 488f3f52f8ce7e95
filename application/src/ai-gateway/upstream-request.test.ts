import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postUpstream } from './upstream-request';

/** A provider on loopback whose answer each test writes by hand. */
async function provider(answer: (res: ServerResponse, body: string) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => answer(res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('postUpstream', () => {
  it('sends the body with its length and headers, and answers status, headers and body', async () => {
    const { url, server } = await provider((res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
      res.end(JSON.stringify({ echoed: body }));
    });
    servers.push(server);
    const answer = await postUpstream(
      url,
      { 'content-type': 'application/json' },
      '{"a":1}',
      new AbortController().signal,
    );
    expect(answer.status).toBe(201);
    expect(answer.ok).toBe(true);
    expect(answer.header('x-request-id')).toBe('req-1');
    expect(answer.header('retry-after')).toBeUndefined();
    expect(JSON.parse((await answer.bytes()).toString('utf8'))).toEqual({ echoed: '{"a":1}' });
  });

  it('reuses one kept-alive connection for calls one after the other', async () => {
    const ports = new Set<number>();
    const { url, server } = await provider((res) => {
      ports.add(res.socket?.remotePort ?? 0);
      res.end('{}');
    });
    servers.push(server);
    for (let call = 0; call < 3; call++)
      await (await postUpstream(url, {}, '{}', new AbortController().signal)).bytes();
    expect(ports.size).toBe(1);
  });

  it('keeps a streamed answer open through a pause longer than the idle-connection limit', async () => {
    const { url, server } = await provider((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 4_500);
    });
    servers.push(server);
    const answer = await postUpstream(url, {}, '{}', new AbortController().signal);
    const chunks: string[] = [];
    for await (const chunk of answer.body) chunks.push(Buffer.from(chunk).toString('utf8'));
    expect(chunks.join('')).toBe('data: {"n":1}\n\ndata: [DONE]\n\n');
  }, 10_000);

  it('refuses a body the provider cut before its end, rather than answer it short', async () => {
    const { url, server } = await provider((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":"chatcmpl-');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    servers.push(server);
    const answer = await postUpstream(url, {}, '{}', new AbortController().signal);
    await expect(answer.bytes()).rejects.toThrow();
  });

  it('ends a stream with an error when the caller aborts it', async () => {
    const { url, server } = await provider((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[]}\n\n');
    });
    servers.push(server);
    const gone = new AbortController();
    const answer = await postUpstream(url, {}, '{}', gone.signal);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of answer.body) {
          seen.push(Buffer.from(chunk).toString('utf8'));
          gone.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen).toEqual(['data: {"choices":[]}\n\n']);
  });

  it('gives up on a provider silent before its answer, or in the middle of its body', async () => {
    const { url, server } = await provider((res, body) => {
      if (body === 'headers') return; // never answers
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n'); // then nothing more
    });
    servers.push(server);
    const signal = new AbortController().signal;
    await expect(postUpstream(url, {}, 'headers', signal, 200)).rejects.toThrow('the provider sent nothing for 0.2 s');
    // Without the limit this body would never end (the test would time out); with it, it ends in an error.
    const answer = await postUpstream(url, {}, 'body', signal, 200);
    await expect(
      (async () => {
        for await (const _chunk of answer.body);
      })(),
    ).rejects.toThrow();
  });

  it('fails when the provider cannot be reached', async () => {
    const { url, server } = await provider((res) => res.end());
    await new Promise((resolve) => server.close(resolve));
    await expect(postUpstream(url, {}, '{}', new AbortController().signal)).rejects.toThrow();
  });
});
