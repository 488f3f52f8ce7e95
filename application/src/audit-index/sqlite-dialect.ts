import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';

/**
 * Kysely's SQLite dialect over Node's built-in `node:sqlite` (no native build): Kysely expects
 * better-sqlite3's statement interface (parameters as one array, a `reader` flag), which this
 * adapts `DatabaseSync` to.
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

function adapt(database: DatabaseSync): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare(sqlText: string): SqliteStatement {
      const statement = database.prepare(sqlText);
      // Kysely compiles values as unknown; the query builder only binds numbers, strings, bigints and null.
      const values = (parameters: ReadonlyArray<unknown>): SQLInputValue[] => parameters as SQLInputValue[];
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...values(parameters)),
        run: (parameters) => statement.run(...values(parameters)),
        iterate: (parameters) => statement.iterate(...values(parameters)),
      };
    },
  };
}
