import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkError } from './errors';

/** The PostgreSQL server programs the network runs (Debian's `postgresql` package). */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly pgIsReady: string;
  /** The major version, from the directory name (`/usr/lib/postgresql/<major>/bin`). */
  readonly major: string;
}

/** Where Debian installs each major version's server binaries (they are not on PATH). */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * The server binaries of the newest PostgreSQL installed under /usr/lib/postgresql (or in
 * `AAL_POSTGRES_BIN_DIR`, for other layouts).
 *
 * @throws NetworkError MISSING_TOOL naming the package to install
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  const explicit = env.AAL_POSTGRES_BIN_DIR;
  const candidates =
    explicit !== undefined && explicit !== ''
      ? [{ dir: explicit, major: 'custom' }]
      : (existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT) : [])
          .filter((name) => /^\d+$/.test(name))
          .sort((a, b) => Number(b) - Number(a))
          .map((major) => ({ dir: join(DEBIAN_ROOT, major, 'bin'), major }));
  for (const { dir, major } of candidates) {
    const binaries = {
      initdb: join(dir, 'initdb'),
      postgres: join(dir, 'postgres'),
      pgIsReady: join(dir, 'pg_isready'),
      major,
    };
    if ([binaries.initdb, binaries.postgres, binaries.pgIsReady].every((file) => existsSync(file))) return binaries;
  }
  throw new NetworkError(
    'MISSING_TOOL',
    `PostgreSQL's server binaries (initdb, postgres, pg_isready) were not found in ${explicit || `${DEBIAN_ROOT}/<version>/bin`}: ` +
      `each org's audit index runs on a local PostgreSQL server. Install it with 'apt-get install postgresql' ` +
      `(or set AAL_POSTGRES_BIN_DIR to the directory holding them).`,
  );
}
