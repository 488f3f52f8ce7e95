import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The machine's CPU time so far, in clock ticks: all of it, and the part spent idle (not waiting for I/O). */
function cpuTicks(): { total: number; idle: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …: waiting for I/O counts as busy here.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: fields.reduce((sum, ticks) => sum + ticks, 0), idle: fields[3] ?? 0 };
}

/** How {@link waitForMachineAtRest} judges rest. */
export interface RestOptions {
  /** The least share of the machine's CPU time that must be idle (I/O wait is not idle). */
  readonly idleShare: number;
  /** For this many consecutive seconds. */
  readonly seconds: number;
  /** Give up waiting after this many seconds (and say so). */
  readonly maxSeconds: number;
}

/**
 * Waits until the machine has been at rest — at least `idleShare` of its CPU time idle, I/O wait
 * counted as busy — for `seconds` consecutive seconds, or `maxSeconds` have passed: after a write
 * phase, the peers' LevelDB compactions and the databases' checkpoints go on for a while, and reads
 * meant to meet a ledger at rest should not meet them.
 *
 * @returns how long it waited and whether the machine came to rest
 */
export async function waitForMachineAtRest(options: RestOptions): Promise<{ waitedSeconds: number; atRest: boolean }> {
  const started = Date.now();
  let calm = 0;
  let before = cpuTicks();
  while ((Date.now() - started) / 1000 < options.maxSeconds) {
    await sleep(1000);
    const now = cpuTicks();
    const total = now.total - before.total;
    calm = total > 0 && (now.idle - before.idle) / total >= options.idleShare ? calm + 1 : 0;
    before = now;
    if (calm >= options.seconds) return { waitedSeconds: Math.round((Date.now() - started) / 1000), atRest: true };
  }
  return { waitedSeconds: Math.round((Date.now() - started) / 1000), atRest: false };
}
