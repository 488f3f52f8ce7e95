import type { LedgerError, LedgerErrorKind } from '../ledger/ledger-error';

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

const LEDGER_BUSY = { status: 503, title: 'Ledger busy' };

/** The `type` URI of a problem, derived from its title so equal problems share one type. */
export function problemType(title: string): string {
  return `${TYPE_BASE}${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** Maps a ledger failure to its problem; chaincode refusals become 4xx, an unreachable ledger 503. */
export function problemFromLedger(error: LedgerError): HttpProblem {
  // A read conflict at commit (another transaction wrote the same keys first, e.g. the client's own
  // retry racing its first attempt) wrote nothing, and the same request may succeed when repeated:
  // "not now" (503), unlike the chaincode's CONFLICT (same id, other content), which is final (409).
  const { status, title } = error.kind === 'conflict' && error.transient ? LEDGER_BUSY : LEDGER_STATUS[error.kind];
  // Internal details stay in the logs; the caller gets a generic sentence.
  const detail = error.kind === 'internal' ? 'the ledger call failed unexpectedly' : error.message;
  const errors = ledgerFieldErrors(error);
  const extensions = errors.length > 0 ? { errors } : {};
  return new HttpProblem(status, title, detail, extensions);
}

/**
 * The chaincode's failing fields (`INVALID_ARGUMENT`: field = path, message = rule) or failed
 * preconditions (field = the input the reason is about, message = the reason) as problem `errors`.
 */
export function ledgerFieldErrors(error: LedgerError): FieldError[] {
  return [
    ...error.violations.map((violation) => ({ field: violation.path, message: violation.rule })),
    ...error.reasons.map((reason) => ({ field: reason.path, message: reason.reason })),
  ];
}
