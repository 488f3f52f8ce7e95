import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isIPv4 } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './command';
import { NetworkError } from './errors';
import { HOST } from './layout';
import { isAlive, tail, type ProcessSupervisor } from './processes';
import type { PostgresBinaries } from './postgres-binaries';
import { scramSha256Verifier } from './scram-verifier';

/** One PostgreSQL server and the single database and login role it serves. */
export interface PostgresServerOptions {
  /** The process name (PID file, log file). */
  readonly name: string;
  /** The data directory (PGDATA); created, and owned by the server's user. */
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  readonly role: string;
  /** Where the role's generated password is kept for its clients (mode 0600, owned by the network's user). */
  readonly passwordFile: string;
  readonly logFile: string;
  /** The address it listens on (default {@link HOST}); clients connect from this host only. */
  readonly host?: string;
}

/** A user and group to run as. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Where the data of a server whose user cannot walk down to the network directory lives (root runs
 * the network from a private directory, e.g. one made by mktemp): a directory per data directory
 * here, linked from the network directory. Persistent across reboots, unlike /tmp.
 */
export const UNREACHABLE_DATA_BASE = '/var/tmp/ai-audit-ledger-postgres';

/** SQL identifiers this module puts into statements: plain lower-case names, nothing to quote. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Who runs PostgreSQL: the network's own user, or — when that is root, which PostgreSQL refuses —
 * the `postgres` system user the Debian package creates.
 *
 * @throws NetworkError MISSING_TOOL when running as root and there is no `postgres` user
 */
export function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (entry === undefined)
    throw new NetworkError(
      'MISSING_TOOL',
      "running as root, PostgreSQL must run as the 'postgres' system user, which does not exist: apt-get install postgresql",
    );
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * A local PostgreSQL server run like the network's other nodes (own process group, log file, PID
 * record): listening on its host's address only (127.0.0.1 by default), no Unix socket, and one way in — the role's password
 * (SCRAM) to its own database. The bootstrap superuser has no password, so nobody can log in as it.
 */
export class PostgresServer {
  private readonly runAs: RunAs | undefined;
  /** Where the server's files are: `options.dataDir`, or a directory it links to (see {@link UNREACHABLE_DATA_BASE}). */
  private readonly dataDir: string;

  constructor(
    private readonly binaries: PostgresBinaries,
    private readonly supervisor: ProcessSupervisor,
    readonly options: PostgresServerOptions,
  ) {
    for (const name of [options.database, options.role])
      if (!IDENTIFIER.test(name)) throw new NetworkError('INVALID_CONFIG', `'${name}' is not a plain SQL name`);
    this.runAs = postgresUser();
    this.dataDir = this.reachable(dirname(resolve(options.dataDir)))
      ? options.dataDir
      : join(UNREACHABLE_DATA_BASE, createHash('sha256').update(resolve(options.dataDir)).digest('hex').slice(0, 16));
  }

  /** The address the server listens on ({@link PostgresServerOptions.host}). */
  private get host(): string {
    return this.options.host ?? HOST;
  }

  /**
   * The addresses the org's app connects from: loopback, and the host's own address when the server
   * listens on another IPv4 address (a client dialling its host's address may use either as source).
   */
  private clientAddresses(): string[] {
    return [...new Set(['127.0.0.1', ...(isIPv4(this.host) ? [this.host] : [])])];
  }

  /** How a client reaches the database; the password is in {@link PostgresServerOptions.passwordFile}. */
  get url(): string {
    return `postgres://${this.options.role}@${this.host}:${this.options.port}/${this.options.database}`;
  }

  /** Creates the data directory, the role and the database once; later calls change nothing. */
  async init(): Promise<void> {
    const { dataDir } = this;
    if (existsSync(join(dataDir, 'PG_VERSION'))) return;
    // Built aside and renamed when complete: an interrupted init is redone, never half-used.
    const building = `${dataDir}.init`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(dirname(this.options.dataDir), { recursive: true });
    if (dataDir !== this.options.dataDir) {
      // Root's own directory, which the server's user may walk through but not list.
      mkdirSync(UNREACHABLE_DATA_BASE, { recursive: true, mode: 0o711 });
      chmodSync(UNREACHABLE_DATA_BASE, 0o711);
    }
    mkdirSync(building, { mode: 0o700 });
    chmodSync(building, 0o700);
    if (this.runAs !== undefined) chownSync(building, this.runAs.uid, this.runAs.gid);
    await run(
      this.binaries.initdb,
      ['-D', building, '--username=postgres', '--encoding=UTF8', '--locale=C', '--auth=reject'],
      { ...this.asUser(building), timeoutMs: 120_000 },
    );
    // Exactly one way in; the file keeps its owner (the server's user) when rewritten.
    writeFileSync(
      join(building, 'pg_hba.conf'),
      `# Written by the network tool: only ${this.options.role}, only to ${this.options.database}, only from this host, only with its password.\n` +
        this.clientAddresses()
          .map((client) => `host ${this.options.database} ${this.options.role} ${client}/32 scram-sha-256\n`)
          .join(''),
    );
    const password = randomBytes(24).toString('hex');
    // Single-user mode reads one statement per line from stdin; the server sees only the verifier.
    const { stdout, stderr } = await run(
      this.binaries.postgres,
      ['--single', '-D', building, '-c', 'unix_socket_directories=', 'postgres'],
      {
        ...this.asUser(building),
        input:
          `CREATE ROLE ${this.options.role} LOGIN PASSWORD '${scramSha256Verifier(password)}'\n` +
          `CREATE DATABASE ${this.options.database} OWNER ${this.options.role}\n`,
      },
    );
    if (/\b(ERROR|FATAL|PANIC):/.test(`${stdout}\n${stderr}`))
      throw new NetworkError('COMMAND_FAILED', `setting up ${this.options.name} failed:\n${stderr || stdout}`);
    writeSecret(this.options.passwordFile, password);
    renameSync(building, dataDir);
    if (dataDir !== this.options.dataDir) {
      rmSync(this.options.dataDir, { recursive: true, force: true });
      symlinkSync(dataDir, this.options.dataDir);
    }
  }

  /** Starts the server (if not running) and waits until it accepts connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    const { name, port, logFile } = this.options;
    const { dataDir } = this;
    this.supervisor.start({
      name,
      command: this.binaries.postgres,
      args: [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${this.host}`,
        '-c',
        'unix_socket_directories=',
        // Small: one per org on a developer machine, a handful of connections each.
        '-c',
        'shared_buffers=32MB',
        '-c',
        'max_connections=30',
      ],
      cwd: dataDir,
      logFile,
      ...(this.runAs ?? {}),
    });
    await this.waitReady(timeoutMs);
  }

  /**
   * Stops the server with PostgreSQL's fast shutdown (SIGINT): open sessions are ended and their
   * transactions rolled back, rather than waited for as SIGTERM's smart shutdown would (the org's
   * app keeps connections open). `network down` stops the apps first and needs no such thing.
   */
  async stop(graceMs = 30_000): Promise<void> {
    await this.supervisor.stop(this.options.name, graceMs, 'SIGINT');
  }

  /** Whether the server's process (as its PID record names it) is running. */
  isRunning(): boolean {
    return this.supervisor.isRunning(this.options.name);
  }

  /** Polls `pg_isready` until the server accepts connections; fails with its log when it dies or never does. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const { name, port, database, role } = this.options;
    const deadline = Date.now() + timeoutMs;
    const record = this.supervisor.record(name);
    while (Date.now() < deadline) {
      try {
        await run(this.binaries.pgIsReady, [
          '-h',
          this.host,
          '-p',
          String(port),
          '-d',
          database,
          '-U',
          role,
          '-t',
          '2',
        ]);
        return;
      } catch {
        // Not accepting connections yet (starting up, or not listening).
      }
      if (record !== undefined && !isAlive(record))
        throw new NetworkError(
          'NODE_UNHEALTHY',
          `${name} (PostgreSQL) exited before accepting connections on ${this.host}:${port}. Last log lines (${record.logFile}):\n${tail(record.logFile)}`,
        );
      await sleep(250);
    }
    throw new NetworkError(
      'NODE_UNHEALTHY',
      `${name} (PostgreSQL) did not accept connections on ${this.host}:${port} within ${timeoutMs / 1000}s. Last log lines:\n${tail(this.options.logFile)}`,
    );
  }

  private asUser(cwd: string): { uid?: number; gid?: number; cwd: string } {
    return { ...(this.runAs ?? {}), cwd };
  }

  /** Whether the server's user can walk down to `dir` (always, when it is the network's own user). */
  private reachable(dir: string): boolean {
    if (this.runAs === undefined) return true;
    const { uid, gid } = this.runAs;
    for (let path = dir; ; path = dirname(path)) {
      if (!existsSync(path)) {
        if (path === dirname(path)) return true;
        continue;
      }
      const { uid: owner, gid: group, mode } = statSync(path);
      const traversable =
        owner === uid ? (mode & 0o100) !== 0 : group === gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
      if (!traversable) return false;
      if (path === dirname(path)) return true;
    }
  }
}

/**
 * Deletes a server's data directory — also where it really is, when it is a link to a directory
 * under {@link UNREACHABLE_DATA_BASE}.
 */
export function removeDataDir(dataDir: string): void {
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink()) {
    const target = resolve(dirname(dataDir), readlinkSync(dataDir));
    if (dirname(target) === UNREACHABLE_DATA_BASE) rmSync(target, { recursive: true, force: true });
  }
  rmSync(dataDir, { recursive: true, force: true });
}

/** Writes a secret readable by its owner only (the umask cannot widen it), replacing an older one. */
function writeSecret(file: string, secret: string): void {
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}
