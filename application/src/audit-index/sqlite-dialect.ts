import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { TotalTooLargeError } from './exact-total';

/**
 * Prepared statements kept per connection: ingestion runs the same few statements for every block,
 * and preparing each again (parsing and planning the SQL) was a measured share of its time. The
 * statements with IN lists of varying length are the ones that churn through the least recently used entries.
 */
export const PREPARED_STATEMENTS_KEPT = 128;

/**
 * Kysely's SQLite dialect over Node's built-in `node:sqlite` (no native build): Kysely expects
 * better-sqlite3's statement interface (parameters as one array, a `reader` flag), which this
 * adapts `DatabaseSync` to, keeping each SQL text's prepared statement for its next use.
 */
export function nodeSqliteDialect(database: DatabaseSync): SqliteDialect {
  return new SqliteDialect({ database: adapt(database) });
}

/** Opens (creating if absent) a database file, or `:memory:`, in WAL mode for crash-safe commits. */
export function openSqlite(path: string): DatabaseSync {
  const database = new DatabaseSync(path);
  if (path !== ':memory:') database.exec('PRAGMA journal_mode = WAL');
  // FULL: a committed block (rows and checkpoint) survives a power loss, not only a process crash.
  database.exec('PRAGMA synchronous = FULL');
  database.exec('PRAGMA foreign_keys = ON');
  return database;
}

/**
 * Runs a read, reporting a value past 2^53 − 1 (node:sqlite refuses to round it: ERR_OUT_OF_RANGE)
 * or a SUM past 2^63 (SQLite's "integer overflow") as the index's {@link TotalTooLargeError}, as the
 * PostgreSQL pool does, so both backends refuse the same totals the same way.
 */
function exactRead<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    // Duck-typed: node:sqlite's errors may come from another realm than this module's Error.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === 'ERR_OUT_OF_RANGE' || message === 'integer overflow')
      throw new TotalTooLargeError(/(\d+)$/.exec(String(message))?.[1] ?? 'a sum past 2^63');
    throw error;
  }
}

/** A prepared statement and whether it returns rows (asked once: `columns()` is not free). */
interface Prepared {
  readonly statement: StatementSync;
  readonly reader: boolean;
}

function adapt(database: DatabaseSync): SqliteDatabase {
  // Insertion-ordered: re-inserting on use keeps the least recently used first.
  const kept = new Map<string, Prepared>();
  const prepared = (sqlText: string): Prepared => {
    let entry = kept.get(sqlText);
    if (entry === undefined) {
      const statement = database.prepare(sqlText);
      entry = { statement, reader: statement.columns().length > 0 };
      if (kept.size >= PREPARED_STATEMENTS_KEPT) kept.delete(kept.keys().next().value ?? '');
    } else kept.delete(sqlText);
    kept.set(sqlText, entry);
    return entry;
  };
  // Kysely compiles values as unknown; the query builder only binds numbers, strings, bigints and null.
  const values = (parameters: ReadonlyArray<unknown>): SQLInputValue[] => parameters as SQLInputValue[];
  return {
    close: () => {
      kept.clear();
      database.close();
    },
    prepare(sqlText: string): SqliteStatement {
      const { statement, reader } = prepared(sqlText);
      return {
        reader,
        // all and run finish with the statement before returning, so one statement serves every call.
        all: (parameters) => exactRead(() => statement.all(...values(parameters))),
        run: (parameters) => statement.run(...values(parameters)),
        // A stream stays open across awaits: it gets a statement of its own, never a shared one.
        iterate: (parameters) => database.prepare(sqlText).iterate(...values(parameters)),
      };
    },
  };
}
