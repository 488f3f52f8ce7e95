#!/usr/bin/env node
// Runs a project command on a fresh or current machine:
//
//   node scripts/bootstrap.mjs [--deps-only | --build-missing] [-- <command> [args…]]
//
// 1. Node 24: when the machine's Node is older, installs the pinned Node 24 under .tools/
//    (scripts/node-runtime.mjs) and re-runs this script with it, its bin directory first on PATH,
//    so npm, npx, tsx, jest and every process they start (chaincode servers, apps) run on Node 24.
// 2. Installs the npm dependencies (npm ci, on Node 24) when they are missing or older than the lockfile.
// 3. Builds the workspaces (tsc): always by default; with --build-missing only when a workspace's
//    built entry point is missing; never with --deps-only.
// 4. Runs <command> (resolved on PATH, with node_modules/.bin) and exits with its status.
// Fabric binaries are built later by the network tool (network/src/binaries.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_MAJOR, NODE_VERSION, NodeRuntimeError, ensurePinnedNode, majorOf } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Progress goes to stderr: stdout belongs to the command (e.g. a key `npm run apikey` prints).
const say = (message) => console.error(`[bootstrap] ${message}`);

const argv = process.argv.slice(2);
const separator = argv.indexOf('--');
const flags = separator < 0 ? argv : argv.slice(0, separator);
const command = separator < 0 ? [] : argv.slice(separator + 1);
const known = ['--deps-only', '--build-missing'];
for (const flag of flags) {
  if (!known.includes(flag))
    fail(`unknown option '${flag}' (options: ${known.join(', ')}; the command goes after '--')`);
}

/** A child's exit status as ours: its code, or (killed by a signal) the shell's 128 + signal number. */
function statusOf(code, signal) {
  if (code !== null) return code;
  return 128 + (constants.signals[signal] ?? 0);
}

function fail(message, status = 1) {
  console.error(`[bootstrap] ${message}`);
  process.exit(status);
}

/**
 * Runs a long-lived child with the terminal, and resolves with its exit status. Ctrl-C reaches the
 * child directly (same process group), so this process only waits for it to finish its clean-up;
 * a SIGTERM/SIGHUP sent to this process alone (e.g. by npm) is passed on.
 */
function runForeground(file, args, env) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: process.cwd(), env, stdio: 'inherit' });
    const pass = (signal) => () => child.kill(signal);
    const handlers = { SIGINT: () => {}, SIGTERM: pass('SIGTERM'), SIGHUP: pass('SIGHUP') };
    for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
    child.once('error', (error) => {
      console.error(`[bootstrap] could not run ${file}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      for (const [name, handler] of Object.entries(handlers)) process.off(name, handler);
      resolve(statusOf(code, signal));
    });
  });
}

// ---- 1. Node 24 ---------------------------------------------------------------------------------

if (majorOf(process.versions.node) < NODE_MAJOR) {
  if (process.env.AAL_BOOTSTRAP_NODE !== undefined) {
    fail(
      `re-ran on ${process.execPath} but it is Node ${process.versions.node}, not ${NODE_MAJOR}; delete .tools/ and retry`,
    );
  }
  let bin;
  try {
    bin = ensurePinnedNode(root);
  } catch (error) {
    if (error instanceof NodeRuntimeError) fail(error.message);
    throw error;
  }
  say(`re-running on Node ${NODE_VERSION} (${relative(root, bin)}/node, first on PATH)`);
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    AAL_BOOTSTRAP_NODE: join(bin, 'node'),
  };
  process.exit(await runForeground(join(bin, 'node'), [fileURLToPath(import.meta.url), ...argv], env));
}

// From here on this process is Node >= 24. Its directory goes first on PATH so that `npm`, `npx` and
// every `#!/usr/bin/env node` script started below (tsx, jest, eslint) run on this same Node.
const env = {
  ...process.env,
  PATH: [dirname(process.execPath), join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
};

// ---- 2. npm dependencies --------------------------------------------------------------------------

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  say(`installing npm dependencies (npm ci on Node ${process.versions.node})…`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) fail('npm ci failed; see the output above', result.status ?? 1);
}

// ---- 3. build -------------------------------------------------------------------------------------

/** Workspaces whose package.json `main` is a build output that does not exist yet. */
function unbuiltWorkspaces() {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return workspaces.filter((workspace) => {
    const manifest = join(root, workspace, 'package.json');
    if (!existsSync(manifest)) return false;
    const { main, scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
    return scripts.build !== undefined && typeof main === 'string' && !existsSync(join(root, workspace, main));
  });
}

const missing = flags.includes('--build-missing') ? unbuiltWorkspaces() : [];
const build = !flags.includes('--deps-only') && (!flags.includes('--build-missing') || missing.length > 0);
if (build) {
  say(`building workspaces (tsc)${missing.length > 0 ? `: not built yet: ${missing.join(', ')}` : ''}…`);
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) fail('the build failed; see the output above', result.status ?? 1);
}

// ---- 4. the command -------------------------------------------------------------------------------

if (command.length > 0) {
  const [file, ...args] = command;
  process.exit(await runForeground(file, args, env));
}
