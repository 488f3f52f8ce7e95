import type { ErrorRequestHandler, Response } from 'express';
import { LedgerError, type LedgerErrorKind } from '../ledger/ledger-error';

/** One failing input field, as every 400/422 answer lists them. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** An RFC 9457 problem the HTTP layer answers with (`application/problem+json`). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    /** Response headers the status needs, e.g. `WWW-Authenticate` (401) or `Retry-After` (429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }
}

const TYPE_BASE = 'https://ai-audit-ledger.example/problems/';

/** Seconds a client should wait before retrying when the ledger is unavailable. */
export const LEDGER_RETRY_AFTER_SECONDS = 5;

const LEDGER_STATUS: Record<LedgerErrorKind, { status: number; title: string }> = {
  'invalid-argument': { status: 422, title: 'Rejected by the ledger' },
  'precondition-failed': { status: 422, title: 'Precondition failed' },
  rejected: { status: 422, title: 'Rejected by the ledger' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  forbidden: { status: 403, title: 'Forbidden' },
  unavailable: { status: 503, title: 'Ledger unavailable' },
  internal: { status: 500, title: 'Internal error' },
};

/** The `type` URI of a problem, derived from its title so equal problems share one type. */
export function problemType(title: string): string {
  return `${TYPE_BASE}${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** Writes a problem as `application/problem+json` with the headers its status needs. */
export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  if (problem.status === 503 && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(LEDGER_RETRY_AFTER_SECONDS));
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: problemType(problem.title),
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...(instance ? { instance } : {}),
      ...problem.extensions,
    });
}

/** Maps a ledger failure to its problem; chaincode refusals become 4xx, an unreachable ledger 503. */
export function problemFromLedger(error: LedgerError): HttpProblem {
  const { status, title } = LEDGER_STATUS[error.kind];
  // Internal details stay in the logs; the caller gets a generic sentence.
  const detail = error.kind === 'internal' ? 'the ledger call failed unexpectedly' : error.message;
  const extensions = error.violations.length > 0 ? { errors: error.violations } : {};
  return new HttpProblem(status, title, detail, extensions);
}

/** Last Express error handler: every failure leaves as problem+json, never as an HTML page. */
export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const instance = req.originalUrl.split('?')[0];
  if (error instanceof HttpProblem) return sendProblem(res, error, instance);
  if (error instanceof LedgerError) {
    if (error.kind === 'internal') req.log?.error({ err: { message: error.message } }, 'ledger call failed');
    return sendProblem(res, problemFromLedger(error), instance);
  }
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.too.large') {
    return sendProblem(res, new HttpProblem(413, 'Payload too large', 'the request body is over the limit'), instance);
  }
  if (bodyError.type === 'entity.parse.failed') {
    return sendProblem(res, new HttpProblem(400, 'Malformed JSON', 'the request body is not valid JSON', { errors: [{ field: '', message: 'not valid JSON' }] }), instance);
  }
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return sendProblem(res, new HttpProblem(bodyError.status, 'Bad request', 'the request could not be read'), instance);
  }
  req.log?.error({ err: error }, 'unhandled error');
  return sendProblem(res, new HttpProblem(500, 'Internal error', 'an unexpected error occurred'), instance);
};
