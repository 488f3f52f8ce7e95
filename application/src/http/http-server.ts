import { HTTP_LIMITS } from '@aal/ledger-contract';
import type { Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemType } from './problem';

/** A problem+json answer written straight on the socket, for requests Node refuses before Express sees them. */
function rawProblem(status: number, reason: string, detail: string): string {
  const body = JSON.stringify({ type: problemType(reason), title: reason, status, detail });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The app's HTTP server: headers bounded by the contract's limit, and a request whose request line
 * and headers are over it answered 431 as problem+json (Node's own answer has no body).
 */
export function createHttpServer(app: Express): Server {
  const server = createServer({ maxHeaderSize: HTTP_LIMITS.headerBytes }, app);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end(rawProblem(408, 'Request Timeout', 'the request was not received in time'));
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      socket.end(
        rawProblem(
          431,
          'Request Header Fields Too Large',
          `the request line and headers are over ${HTTP_LIMITS.headerBytes} bytes`,
        ),
      );
      return;
    }
    socket.end(rawProblem(400, 'Bad Request', 'the request could not be read'));
  });
  return server;
}
