import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run, runVisible } from './command';
import { NetworkError } from './errors';
import { log } from './progress';
import versions from '../fabric-versions.json';

interface ModulePin {
  readonly release: string;
  readonly module: string;
  readonly moduleVersion: string;
  readonly commands: readonly string[];
}

export const FABRIC: ModulePin = versions.fabric;
export const FABRIC_CA: ModulePin = versions.fabricCa;

/** Absolute paths of the Fabric executables this project runs. */
export interface FabricBinaries {
  readonly binDir: string;
  readonly peer: string;
  readonly orderer: string;
  readonly configtxgen: string;
  readonly osnadmin: string;
  /** Decodes, encodes and diffs channel configuration (config updates: `npm run org`). */
  readonly configtxlator: string;
  readonly fabricCaServer: string;
  readonly fabricCaClient: string;
  /** The downloaded Fabric module's sampleconfig/ (default core.yaml, orderer.yaml). */
  readonly sampleConfigDir: string;
}

export function cacheRoot(): string {
  return process.env.AAL_CACHE_DIR ?? join(homedir(), '.cache', 'ai-audit-ledger');
}

function buildDir(): string {
  return join(cacheRoot(), `fabric-${FABRIC.release}_ca-${FABRIC_CA.release}`);
}

function binaries(binDir: string, sampleConfigDir: string): FabricBinaries {
  return {
    binDir,
    peer: join(binDir, 'peer'),
    orderer: join(binDir, 'orderer'),
    configtxgen: join(binDir, 'configtxgen'),
    osnadmin: join(binDir, 'osnadmin'),
    configtxlator: join(binDir, 'configtxlator'),
    fabricCaServer: join(binDir, 'fabric-ca-server'),
    fabricCaClient: join(binDir, 'fabric-ca-client'),
    sampleConfigDir,
  };
}

/**
 * Builds the pinned Fabric and Fabric CA binaries from their Go modules into a cache directory
 * keyed by version, or returns the cached ones. Each module is built inside a tiny throw-away
 * module that requires it at the pinned version: `go install pkg@version` cannot be used because
 * it asks the proxy for the module's version list, which the proxy here refuses.
 */
export async function ensureBinaries(): Promise<FabricBinaries> {
  const root = buildDir();
  const binDir = join(root, 'bin');
  const marker = join(root, 'complete.json');
  if (existsSync(marker)) {
    const recorded = JSON.parse(readFileSync(marker, 'utf8')) as { sampleConfigDir: string };
    if (existsSync(join(recorded.sampleConfigDir, 'core.yaml'))) return binaries(binDir, recorded.sampleConfigDir);
  }

  await requireTool(
    'go',
    ['version'],
    'Go is needed to build Fabric: install Go 1.24 or newer (e.g. apt-get install golang)',
  );
  await requireTool('gcc', ['--version'], 'gcc is needed to build fabric-ca-server (cgo, sqlite): apt-get install gcc');

  mkdirSync(binDir, { recursive: true });
  const started = Date.now();
  log(
    `building Fabric ${FABRIC.release} and Fabric CA ${FABRIC_CA.release} into ${binDir} (several minutes when cold)`,
  );
  await buildModule(join(root, 'build-fabric'), FABRIC, binDir, [
    '-ldflags',
    `-X ${FABRIC.module}/common/metadata.Version=${FABRIC.release}`,
  ]);
  await buildModule(join(root, 'build-fabric-ca'), FABRIC_CA, binDir, [
    '-ldflags',
    `-X ${FABRIC_CA.module}/lib/metadata.Version=${FABRIC_CA.release}`,
  ]);
  const sampleConfigDir = await moduleSampleConfig(join(root, 'build-fabric'));
  writeFileSync(marker, JSON.stringify({ ...versions, sampleConfigDir, builtAt: new Date().toISOString() }, null, 2));
  log(`Fabric binaries ready in ${Math.round((Date.now() - started) / 1000)}s`);
  return binaries(binDir, sampleConfigDir);
}

async function requireTool(command: string, args: string[], hint: string): Promise<void> {
  try {
    await run(command, args, { timeoutMs: 30_000 });
  } catch (error) {
    throw new NetworkError('MISSING_TOOL', `${command} not found or not working. ${hint}`, { cause: error });
  }
}

async function buildModule(dir: string, pin: ModulePin, binDir: string, flags: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module local/build\n\ngo 1.24\n\nrequire ${pin.module} ${pin.moduleVersion}\n`);
  const imports = pin.commands.map((command) => `\t_ "${pin.module}/cmd/${command}"`).join('\n');
  writeFileSync(join(dir, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport (\n${imports}\n)\n`);
  const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '1' };
  log(`resolving ${pin.module}@${pin.moduleVersion} (${pin.release})`);
  await runVisible('go', ['mod', 'tidy'], { cwd: dir, env });
  for (const command of pin.commands) {
    log(`go build ${command}`);
    await runVisible('go', ['build', ...flags, '-o', join(binDir, command), `${pin.module}/cmd/${command}`], {
      cwd: dir,
      env,
    }).catch((error: unknown) => {
      throw new NetworkError('BUILD_FAILED', `building ${command} from ${pin.module}@${pin.moduleVersion} failed`, {
        cause: error,
      });
    });
  }
}

async function moduleSampleConfig(dir: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', `${FABRIC.module}@${FABRIC.moduleVersion}`], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new NetworkError('BUILD_FAILED', `cannot locate the Fabric module: ${info.Error ?? stdout}`);
  return join(info.Dir, 'sampleconfig');
}
