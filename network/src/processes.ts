import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetworkError } from './errors';
import { renameServiceDefinition, serviceDefinition, writeServiceDefinition } from './service-definition';
import type { Endpoint } from './layout';
import { address } from './layout';

/** What a PID file records: enough to stop exactly the process that was started, and no other. */
export interface ProcessRecord {
  readonly name: string;
  readonly pid: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly startedAt: string;
  readonly logFile: string;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly logFile: string;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * Starts, tracks and stops the network's long-running processes. Each runs detached in its own
 * process group with output in its own log file, and is remembered in a PID file, so `down` can
 * stop exactly what `up` started even from another shell.
 */
export class ProcessSupervisor {
  constructor(
    private readonly pidsDir: string,
    /** Where each started process's {@link ServiceDefinition} is kept; none are kept without it. */
    private readonly definitionsDir?: string,
  ) {}

  private pidFile(name: string): string {
    return join(this.pidsDir, `${name}.json`);
  }

  record(name: string): ProcessRecord | undefined {
    const file = this.pidFile(name);
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
  }

  records(): ProcessRecord[] {
    if (!existsSync(this.pidsDir)) return [];
    return readdirSync(this.pidsDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(this.pidsDir, file), 'utf8')) as ProcessRecord);
  }

  isRunning(name: string): boolean {
    const record = this.record(name);
    return record !== undefined && isAlive(record);
  }

  start(options: StartOptions): ProcessRecord {
    const existing = this.record(options.name);
    if (existing && isAlive(existing)) return existing;

    mkdirSync(this.pidsDir, { recursive: true });
    const log = openSync(options.logFile, 'a');
    try {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', log, log],
        uid: options.uid,
        gid: options.gid,
      });
      if (child.pid === undefined) {
        throw new NetworkError('COMMAND_FAILED', `could not start ${options.name} (${options.command})`);
      }
      child.unref();
      const record: ProcessRecord = {
        name: options.name,
        pid: child.pid,
        command: options.command,
        args: options.args,
        startedAt: new Date().toISOString(),
        logFile: options.logFile,
      };
      writeFileSync(this.pidFile(options.name), JSON.stringify(record, null, 2));
      if (this.definitionsDir !== undefined) writeServiceDefinition(this.definitionsDir, serviceDefinition(options));
      return record;
    } finally {
      closeSync(log);
    }
  }

  /** Tracks a running process under another name (its PID file moves; the process is untouched). */
  rename(from: string, to: string): void {
    const record = this.record(from);
    if (!record) throw new NetworkError('COMMAND_FAILED', `no process ${from} to rename`);
    if (this.record(to)) throw new NetworkError('COMMAND_FAILED', `a process ${to} is tracked already`);
    writeFileSync(this.pidFile(to), JSON.stringify({ ...record, name: to }, null, 2));
    rmSync(this.pidFile(from), { force: true });
    if (this.definitionsDir !== undefined) renameServiceDefinition(this.definitionsDir, from, to);
  }

  /**
   * Stops one process (`signal`, SIGTERM by default, then SIGKILL after the grace period) and forgets it.
   */
  async stop(name: string, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
    const record = this.record(name);
    if (!record) return false;
    let stopped = false;
    if (isAlive(record)) {
      signalGroup(record.pid, signal);
      const deadline = Date.now() + graceMs;
      while (isAlive(record) && Date.now() < deadline) await sleep(100);
      if (isAlive(record)) signalGroup(record.pid, 'SIGKILL');
      while (isAlive(record)) await sleep(50);
      stopped = true;
    }
    rmSync(this.pidFile(name), { force: true });
    return stopped;
  }
}

/**
 * True when the PID is alive AND still runs the command we started: a PID recycled by the OS
 * for an unrelated process is never signalled.
 */
export function isAlive(record: Pick<ProcessRecord, 'pid' | 'command'>): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    // A zombie has exited; its parent (not us, we detached) has yet to reap it.
    if (/^\d+ \(.*\) Z /.test(stat)) return false;
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((part) => part === record.command || part.endsWith(`/${record.command.split('/').pop()}`));
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** True when something accepts TCP connections on the endpoint. */
export function isListening(endpoint: Endpoint, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: endpoint.host, port: endpoint.port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log file)';
  const content = readFileSync(file, 'utf8').trimEnd().split('\n');
  return content.slice(-lines).join('\n');
}

/**
 * Waits until the endpoint accepts connections; if the process dies or the time runs out, fails
 * with the tail of its log so the cause is on screen.
 */
export async function waitForListening(
  supervisor: ProcessSupervisor,
  name: string,
  endpoint: Endpoint,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const record = supervisor.record(name);
  while (Date.now() < deadline) {
    if (await isListening(endpoint)) return;
    if (record && !isAlive(record)) {
      throw new NetworkError(
        'NODE_UNHEALTHY',
        `${name} exited before listening on ${address(endpoint)}. Last log lines (${record.logFile}):\n${tail(record.logFile)}`,
      );
    }
    await sleep(200);
  }
  throw new NetworkError(
    'NODE_UNHEALTHY',
    `${name} did not listen on ${address(endpoint)} within ${timeoutMs / 1000}s. Last log lines:\n${record ? tail(record.logFile) : '(not started)'}`,
  );
}
