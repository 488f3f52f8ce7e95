import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinaries, PostgresServer, ProcessSupervisor } from '@aal/network';

/**
 * A throw-away PostgreSQL server for the audit index store's tests, started by the network tool's
 * own PostgreSQL code (the same as each org's server), in a temporary directory. Global setup
 * starts it and hands its location to the test workers in these variables; global teardown stops it.
 */
export const SCRATCH_POSTGRES_ENV = {
  url: 'AAL_TEST_POSTGRES_URL',
  passwordFile: 'AAL_TEST_POSTGRES_PASSWORD_FILE',
  dir: 'AAL_TEST_POSTGRES_DIR',
} as const;

const NAME = 'postgres.scratch';

/** A port no one listens on now, from the kernel's ephemeral range (outside every network's block). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startScratchPostgres(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-index-pg-'));
  // Run as root, the server runs as the postgres user, which must be able to enter this directory.
  chmodSync(dir, 0o755);
  const server = new PostgresServer(findPostgresBinaries(), new ProcessSupervisor(join(dir, 'pids')), {
    name: NAME,
    dataDir: join(dir, 'data'),
    port: await freePort(),
    database: 'audit_index_test',
    role: 'audit_index_app',
    passwordFile: join(dir, 'password'),
    logFile: join(dir, 'postgres.log'),
  });
  await server.init();
  await server.start();
  process.env[SCRATCH_POSTGRES_ENV.url] = server.url;
  process.env[SCRATCH_POSTGRES_ENV.passwordFile] = server.options.passwordFile;
  process.env[SCRATCH_POSTGRES_ENV.dir] = dir;
}

/** Stops the server by its PID record and deletes its directory (its data is the tests' only). */
export async function stopScratchPostgres(): Promise<void> {
  const dir = process.env[SCRATCH_POSTGRES_ENV.dir];
  if (dir === undefined) return;
  const supervisor = new ProcessSupervisor(join(dir, 'pids'));
  await supervisor.stop(NAME);
  if (supervisor.isRunning(NAME)) throw new Error(`${NAME} still runs after stop`);
  rmSync(dir, { recursive: true, force: true });
}
