import type { Logger } from 'pino';

/** Calls `stop` once, on the first SIGTERM or SIGINT. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      stop(signal);
    });
}

/** Exits 1 if the process is still running `graceMs` from now, saying that `what` did not finish in time. */
export function exitAfterGrace(logger: Logger, graceMs: number, what: string): void {
  setTimeout(() => {
    logger.warn({ graceMs }, `${what} did not finish in time`);
    process.exit(1);
  }, graceMs).unref();
}
