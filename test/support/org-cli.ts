import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type NetworkOptions } from '@aal/network';

/** What a run of `npm run org -- …` printed and how it ended. */
export interface OrgCliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run org -- …` as the root script runs it (tsx), on this Node, against the network of `options`. */
export function orgCli(options: NetworkOptions, ...args: string[]): OrgCliRun {
  return orgCliWithin(options, 90_000, ...args);
}

/** As {@link orgCli}, for commands that may take longer (a join catching up on a long channel). */
export function orgCliWithin(options: NetworkOptions, timeoutMs: number, ...args: string[]): OrgCliRun {
  const result = spawnSync(process.execPath, orgCliArgs(args), {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: orgCliEnv(options),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `npm run org -- …` inside a network namespace (`ip netns exec`), as a member's operator runs it on
 * its own host; resolves when it ends (no more than `timeoutMs`, then it is killed). The processes
 * it starts stay in that namespace.
 */
export function orgCliInNamespace(
  namespace: string,
  options: NetworkOptions,
  timeoutMs: number,
  ...args: string[]
): Promise<OrgCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, ...orgCliArgs(args)], {
      cwd: REPO_ROOT,
      env: orgCliEnv(options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function orgCliArgs(args: readonly string[]): string[] {
  return [
    join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(REPO_ROOT, 'network', 'src', 'org-cli.ts'),
    ...args,
  ];
}

function orgCliEnv(options: NetworkOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AAL_NETWORK_DIR: options.dir,
    AAL_BASE_PORT: String(options.basePort),
    AAL_ORDERERS: String(options.orderers),
    AAL_ORG_HOSTS: Object.entries(options.hosts ?? {})
      .map(([slug, host]) => `${slug}=${host}`)
      .join(','),
    ...(options.ordering === undefined ? {} : { AAL_ORDERING: options.ordering }),
  };
}
