import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Which database engine holds an audit index: SQLite embedded in the app, or a PostgreSQL server. */
export type AuditIndexBackend = 'sqlite' | 'postgres';

/**
 * Where an org's audit index lives, as configured: a PostgreSQL database when `AAL_AUDIT_INDEX_URL`
 * is set, else the SQLite file `AAL_AUDIT_INDEX_PATH` (see config.ts).
 */
export type AuditIndexLocation =
  | { readonly backend: 'sqlite'; readonly path: string }
  | {
      readonly backend: 'postgres';
      /** `postgres://user@host:port/database` (a password in it is allowed, a password file is preferred). */
      readonly url: string;
      /** A file (mode 0600) holding the password, so that it is in no process's environment or arguments. */
      readonly passwordFile?: string;
    };

/** The location as logs and errors may show it: never a password. */
export function describeLocation(location: AuditIndexLocation): string {
  if (location.backend === 'sqlite') return `sqlite:${location.path}`;
  const url = new URL(location.url);
  url.password = '';
  url.search = '';
  return url.toString();
}

/**
 * The file in which a network records where an org's audit index lives (`<org dir>/audit-index-location.json`),
 * so that operator commands (`npm run audit-index`) find the database the org's app uses. It holds no
 * secret: a PostgreSQL password stays in its own 0600 file, named here.
 */
export const AUDIT_INDEX_LOCATION_FILE = 'audit-index-location.json';

/** Writes `location` to `path` (see {@link AUDIT_INDEX_LOCATION_FILE}). */
export function writeAuditIndexLocation(path: string, location: AuditIndexLocation): void {
  writeFileSync(path, `${JSON.stringify(location, null, 2)}\n`, { mode: 0o644 });
}

/** Reads a location written by {@link writeAuditIndexLocation}; `undefined` when there is no such file. */
export function readAuditIndexLocation(path: string): AuditIndexLocation | undefined {
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Record<string, unknown>>;
  if (value.backend === 'sqlite' && typeof value.path === 'string') return { backend: 'sqlite', path: value.path };
  if (value.backend === 'postgres' && typeof value.url === 'string')
    return {
      backend: 'postgres',
      url: value.url,
      ...(typeof value.passwordFile === 'string' ? { passwordFile: value.passwordFile } : {}),
    };
  throw new Error(`${path} does not name an audit index location (backend sqlite with path, or postgres with url)`);
}
