import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkError } from './errors';
import type { StartOptions } from './processes';

/**
 * How the network tool started one long-running process, kept so that a member can run the same
 * process under its host's service manager (service-units.ts): the command line, the working
 * directory, the user, the log file, and the environment variables the tool set for it — only
 * those; the rest of the environment the tool inherited from its shell is not the process's
 * configuration. Kept 0600: a variable may name a secret's file (never a secret itself).
 */
export interface ServiceDefinition {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Variables set for the process that the tool's own environment does not hold with the same value. */
  readonly env: Readonly<Record<string, string>>;
  readonly uid?: number;
  readonly gid?: number;
  readonly logFile: string;
}

/** The definition of a process started with `options`, while the tool's environment is `inherited`. */
export function serviceDefinition(
  options: StartOptions,
  inherited: NodeJS.ProcessEnv = process.env,
): ServiceDefinition {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (value !== undefined && inherited[name] !== value) env[name] = value;
  }
  return {
    name: options.name,
    command: options.command,
    args: [...options.args],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
    logFile: options.logFile,
  };
}

function definitionFile(dir: string, name: string): string {
  return join(dir, `${name}.json`);
}

/** Records `definition` in `dir` (replacing the process's previous one), readable by the owner only. */
export function writeServiceDefinition(dir: string, definition: ServiceDefinition): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = definitionFile(dir, definition.name);
  writeFileSync(file, `${JSON.stringify(definition, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Files the definition of process `from` under `to` (a chaincode server's next generation taking over). */
export function renameServiceDefinition(dir: string, from: string, to: string): void {
  const file = definitionFile(dir, from);
  if (!existsSync(file)) return;
  const definition = JSON.parse(readFileSync(file, 'utf8')) as ServiceDefinition;
  writeServiceDefinition(dir, { ...definition, name: to });
  rmSync(file, { force: true });
}

/**
 * The recorded definition of process `name`.
 * @throws NetworkError NOT_INITIALISED when the network tool has not started it on this host
 */
export function readServiceDefinition(dir: string, name: string): ServiceDefinition {
  const file = definitionFile(dir, name);
  if (!existsSync(file))
    throw new NetworkError(
      'NOT_INITIALISED',
      `no definition of ${name} in ${dir}: start the network (npm start) on this host first, then generate its units`,
    );
  return JSON.parse(readFileSync(file, 'utf8')) as ServiceDefinition;
}
