import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The cgroup v2 hierarchy (these machines: hybrid layout, v1 controllers and v2 under `unified`). */
const CGROUP2 = existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
/** Where nft resolves `socket cgroupv2` paths: always below /sys/fs/cgroup. */
const NFT_CGROUP_ROOT = '/sys/fs/cgroup';
/** The mark a packet from the cut org's processes carries from the output hook to the input hook (loopback keeps it). */
const CUT_MARK = '0x6c1';

/**
 * Cuts one org's peer and app off from the other orgs' peers and the orderers with a packet filter,
 * while every process keeps running. All nodes listen on 127.0.0.1, so ports alone cannot tell the
 * org's own app from another org's peer calling its peer: the org's processes run in a cgroup v2
 * group of their own, and nftables decides by the sending socket's group (output hook, marked for
 * the input hook) and the receiving socket's group (input hook). A socket keeps the group of the
 * process that created it, so the org's processes must be **started** inside the group
 * ({@link startInside}): moving a running process does not move its open connections. Needs root
 * and nft (`apt-get install nftables`); the test itself, PostgreSQL and every other process on the
 * machine are outside the group and unaffected.
 */
export class OrgCut {
  private readonly table: string;
  private readonly group: string;

  /** `id` makes the table and group this network's own (e.g. its base port). */
  constructor(id: string | number) {
    this.table = `aal_org_cut_${id}`;
    this.group = `aal-cut-${id}`;
  }

  /** Runs `start` (which spawns the org's processes) with this process inside the group, so its children start there. */
  async startInside(start: () => Promise<void>): Promise<void> {
    mkdirSync(join(CGROUP2, this.group), { recursive: true });
    if (CGROUP2 !== NFT_CGROUP_ROOT && !this.mounted()) {
      mkdirSync(join(NFT_CGROUP_ROOT, this.group), { recursive: true });
      execFileSync('mount', ['--bind', join(CGROUP2, this.group), join(NFT_CGROUP_ROOT, this.group)]);
    }
    writeFileSync(join(CGROUP2, this.group, 'cgroup.procs'), String(process.pid));
    try {
      await start();
    } finally {
      writeFileSync(join(CGROUP2, 'cgroup.procs'), String(process.pid));
    }
  }

  /**
   * Drops every packet between the group and the rest: connections from the group to `restPorts`
   * (the orderers' and other peers' listening ports) and from outside the group to `ownPeerPort`
   * (the org's peer; its own app, inside the group, still reaches it).
   */
  cut(ownPeerPort: number, restPorts: readonly number[]): void {
    const rest = `{ ${restPorts.join(', ')} }`;
    const group = `socket cgroupv2 level 1 "${this.group}"`;
    execFileSync('nft', ['-f', '-'], {
      input: [
        `table inet ${this.table} {`,
        '  chain out {',
        '    type filter hook output priority 0;',
        `    ${group} meta mark set ${CUT_MARK}`,
        `    ${group} tcp dport ${rest} drop`,
        '  }',
        '  chain in {',
        '    type filter hook input priority 0;',
        `    meta mark != ${CUT_MARK} ${group} tcp dport ${ownPeerPort} drop`,
        `    meta mark != ${CUT_MARK} ${group} tcp sport ${rest} drop`,
        '  }',
        '}',
      ].join('\n'),
    });
  }

  /** Lets the traffic through again (the processes stay in the group, which no rule names any more). */
  heal(): void {
    if (execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).includes(`inet ${this.table}`))
      execFileSync('nft', ['delete', 'table', 'inet', this.table]);
  }

  /** Heals, moves the group's processes back to the root group and removes the group; safe in any state. */
  remove(): void {
    this.heal();
    const procs = join(CGROUP2, this.group, 'cgroup.procs');
    if (existsSync(procs))
      for (const pid of readFileSync(procs, 'utf8').split('\n').filter(Boolean))
        writeFileSync(join(CGROUP2, 'cgroup.procs'), pid);
    if (CGROUP2 !== NFT_CGROUP_ROOT && this.mounted()) {
      execFileSync('umount', [join(NFT_CGROUP_ROOT, this.group)]);
      rmdirSync(join(NFT_CGROUP_ROOT, this.group));
    }
    if (existsSync(join(CGROUP2, this.group))) rmdirSync(join(CGROUP2, this.group));
  }

  private mounted(): boolean {
    return readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${join(NFT_CGROUP_ROOT, this.group)} `);
  }
}
