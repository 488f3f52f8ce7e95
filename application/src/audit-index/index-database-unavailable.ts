/**
 * The audit index's database cannot be reached: refused, reset or timed-out connections, a server
 * shutting down or starting up. Reads answer 503 with `Retry-After`, the block follower waits and
 * resumes from its checkpoint; nothing about the index's content is wrong.
 */
export class IndexDatabaseUnavailableError extends Error {
  override readonly name = 'IndexDatabaseUnavailableError';

  constructor(cause: unknown) {
    super(`the audit index database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** Node's error codes of a connection that could not be made or broke. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01–57P03
 * (shutting down, crashed, not accepting connections yet) and 53300 (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * pg's own messages for a connection that ended or never came (it gives them no code). Matched on
 * pg's fixed wording, the only signal it offers.
 */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /not queryable/,
  /timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
];

/**
 * Whether `error` says the database is unreachable (rather than that a query is wrong): a Node
 * network error, one of PostgreSQL's unavailability SQLSTATEs, or pg's connection-ended messages.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof IndexDatabaseUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || isUnavailableSqlState(code))) return true;
  // pg wraps a failed connection attempt of several addresses in an AggregateError.
  if (error instanceof AggregateError && error.errors.some((inner) => isConnectionFailure(inner))) return true;
  return PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}
