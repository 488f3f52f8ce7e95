import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes left for the peer once {@link LedgerDisk.fill} has run: less than one block of the write load. */
const LEFT_FREE_BYTES = 64 * 1024;
/** Room above the ledger's size on the small filesystem, before the filler takes it. */
const HEADROOM_BYTES = 16 * 1024 * 1024;

/**
 * A peer's `ledgersData` moved onto a small tmpfs of its own (`mount -t tmpfs -o size=…`; the
 * suite runs as root), so the test can fill that filesystem without touching the machine's disk,
 * which other processes share. The peer must be stopped around {@link mount} and {@link unmount}:
 * they move its files.
 */
export class LedgerDisk {
  private readonly onDisk: string;
  private readonly filler: string;
  private mounted = false;

  constructor(private readonly ledgerDir: string) {
    this.onDisk = `${ledgerDir}.on-disk`;
    this.filler = join(ledgerDir, 'disk-filler');
  }

  /** Moves the ledger onto a tmpfs of its size plus {@link HEADROOM_BYTES}. */
  mount(): void {
    const used = Number(execFileSync('du', ['-sb', this.ledgerDir], { encoding: 'utf8' }).split('\t')[0]);
    renameSync(this.ledgerDir, this.onDisk);
    mkdirSync(this.ledgerDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${used + HEADROOM_BYTES},mode=0755`, 'tmpfs', this.ledgerDir]);
    this.mounted = true;
    execFileSync('cp', ['-a', `${this.onDisk}/.`, this.ledgerDir]);
  }

  /** Takes all but {@link LEFT_FREE_BYTES} of the filesystem's free space with one file. */
  fill(): void {
    const stats = statfsSync(this.ledgerDir);
    const free = stats.bavail * stats.bsize;
    execFileSync('fallocate', ['-l', String(Math.max(0, free - LEFT_FREE_BYTES)), this.filler]);
  }

  /** Frees the space again, as an operator deleting files would. */
  free(): void {
    rmSync(this.filler, { force: true });
  }

  /** Bytes free on the ledger's filesystem. */
  freeBytes(): number {
    const stats = statfsSync(this.ledgerDir);
    return stats.bavail * stats.bsize;
  }

  /** Copies the ledger (as the peer left it) back onto the disk and removes the tmpfs; safe to call in any state. */
  unmount(): void {
    if (!this.mounted) {
      if (existsSync(this.onDisk) && !existsSync(this.ledgerDir)) renameSync(this.onDisk, this.ledgerDir);
      return;
    }
    this.free();
    rmSync(this.onDisk, { recursive: true, force: true });
    mkdirSync(this.onDisk);
    execFileSync('cp', ['-a', `${this.ledgerDir}/.`, this.onDisk]);
    execFileSync('umount', [this.ledgerDir]);
    this.mounted = false;
    rmSync(this.ledgerDir, { recursive: true, force: true });
    renameSync(this.onDisk, this.ledgerDir);
  }
}
