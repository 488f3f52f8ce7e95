import { CanonicalContentError } from '@aal/ledger-contract';
import type { ErrorRequestHandler, Response } from 'express';
import { TotalTooLargeError } from '../../audit-index/exact-total';
import { IndexDatabaseUnavailableError } from '../../audit-index/index-database-unavailable';
import { indexDatabaseUnavailable } from '../../audit-index/index-reads';
import { LedgerError } from '../../ledger/ledger-error';
import { LedgerEvidenceError } from '../../ledger/ledger-evidence-error';
import { HttpProblem, LEDGER_RETRY_AFTER_SECONDS, problemFromLedger, problemType } from '../problem';

/** Writes a problem as `application/problem+json` with the headers its status needs. */
export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  if (problem.status === 503 && !res.hasHeader('Retry-After'))
    res.setHeader('Retry-After', String(LEDGER_RETRY_AFTER_SECONDS));
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

/** Last Express error handler: every failure leaves as problem+json, never as an HTML page. */
export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const instance = req.originalUrl.split('?')[0];
  if (error instanceof HttpProblem) return sendProblem(res, error, instance);
  // The content schemas refuse such content first (400); this keeps any other path from a 500.
  if (error instanceof CanonicalContentError) {
    return sendProblem(
      res,
      new HttpProblem(422, 'Content without canonical form', error.message, {
        errors: [{ field: '', message: error.message }],
      }),
      instance,
    );
  }
  if (error instanceof TotalTooLargeError) {
    return sendProblem(
      res,
      new HttpProblem(422, 'Total too large', `${error.message}: narrow the range (from/to) or the filter (by/value)`),
      instance,
    );
  }
  if (error instanceof IndexDatabaseUnavailableError) {
    req.log?.warn({ err: { message: error.message } }, 'audit index read refused: its database is unavailable');
    return sendProblem(res, indexDatabaseUnavailable(), instance);
  }
  if (error instanceof LedgerEvidenceError) {
    req.log?.error({ err: { message: error.message } }, 'a read was refused: the ledger does not vouch for the record');
    return sendProblem(
      res,
      new HttpProblem(502, 'Ledger evidence mismatch', error.message, { code: error.code }),
      instance,
    );
  }
  if (error instanceof LedgerError) {
    if (error.kind === 'internal') req.log?.error({ err: { message: error.message } }, 'ledger call failed');
    // The peers' answers say why endorsement failed (unreachable, refused identity); the client gets the summary only.
    if (error.endorserErrors.length > 0)
      req.log?.warn({ endorserErrors: error.endorserErrors }, 'endorsement failed at the peers');
    return sendProblem(res, problemFromLedger(error), instance);
  }
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.too.large') {
    return sendProblem(res, new HttpProblem(413, 'Payload too large', 'the request body is over the limit'), instance);
  }
  if (bodyError.type === 'entity.parse.failed') {
    return sendProblem(
      res,
      new HttpProblem(400, 'Malformed JSON', 'the request body is not valid JSON', {
        errors: [{ field: '', message: 'not valid JSON' }],
      }),
      instance,
    );
  }
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return sendProblem(
      res,
      new HttpProblem(bodyError.status, 'Bad request', 'the request could not be read'),
      instance,
    );
  }
  req.log?.error({ err: error }, 'unhandled error');
  return sendProblem(res, new HttpProblem(500, 'Internal error', 'an unexpected error occurred'), instance);
};
