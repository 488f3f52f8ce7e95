import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc CPU times (`getconf CLK_TCK`, 100 on Linux x86-64). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  readonly name: string;
  /** Average CPU over the window, in percent of one core. */
  readonly cpuPercent: number;
  /** Peak resident set size since the process started (VmHWM), MiB. */
  readonly peakRssMiB: number;
}

function cpuTicks(pid: number): number {
  // Fields after the parenthesised command name: utime is the 14th, stime the 15th field overall.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

/** Measures CPU used by named processes between `start` and `stop`, and their peak RSS. */
export class ProcessSampler {
  private readonly before = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly processes: readonly { name: string; pid: number }[]) {}

  start(): void {
    this.startedAt = Date.now();
    for (const { name, pid } of this.processes) this.before.set(name, cpuTicks(pid));
  }

  stop(): ProcessUsage[] {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return this.processes.map(({ name, pid }) => ({
      name,
      cpuPercent: Math.round(((cpuTicks(pid) - (this.before.get(name) ?? 0)) / TICKS_PER_SECOND / seconds) * 100),
      peakRssMiB: peakRssMiB(pid),
    }));
  }
}
