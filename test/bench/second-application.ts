import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiKeyStorePath, APPLICATION_ENTRY, type NetworkLayout, type OrgSpec } from '@aal/network';

/** A second REST app instance of an org, started by the bench with its own settings. */
export interface SecondApplication {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts another instance of an org's REST app beside the one the network runs — same gateway
 * profile, wallet and API keys, its own port, auditor-read log and log file — with `env` on top,
 * so the bench can compare settings (e.g. gathering off) in the same run.
 */
export async function startSecondApplication(
  layout: NetworkLayout,
  org: OrgSpec,
  port: number,
  name: string,
  env: Record<string, string>,
): Promise<SecondApplication> {
  const log = openSync(layout.logFile(`app.${org.slug}.${name}`), 'a');
  const child: ChildProcess = spawn(process.execPath, [APPLICATION_ENTRY], {
    env: {
      ...process.env,
      AAL_HOST: '127.0.0.1',
      AAL_PORT: String(port),
      AAL_GATEWAY_PROFILE: layout.gatewayProfile(org),
      AAL_WALLET_DIR: layout.appWallet(org),
      AAL_API_KEY_STORE: apiKeyStorePath(layout, org),
      AAL_AUDITOR_READ_LOG: `${layout.orgDir(org)}/auditor-reads.${name}.jsonl`,
      AAL_AUDIT_INDEX_PATH: `${layout.orgDir(org)}/audit-index.${name}.sqlite`,
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null)
      throw new Error(
        `the second ${org.name} app exited with ${child.exitCode}; see ${layout.logFile(`app.${org.slug}.${name}`)}`,
      );
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready && child.pid !== undefined) return { url, pid: child.pid, stop };
    await sleep(200);
  }
  await stop();
  throw new Error(`the second ${org.name} app did not become ready on port ${port}`);
}
