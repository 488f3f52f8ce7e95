import type { ErrorRequestHandler, Response } from 'express';
import { LedgerError, type LedgerErrorKind } from '../ledger/ledger-error';

/** An RFC 9457 problem the HTTP layer answers with (`application/problem+json`). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

const TYPE_BASE = 'https://ai-audit-ledger.example/problems/';

const LEDGER_STATUS: Record<LedgerErrorKind, { status: number; title: string }> = {
  rejected: { status: 422, title: 'Rejected by the ledger' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  forbidden: { status: 403, title: 'Forbidden' },
  unavailable: { status: 503, title: 'Ledger unavailable' },
  internal: { status: 500, title: 'Internal error' },
};

export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  if (problem.status === 503) res.setHeader('Retry-After', '5');
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `${TYPE_BASE}${problem.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...(instance ? { instance } : {}),
      ...problem.extensions,
    });
}

export function problemFromLedger(error: LedgerError): HttpProblem {
  const { status, title } = LEDGER_STATUS[error.kind];
  // Internal details stay in the logs; the caller gets a generic sentence.
  const detail = error.kind === 'internal' ? 'the ledger call failed unexpectedly' : error.message;
  return new HttpProblem(status, title, detail);
}

/** Last Express error handler: every failure leaves as problem+json, never as an HTML page. */
export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (error instanceof HttpProblem) return sendProblem(res, error, req.originalUrl);
  if (error instanceof LedgerError) return sendProblem(res, problemFromLedger(error), req.originalUrl);
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.too.large') {
    return sendProblem(res, new HttpProblem(413, 'Payload too large', 'the request body is over the limit'), req.originalUrl);
  }
  if (bodyError.type === 'entity.parse.failed') {
    return sendProblem(res, new HttpProblem(400, 'Malformed JSON', 'the request body is not valid JSON'), req.originalUrl);
  }
  req.log?.error({ err: error }, 'unhandled error');
  return sendProblem(res, new HttpProblem(500, 'Internal error', 'an unexpected error occurred'), req.originalUrl);
};
