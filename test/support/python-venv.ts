import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from '@aal/network';

/**
 * A Python virtual environment holding a pinned requirements file's packages, installed once per
 * file content under the cache directory (beside the Fabric binaries): python3 with venv is all a
 * fresh machine needs (`.ci/run` installs them). A venv's scripts name their interpreter by
 * absolute path, so it is built in place; a marker written last tells a finished install from an
 * interrupted one. Resolves with the venv's `bin` directory.
 */
export async function ensurePythonVenv(name: string, requirementsFile: string): Promise<string> {
  const requirements = readFileSync(requirementsFile, 'utf8');
  const digest = createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  const venv = join(cacheRoot(), `${name}-${digest}`);
  const bin = join(venv, 'bin');
  const complete = join(venv, '.complete');
  if (existsSync(complete)) return bin;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(cacheRoot(), { recursive: true });
  // Asynchronously: a blocked event loop would let the caller's kept-alive HTTP connections go stale unnoticed.
  const run = promisify(execFile);
  await run('python3', ['-m', 'venv', venv]);
  await run(join(bin, 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-input',
    '-r',
    requirementsFile,
  ]);
  writeFileSync(complete, requirements);
  return bin;
}
