import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditorReadLog, AuditorReadLogError, GENESIS_HASH, entryHash, verifyAuditorReadLog, type AuditorRead } from './auditor-read-log';

const read = (n: number): AuditorRead => ({
  time: `2026-01-01T00:00:0${n}.000Z`,
  requestId: `request-${n}`,
  keyName: 'regulator-auditor',
  role: 'auditor',
  route: 'GET /api/v1/channels/:channel/probes/:id',
  resourceIds: { channel: 'hospital-a', id: `probe-${n}` },
});

describe('the auditor-read log', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-reads-'));
    path = join(dir, 'auditor-reads.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function writeThree(): Promise<string[]> {
    const log = new AuditorReadLog(path);
    await Promise.all([log.append(read(1)), log.append(read(2)), log.append(read(3))]);
    return readFileSync(path, 'utf8').trimEnd().split('\n');
  }

  it('chains each entry to the previous one, in order, in an owner-only file', async () => {
    const lines = await writeThree();
    const entries = lines.map((line) => JSON.parse(line) as { seq: number; prevHash: string; hash: string; requestId: string });
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(entries.map((entry) => entry.requestId)).toEqual(['request-1', 'request-2', 'request-3']);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(entries[2]?.prevHash).toBe(entries[1]?.hash);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(verifyAuditorReadLog(path)).toEqual({ valid: true, entries: 3, last: { seq: 3, hash: entries[2]?.hash } });
  });

  it('continues the chain after a restart', async () => {
    await writeThree();
    const entry = await new AuditorReadLog(path).append(read(4));
    expect(entry.seq).toBe(4);
    expect(verifyAuditorReadLog(path)).toMatchObject({ valid: true, entries: 4 });
  });

  it('detects an edited entry, even with its hash recomputed', async () => {
    const lines = await writeThree();
    const edited = JSON.parse(lines[1] ?? '') as Record<string, unknown>;
    edited.keyName = 'someone-else';
    writeFileSync(path, [lines[0], JSON.stringify(edited), lines[2], ''].join('\n'));
    expect(verifyAuditorReadLog(path)).toEqual({ valid: false, line: 2, reason: 'hash does not match the entry' });

    const { hash: _old, ...unsigned } = edited as unknown as Parameters<typeof entryHash>[0] & { hash: string };
    writeFileSync(path, [lines[0], JSON.stringify({ ...unsigned, hash: entryHash(unsigned) }), lines[2], ''].join('\n'));
    expect(verifyAuditorReadLog(path)).toEqual({ valid: false, line: 3, reason: 'prevHash does not match the previous entry' });
  });

  it('detects a removed or reordered entry and a truncated line, and refuses to append to a broken chain', async () => {
    const lines = await writeThree();
    writeFileSync(path, [lines[0], lines[2], ''].join('\n'));
    expect(verifyAuditorReadLog(path)).toMatchObject({ valid: false, line: 2 });
    writeFileSync(path, [lines[1], lines[0], lines[2], ''].join('\n'));
    expect(verifyAuditorReadLog(path)).toMatchObject({ valid: false, line: 1 });
    writeFileSync(path, [lines[0], lines[1], (lines[2] ?? '').slice(0, 20)].join('\n'));
    expect(verifyAuditorReadLog(path)).toMatchObject({ valid: false, line: 3, reason: 'the last line is incomplete' });
    expect(() => new AuditorReadLog(path)).toThrow(AuditorReadLogError);
    expect(() => new AuditorReadLog(path)).toThrow(/fails verification at line 3/);
  });
});
