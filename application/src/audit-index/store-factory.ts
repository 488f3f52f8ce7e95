import { readFileSync } from 'node:fs';
import { Kysely } from 'kysely';
import { AuditIndexStore } from './index-store';
import { postgresDialect } from './postgres-dialect';
import type { AuditIndexDatabase } from './schema';
import type { AuditIndexLocation } from './store-location';

/**
 * Opens the audit index where configuration says it lives — a PostgreSQL database (deployments,
 * the network's apps) or an SQLite file (the embedded default) — and brings its schema up to date.
 * Both run the same migrations and the same queries.
 */
export async function openAuditIndexStore(
  location: AuditIndexLocation,
  options: { readonly onConnectionError?: (error: Error) => void } = {},
): Promise<AuditIndexStore> {
  if (location.backend === 'sqlite') return AuditIndexStore.open(location.path);
  const password = location.passwordFile === undefined ? undefined : readPasswordFile(location.passwordFile);
  const db = new Kysely<AuditIndexDatabase>({
    dialect: postgresDialect({ url: location.url, password, onConnectionError: options.onConnectionError }),
  });
  try {
    return await AuditIndexStore.connect(db, 'postgres');
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** The password file's content without its final line break (as `echo` or an editor leaves it). */
function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}
