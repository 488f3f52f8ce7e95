import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadOptions {
  /** Requests in flight at once: bounded, so the system under test sets the pace. */
  readonly concurrency: number;
  /** How many operations to run in total. */
  readonly total: number;
  /** One operation; `index` runs from 0 to total-1. Resolves when the operation is committed/answered. */
  readonly operation: (index: number) => Promise<unknown>;
  /** Untimed pause after each operation before the worker's next one (default none). */
  readonly pauseMs?: number;
}

export interface LoadResult {
  readonly completed: number;
  readonly failed: number;
  /** First words of each distinct error, with counts. */
  readonly errors: Readonly<Record<string, number>>;
  readonly latenciesMs: readonly number[];
  readonly elapsedMs: number;
  /** CPU time the generator itself used (user + system), to show it was not the bottleneck. */
  readonly generatorCpuMs: number;
}

/** Runs `total` operations with at most `concurrency` in flight, timing each one. */
export async function runLoad({ concurrency, total, operation, pauseMs = 0 }: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      const begin = performance.now();
      try {
        await operation(index);
        latenciesMs.push(performance.now() - begin);
      } catch (error) {
        failed++;
        const key = (error instanceof Error ? error.message : String(error)).slice(0, 80);
        errors[key] = (errors[key] ?? 0) + 1;
      }
      if (pauseMs > 0 && next < total) await sleep(pauseMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    completed: latenciesMs.length,
    failed,
    errors,
    latenciesMs,
    elapsedMs,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
}
