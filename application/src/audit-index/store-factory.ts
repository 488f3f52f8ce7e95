import { readFileSync } from 'node:fs';
import { Kysely } from 'kysely';
import { AuditIndexStore } from './index-store';
import { postgresDialect } from './postgres-dialect';
import { nodeSqliteDialect, openSqlite } from './sqlite-dialect';
import type { AuditIndexDatabase } from './schema';
import type { AuditIndexLocation } from './store-location';

/**
 * Opens the audit index where configuration says it lives — a PostgreSQL database (deployments,
 * the network's apps) or an SQLite file (the embedded default) — and brings its schema up to date.
 * Both run the same migrations and the same queries.
 *
 * @throws IndexDatabaseUnavailableError when a PostgreSQL server cannot be reached
 */
export async function openAuditIndexStore(
  location: AuditIndexLocation,
  options: { readonly onConnectionError?: (error: Error) => void } = {},
): Promise<AuditIndexStore> {
  const store = auditIndexStoreAt(location, options);
  try {
    await store.migrate();
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The audit index where configuration says it lives, not yet migrated and, for PostgreSQL, not yet
 * connected (the pool connects on the first query): the app starts whether or not the server is up,
 * and migrates once it answers (AuditIndex.open). An SQLite file is opened at once.
 */
export function auditIndexStoreAt(
  location: AuditIndexLocation,
  options: { readonly onConnectionError?: (error: Error) => void } = {},
): AuditIndexStore {
  if (location.backend === 'sqlite')
    return AuditIndexStore.unmigrated(
      new Kysely<AuditIndexDatabase>({ dialect: nodeSqliteDialect(openSqlite(location.path)) }),
      'sqlite',
    );
  const password = location.passwordFile === undefined ? undefined : readPasswordFile(location.passwordFile);
  const db = new Kysely<AuditIndexDatabase>({
    dialect: postgresDialect({ url: location.url, password, onConnectionError: options.onConnectionError }),
  });
  return AuditIndexStore.unmigrated(db, 'postgres');
}

/** The password file's content without its final line break (as `echo` or an editor leaves it). */
function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}
