import { spawnSync } from 'node:child_process';
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
  const result = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(REPO_ROOT, 'network', 'src', 'org-cli.ts'),
      ...args,
    ],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: timeoutMs,
      env: {
        ...process.env,
        AAL_NETWORK_DIR: options.dir,
        AAL_BASE_PORT: String(options.basePort),
        AAL_ORDERERS: String(options.orderers),
        AAL_ORG_HOSTS: Object.entries(options.hosts ?? {})
          .map(([slug, host]) => `${slug}=${host}`)
          .join(','),
        ...(options.ordering === undefined ? {} : { AAL_ORDERING: options.ordering }),
      },
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
