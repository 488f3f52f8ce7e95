import { performance } from 'node:perf_hooks';

/** What an open-loop run measured. */
export interface PacedResult {
  readonly sent: number;
  readonly failed: number;
  /** First words of each distinct error, with counts. */
  readonly errors: Readonly<Record<string, number>>;
  /** Per completed call: from the moment it was due to its end (so a late start counts against the system). */
  readonly latenciesMs: readonly number[];
  /** Per completed call that reported one: from the moment it was due to its first content byte. */
  readonly firstTokenMs: readonly number[];
  readonly elapsedMs: number;
  /** CPU time of this process (user + system) over the run. */
  readonly generatorCpuMs: number;
}

/**
 * Open-loop load: starts one call every 1000/`ratePerSecond` ms for `seconds`, whatever the
 * answers' latency (a closed loop would slow down with the system and hide its queueing), and
 * waits for all of them. `call` resolves with the time its first content arrived, if it tracks one.
 */
export async function runPaced(options: {
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly call: (index: number) => Promise<number | undefined>;
}): Promise<PacedResult> {
  const { ratePerSecond, seconds, call } = options;
  const total = Math.round(ratePerSecond * seconds);
  const intervalMs = 1000 / ratePerSecond;
  const latenciesMs: number[] = [];
  const firstTokenMs: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  const fire = (index: number): void => {
    const due = started + index * intervalMs;
    inFlight.push(
      call(index).then(
        (firstAt) => {
          const end = performance.now();
          latenciesMs.push(end - due);
          if (firstAt !== undefined) firstTokenMs.push(firstAt - due);
        },
        (error: unknown) => {
          failed++;
          const key = (error instanceof Error ? error.message : String(error)).slice(0, 80);
          errors[key] = (errors[key] ?? 0) + 1;
        },
      ),
    );
  };
  while (sent < total) {
    const dueNow = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
    while (sent < dueNow) fire(sent++);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + sent * intervalMs - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { sent, failed, errors, latenciesMs, firstTokenMs, elapsedMs, generatorCpuMs: (cpu.user + cpu.system) / 1000 };
}
