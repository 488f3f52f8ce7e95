import { createHash, createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sortedKeyJson } from '@aal/ledger-contract';
import {
  AuditorReadLog,
  AuditorReadLogError,
  AuditorReadLogUnavailableError,
  GENESIS_MAC,
  entryMac,
  verifyAuditorReadLog,
  type AuditorRead,
  type AuditorReadEntry,
} from './auditor-read-log';
import { readReadLogKey } from './read-log-key';

const read = (n: number): AuditorRead => ({
  event: 'read',
  time: `2026-01-01T00:00:0${n}.000Z`,
  requestId: `request-${n}`,
  keyName: 'regulator-auditor',
  role: 'auditor',
  route: 'GET /api/v1/channels/:channel/interactions/:id',
  resourceIds: { channel: 'hospital-a', id: `interaction-${n}` },
  readsByOwner: { HospitalAMSP: 1 },
  subjectRefs: [`HospitalAMSP:sub-${n}`],
});

describe('the auditor-read log', () => {
  let dir: string;
  let path: string;
  let keyPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-reads-'));
    path = join(dir, 'auditor-reads.jsonl');
    keyPath = `${path}.key`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A log that was never anchored, open for entries. */
  async function openLog(): Promise<AuditorReadLog> {
    const log = new AuditorReadLog({ path });
    await log.reconcile(undefined);
    return log;
  }

  async function writeThree(): Promise<AuditorReadEntry[]> {
    const log = await openLog();
    await Promise.all([log.append(read(1)), log.append(read(2)), log.append(read(3))]);
    return lines().map((line) => JSON.parse(line) as AuditorReadEntry);
  }

  const lines = (): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');
  const key = (): Buffer => readReadLogKey(keyPath);

  it('chains each entry to the previous one with an HMAC under a key of its own, both in owner-only files', async () => {
    const log = new AuditorReadLog({ path });
    expect(log.opening).toEqual({ createdKey: true });
    expect(log.name).toBe('auditor-reads');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    await log.reconcile(undefined);
    await Promise.all([log.append(read(1)), log.append(read(2)), log.append(read(3))]);
    const entries = lines().map((line) => JSON.parse(line) as AuditorReadEntry & { requestId: string });
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(entries.map((entry) => entry.requestId)).toEqual(['request-1', 'request-2', 'request-3']);
    expect(entries[0]).toMatchObject({
      event: 'read',
      readsByOwner: { HospitalAMSP: 1 },
      subjectRefs: ['HospitalAMSP:sub-1'],
      prevMac: GENESIS_MAC,
    });
    expect(entries[1]?.prevMac).toBe(entries[0]?.mac);
    expect(entries[2]?.prevMac).toBe(entries[1]?.mac);
    // The MAC is keyed: a plain hash of the same content is not it.
    const { mac, ...unsigned } = entries[0] as AuditorReadEntry;
    expect(mac).toBe(entryMac(key(), unsigned));
    expect(mac).not.toBe(createHash('sha256').update(sortedKeyJson(unsigned)).digest('hex'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(verifyAuditorReadLog(path, key())).toEqual({
      valid: true,
      entries: 3,
      last: { seq: 3, mac: entries[2]?.mac },
      gaps: [],
    });
    expect(log.position).toEqual({ seq: 3, mac: entries[2]?.mac, time: '2026-01-01T00:00:03.000Z' });
  });

  it('continues the chain after a restart, with the same key', async () => {
    await writeThree();
    const reopened = new AuditorReadLog({ path });
    expect(reopened.opening).toEqual({ createdKey: false });
    await reopened.reconcile(undefined);
    expect((await reopened.append(read(4))).seq).toBe(4);
    expect(verifyAuditorReadLog(path, key())).toMatchObject({ valid: true, entries: 4 });
  });

  it('takes no entry before it has been compared with its ledger anchor', async () => {
    const log = new AuditorReadLog({ path });
    await expect(log.append(read(1))).rejects.toBeInstanceOf(AuditorReadLogUnavailableError);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('detects an edited entry, even with its MAC recomputed without the key', async () => {
    const entries = await writeThree();
    const edited = { ...(entries[1] as AuditorReadEntry), keyName: 'someone-else' };
    const [first, , third] = lines();
    writeFileSync(path, [first, JSON.stringify(edited), third, ''].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toEqual({
      valid: false,
      problem: 'broken',
      line: 2,
      reason: 'mac does not match the entry (edited, or another key)',
    });

    // Whoever can write the file but not read the key can only guess one: the chain still fails.
    const { mac: _old, ...unsigned } = edited;
    const guessed = createHmac('sha256', Buffer.alloc(32)).update(sortedKeyJson(unsigned)).digest('hex');
    writeFileSync(path, [first, JSON.stringify({ ...unsigned, mac: guessed }), third, ''].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toMatchObject({ valid: false, line: 2 });
    // With the key, the forgery would hold up to line 2 and break at 3: the key is what protects the chain.
    writeFileSync(path, [first, JSON.stringify({ ...unsigned, mac: entryMac(key(), unsigned) }), third, ''].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toEqual({
      valid: false,
      problem: 'broken',
      line: 3,
      reason: 'prevMac does not match the previous entry',
    });
  });

  it('detects a removed or reordered entry and a truncated line, and refuses to open a broken chain', async () => {
    await writeThree();
    const [first, second, third] = lines();
    writeFileSync(path, [first, third, ''].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toMatchObject({ valid: false, line: 2 });
    writeFileSync(path, [second, first, third, ''].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toMatchObject({ valid: false, line: 1 });
    writeFileSync(path, [first, second, (third ?? '').slice(0, 20)].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toMatchObject({
      valid: false,
      line: 3,
      reason: 'the last line is incomplete',
    });
    expect(() => new AuditorReadLog({ path })).toThrow(AuditorReadLogError);
    expect(() => new AuditorReadLog({ path })).toThrow(/fails verification at line 3/);
  });

  it('detects entries removed from the end against the ledger anchor, and a log that is not the anchored one', async () => {
    const entries = await writeThree();
    const anchor = { seq: 3, head: entries[2]?.mac ?? '' };
    expect(verifyAuditorReadLog(path, key(), anchor)).toMatchObject({ valid: true, entries: 3 });
    // The file alone still verifies without its last entry; the anchor shows what is missing.
    const [first, second] = lines();
    writeFileSync(path, [first, second, ''].join('\n'));
    expect(verifyAuditorReadLog(path, key())).toMatchObject({ valid: true, entries: 2 });
    expect(verifyAuditorReadLog(path, key(), anchor)).toEqual({
      valid: false,
      problem: 'truncated',
      line: 3,
      reason: 'truncated: the ledger anchors entry 3 but the log ends at entry 2',
    });
    expect(verifyAuditorReadLog(path, key(), { seq: 2, head: 'f'.repeat(64) })).toEqual({
      valid: false,
      problem: 'diverged',
      line: 2,
      reason: 'entry 2 is not the entry the ledger anchors (its MAC differs)',
    });
  });

  it('records a gap instead of starting over when the file lost anchored entries, and verifies with it', async () => {
    const entries = await writeThree();
    const anchor = { seq: 3, head: entries[2]?.mac ?? '' };
    const [first] = lines();
    writeFileSync(path, `${first}\n`);

    const reopened = new AuditorReadLog({ path });
    const gap = await reopened.reconcile(anchor);
    const found = { seq: 1, mac: entries[0]?.mac };
    expect(gap).toEqual({ reason: 'truncated', anchored: anchor, found });
    expect(reopened.gaps).toEqual([gap]);
    const gapEntry = JSON.parse(lines()[1] ?? '') as AuditorReadEntry;
    // The gap entry continues after the anchored entry, chained to the last entry the file held.
    expect(gapEntry).toMatchObject({ seq: 4, event: 'gap', gap, prevMac: entries[0]?.mac });
    expect((await reopened.append(read(5))).seq).toBe(5);
    expect(verifyAuditorReadLog(path, key(), anchor)).toMatchObject({ valid: true, entries: 3, gaps: [gap] });
    // Restarting again finds the gap recorded against the same anchor: no second gap.
    const again = new AuditorReadLog({ path });
    expect(await again.reconcile(anchor)).toBeUndefined();
  });

  it('checks the anchor the ledger chains the latest one to (previousHead): an entry before it, or one a gap records', async () => {
    const entries = await writeThree();
    const mac = (seq: number): string => entries[seq - 1]?.mac ?? '';
    // A chain start (first anchor, or one stored before chaining) names no previous anchor.
    expect(verifyAuditorReadLog(path, key(), { seq: 3, head: mac(3) })).toMatchObject({ valid: true });
    for (const previous of [1, 2])
      expect(verifyAuditorReadLog(path, key(), { seq: 3, head: mac(3), previousHead: mac(previous) })).toMatchObject({
        valid: true,
      });
    // A previous anchor that is no entry of this log, or not one before the anchored entry: not this log's anchors.
    for (const previousHead of ['e'.repeat(64), mac(3)])
      expect(verifyAuditorReadLog(path, key(), { seq: 3, head: mac(3), previousHead })).toEqual({
        valid: false,
        problem: 'diverged',
        line: 4,
        reason: `the ledger's anchor of entry 3 follows an anchor of head ${previousHead}, which is no entry of the log`,
      });

    // After a gap, the anchor the gap records stands in for the lost entries. An anchor of a lost entry
    // cannot be checked by its MAC: once entries below the anchored one are lost, any previousHead passes.
    writeFileSync(path, `${lines()[0]}\n`);
    const reopened = new AuditorReadLog({ path });
    const gap = await reopened.reconcile({ seq: 3, head: mac(3), previousHead: mac(2) });
    expect(gap).toEqual({ reason: 'truncated', anchored: { seq: 3, head: mac(3) }, found: { seq: 1, mac: mac(1) } });
    const gapEntry = JSON.parse(lines()[1] ?? '') as AuditorReadEntry;
    const next = { seq: 4, head: gapEntry.mac };
    for (const previousHead of [mac(3), mac(2), mac(1), 'e'.repeat(64)])
      expect(verifyAuditorReadLog(path, key(), { ...next, previousHead })).toMatchObject({ valid: true, gaps: [gap] });
  });

  it('records the gap when the log and its key were removed, under a new key', async () => {
    const entries = await writeThree();
    const anchor = { seq: 3, head: entries[2]?.mac ?? '' };
    rmSync(path);
    rmSync(keyPath);
    const fresh = new AuditorReadLog({ path });
    expect(fresh.opening).toEqual({ createdKey: true });
    expect(await fresh.reconcile(anchor)).toEqual({
      reason: 'truncated',
      anchored: anchor,
      found: { seq: 0, mac: GENESIS_MAC },
    });
    expect(verifyAuditorReadLog(path, key(), anchor)).toMatchObject({ valid: true, entries: 1, last: { seq: 4 } });
  });

  it('refuses to open a log whose key is missing or open to others, and never replaces the key', async () => {
    await writeThree();
    chmodSync(keyPath, 0o644);
    expect(() => new AuditorReadLog({ path })).toThrow(/must be readable by its owner only \(chmod 600\)/);
    rmSync(keyPath);
    expect(() => new AuditorReadLog({ path })).toThrow(AuditorReadLogError);
    expect(() => new AuditorReadLog({ path })).toThrow(/holds entries but its key .* is missing/);
    expect(existsSync(keyPath)).toBe(false);
    // Another key does not verify the chain.
    writeFileSync(keyPath, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    expect(() => new AuditorReadLog({ path })).toThrow(/fails verification at line 1: mac does not match/);
  });

  it('names a tampered line before a missing key', () => {
    writeFileSync(path, '{"seq":1,"note":"not an entry"}\n');
    expect(() => new AuditorReadLog({ path })).toThrow(/fails verification at line 1: not an auditor-read entry/);
    expect(existsSync(keyPath)).toBe(false);
  });

  it('moves a log of the earlier unkeyed format aside and starts a keyed one', async () => {
    const legacy = { seq: 1, prevHash: '0'.repeat(64), time: 't', requestId: 'r', keyName: 'k', role: 'auditor' };
    const fields = [1, legacy.prevHash, 't', 'r', 'k', 'auditor', 'GET /x', [['channel', 'hospital-a']]];
    const hash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
    const line = JSON.stringify({ ...legacy, route: 'GET /x', resourceIds: { channel: 'hospital-a' }, hash });
    writeFileSync(path, `${line}\n`);
    const log = new AuditorReadLog({ path });
    expect(log.opening.archivedUnkeyedLog).toMatch(/auditor-reads\.jsonl\.unkeyed-/);
    expect(readFileSync(log.opening.archivedUnkeyedLog ?? '', 'utf8')).toBe(`${line}\n`);
    expect(readFileSync(path, 'utf8')).toBe('');
    await log.reconcile(undefined);
    expect((await log.append(read(1))).seq).toBe(1);
  });
});
