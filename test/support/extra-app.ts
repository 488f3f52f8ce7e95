import { AUDITOR_ORGS_ENV } from '@aal/ledger-contract';
import { APPLICATION_ENTRY, auditorOrgsValue } from '@aal/network';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** An application process a test starts itself (beside the network's own apps), with its own settings. */
export interface ExtraApp {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Sends SIGTERM (if still running) and waits for the exit. */
  stop(): Promise<number | null>;
}

/**
 * Waits until the app answers /readyz with 200: its peer answers and its auditor-read log takes
 * entries (auditor reads are refused 503 until then).
 */
export async function waitUntilReady(app: ExtraApp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await fetch(`${app.url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await sleep(100);
  }
  throw new Error(`the extra app at ${app.url} did not become ready:\n${app.output()}`);
}

/**
 * Starts `entry` (the REST app's `application/dist/main.js` unless told otherwise, e.g. the AI
 * gateway's `AI_GATEWAY_ENTRY`) with `env`, serving on 127.0.0.1:`port`; `waitForListening`
 * polls /healthz there. The app is told the network's auditor orgs, as the network's own apps are
 * (`env` may override it): its index-backed reads scope callers by them.
 */
export async function startExtraApp(
  port: number,
  env: Record<string, string>,
  waitForListening = true,
  entry = APPLICATION_ENTRY,
): Promise<ExtraApp> {
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      AAL_HOST: '127.0.0.1',
      AAL_PORT: String(port),
      [AUDITOR_ORGS_ENV]: auditorOrgsValue(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const url = `http://127.0.0.1:${port}`;
  const app: ExtraApp = {
    url,
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (!ended && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      return exited;
    },
  };
  if (!waitForListening) return app;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !ended) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return app;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await app.stop();
  throw new Error(`the extra app on port ${port} did not start:\n${output}`);
}
