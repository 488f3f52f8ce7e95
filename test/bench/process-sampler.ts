import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc CPU times (`getconf CLK_TCK`, 100 on Linux x86-64). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  readonly name: string;
  /** Average CPU over the window, in percent of one core. */
  readonly cpuPercent: number;
  /** CPU time (user + system) the process used over the window, ms (10 ms resolution). */
  readonly cpuMs: number;
  /** Peak resident set size since the process started (VmHWM), MiB. */
  readonly peakRssMiB: number;
}

/** Fields of /proc/<pid>/stat after the parenthesised command name (field 3, `state`, is index 0). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited since it was listed
  }
}

/** Every live process's children, by parent pid (from each /proc/<pid>/stat's `ppid`). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(Number(entry))?.[1]);
    if (!Number.isInteger(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  return children;
}

/**
 * CPU ticks of a process and its descendants: its own user and system time (fields 14, 15), its
 * reaped children's (16, 17), and each live child's the same way — so a server that forks a process
 * per connection (PostgreSQL) is counted whole, as the connections come and go.
 */
function cpuTicks(pid: number, children: Map<number, number[]>): number {
  const fields = statFields(pid);
  if (fields === undefined) return 0;
  const own = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return (children.get(pid) ?? []).reduce((sum, child) => sum + cpuTicks(child, children), own);
}

function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

/** Measures CPU used by named processes (with their child processes) between `start` and `stop`, and their peak RSS. */
export class ProcessSampler {
  private readonly before = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly processes: readonly { name: string; pid: number }[]) {}

  start(): void {
    this.startedAt = Date.now();
    const children = childrenByParent();
    for (const { name, pid } of this.processes) this.before.set(name, cpuTicks(pid, children));
  }

  stop(): ProcessUsage[] {
    const seconds = (Date.now() - this.startedAt) / 1000;
    const children = childrenByParent();
    return this.processes.map(({ name, pid }) => {
      const cpuSeconds = (cpuTicks(pid, children) - (this.before.get(name) ?? 0)) / TICKS_PER_SECOND;
      return {
        name,
        cpuPercent: Math.round((cpuSeconds / seconds) * 100),
        cpuMs: Math.round(cpuSeconds * 1000),
        peakRssMiB: peakRssMiB(pid),
      };
    });
  }
}
