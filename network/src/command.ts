import { execFile, spawn } from 'node:child_process';
import { NetworkError } from './errors';

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Milliseconds before the command is killed. */
  readonly timeoutMs?: number;
  /** Run as this user and group (the network as root runs PostgreSQL as its own system user). */
  readonly uid?: number;
  readonly gid?: number;
  /** Written to the command's standard input, which is then closed (never on its command line). */
  readonly input?: string;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a short-lived command (a Fabric CLI call, tar, go) and resolves with its output; on a
 * non-zero exit rejects with a {@link NetworkError} that quotes the command and its stderr.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        uid: options.uid,
        gid: options.gid,
      },
      (error, stdout, stderr) => {
        if (error) {
          const shown = [command.split('/').pop(), ...args].join(' ');
          const detail = (stderr || stdout || error.message).trim().split('\n').slice(-15).join('\n');
          reject(new NetworkError('COMMAND_FAILED', `'${shown}' failed:\n${detail}`, { cause: error }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a long command with its output shown live (builds), prefixing nothing. */
export function runVisible(command: string, args: readonly string[], options: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: 'inherit' });
    child.once('error', (error) =>
      reject(new NetworkError('COMMAND_FAILED', `could not run ${command}: ${error.message}`, { cause: error })),
    );
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new NetworkError('COMMAND_FAILED', `'${command} ${args.join(' ')}' exited with ${code ?? signal}`));
    });
  });
}
