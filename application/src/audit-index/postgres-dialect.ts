import { PostgresDialect, type Dialect } from 'kysely';
import { Pool, types, type CustomTypesConfig, type PoolConfig } from 'pg';
import { TotalTooLargeError } from './exact-total';
import { outageAwareDialect } from './outage-aware-dialect';

/** PostgreSQL's type ids of `bigint` (counts, sums of integers) and `numeric` (sums of bigints). */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** `sslmode` values understood in the URL (libpq's names); anything else is refused, not ignored. */
const SSL_MODES = ['disable', 'verify-full'] as const;

/**
 * A whole number read back from PostgreSQL. pg returns `bigint` and `numeric` as strings (they may
 * exceed 2^53); the index's values and sums are whole numbers below that (the contract bounds each
 * call's counts), and SQLite returns them as numbers, so both backends give the same JS type. A value
 * that would lose precision is an error, never a rounded total.
 */
export function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new TotalTooLargeError(text);
  return value;
}

/** pg's parser of a type id, as this module uses it: text in, a value out. */
type TypeParser = (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
const builtInParser = types.getTypeParser.bind(types) as TypeParser;

/** Type parsers of this pool only (pg's global parsers stay untouched). */
const INDEX_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid, format) =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? wholeNumber
      : builtInParser(oid, format)) as TypeParser as typeof types.getTypeParser,
};

/**
 * pg's connection settings for `url` (`postgres://user[:password]@host[:port]/database[?sslmode=…]`),
 * with `password` (from the password file) taking the URL's place. Parsed here rather than handed to
 * pg as a connection string, because pg lets a URL without a password override an explicit one.
 *
 * @throws Error naming what is wrong with the URL (never echoing it: it may hold a password)
 */
export function postgresConnection(url: string, password?: string): PoolConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new Error('must start with postgres:// or postgresql://');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (parsed.hostname === '' || parsed.username === '' || database === '' || database.includes('/'))
    throw new Error('must name a user, a host and a database: postgres://user@host:port/database');
  const unknown = [...parsed.searchParams.keys()].filter((key) => key !== 'sslmode');
  if (unknown.length > 0) throw new Error(`unsupported parameter(s): ${unknown.join(', ')} (only sslmode)`);
  const sslMode = parsed.searchParams.get('sslmode') ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(sslMode))
    throw new Error(`sslmode must be one of ${SSL_MODES.join(', ')}`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    database,
    password: password ?? (parsed.password === '' ? undefined : decodeURIComponent(parsed.password)),
    // verify-full: TLS with the system's CAs and the host name checked.
    ssl: sslMode === 'verify-full' ? { rejectUnauthorized: true } : false,
  };
}

/**
 * Kysely's PostgreSQL dialect over a pg pool for `url`. `onConnectionError` hears of idle
 * connections that broke (e.g. the server restarted); the pool drops them and the next query
 * reconnects, so they must not crash the process as an unhandled 'error' event would. A query that
 * cannot reach the server fails with IndexDatabaseUnavailableError (outage-aware-dialect.ts).
 */
export function postgresDialect(options: {
  readonly url: string;
  readonly password?: string;
  readonly onConnectionError?: (error: Error) => void;
}): Dialect {
  const pool = new Pool({
    ...postgresConnection(options.url, options.password),
    types: INDEX_TYPES,
    max: 4,
    connectionTimeoutMillis: 10_000,
    application_name: 'aal-audit-index',
  });
  pool.on('error', (error) => options.onConnectionError?.(error));
  return outageAwareDialect(new PostgresDialect({ pool }));
}
