import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { OutboxFullError, OutboxUnavailableError, RecordOutbox, type OutboxEntry } from './record-outbox';

const entry = (id: string, createdMs = 0): OutboxEntry => ({ id, channel: 'hospital-a', record: '{}', createdMs });

/** The ids on disk, read through a connection of the test's own (what another process would see). */
function idsOnDisk(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('SELECT id FROM outbox ORDER BY seq').all() as { id: string }[]).map((row) => row.id);
  } finally {
    db.close();
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aal-outbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('RecordOutbox places', () => {
  let outbox: RecordOutbox;
  beforeEach(async () => {
    outbox = await RecordOutbox.open(join(dir, 'outbox.sqlite'), 2);
  });
  afterEach(async () => {
    await outbox.close();
  });

  it('holds places up to the bound; every held place can append, a third call is refused', async () => {
    const first = outbox.reserve();
    const second = outbox.reserve();
    expect(outbox.full()).toBe(true);
    expect(() => outbox.reserve()).toThrow(OutboxFullError);
    await expect(outbox.append(entry('unreserved'))).rejects.toThrow(OutboxFullError);
    await first.append(entry('a'));
    await second.append(entry('b'));
    expect(outbox.depth()).toBe(2);
    expect((await outbox.oldest(10)).map((row) => row.id)).toEqual(['a', 'b']);
  });

  it('gives a released place back; release after append and a second release change nothing', async () => {
    const place = outbox.reserve();
    place.release();
    place.release();
    const used = outbox.reserve();
    await used.append(entry('a'));
    used.release();
    expect(outbox.depth()).toBe(1);
    expect(outbox.full()).toBe(false);
    outbox.reserve();
    expect(() => outbox.reserve()).toThrow(OutboxFullError);
  });

  it('bounds a second append through a used place like any append', async () => {
    const place = outbox.reserve();
    await place.append(entry('a'));
    await place.append(entry('b'));
    await expect(place.append(entry('c'))).rejects.toThrow(OutboxFullError);
    expect(outbox.depth()).toBe(2);
  });
});

describe('RecordOutbox worker: group commit', () => {
  it('commits the appends of one turn in one transaction and answers each only once it is committed', async () => {
    const path = join(dir, 'outbox.sqlite');
    const outbox = await RecordOutbox.open(path, 1_000);
    try {
      const ids = Array.from({ length: 200 }, (_, index) => `r-${index}`);
      const appended = ids.map((id) => outbox.append(entry(id)));
      // Counted at once (the bound sees them), on disk only after the worker's commit.
      expect(outbox.depth()).toBe(200);
      await Promise.all(appended);
      expect(outbox.appendCommits()).toBe(1);
      expect(idsOnDisk(path)).toEqual(ids);
      await outbox.append(entry('later'));
      expect(outbox.appendCommits()).toBe(2);
      expect(idsOnDisk(path)).toHaveLength(201);
    } finally {
      await outbox.close();
    }
  });

  it('groups appends that arrive while a commit runs: fewer commits than turns, every append answered', async () => {
    const outbox = await RecordOutbox.open(join(dir, 'outbox.sqlite'), 10_000);
    try {
      const appended: Promise<void>[] = [];
      // 300 turns of the event loop, one append each, posted faster than fsyncs complete.
      for (let turn = 0; turn < 300; turn++) {
        appended.push(outbox.append(entry(`t-${turn}`, turn)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(appended);
      expect(outbox.depth()).toBe(300);
      expect(outbox.appendCommits()).toBeGreaterThanOrEqual(1);
      expect(outbox.appendCommits()).toBeLessThan(300);
    } finally {
      await outbox.close();
    }
  });

  it('counts depth, oldest age and refusals from the worker', async () => {
    const outbox = await RecordOutbox.open(join(dir, 'outbox.sqlite'), 10);
    try {
      await Promise.all([outbox.append(entry('a', 5_000)), outbox.append(entry('b', 1_000))]);
      expect(outbox.oldestAgeMs(11_000)).toBe(10_000);
      await outbox.refused(['b'], 'invalid: test');
      expect(outbox.depth()).toBe(1);
      expect(outbox.refusedCount()).toBe(1);
      expect(outbox.oldestAgeMs(11_000)).toBe(6_000);
      await outbox.delivered(['a']);
      expect(outbox.depth()).toBe(0);
      expect(outbox.oldestAgeMs(11_000)).toBe(0);
      expect(await outbox.oldest(10)).toEqual([]);
    } finally {
      await outbox.close();
    }
  });
});

describe('RecordOutbox worker: crash', () => {
  it('fails the appends not yet answered, refuses everything after, and never loses an answered one', async () => {
    const path = join(dir, 'outbox.sqlite');
    const outbox = await RecordOutbox.open(path, 100);
    await outbox.append(entry('answered'));
    const unanswered = [outbox.append(entry('in-flight-1')), outbox.append(entry('in-flight-2'))];
    await outbox.terminateWorker();
    for (const append of unanswered) await expect(append).rejects.toThrow(OutboxUnavailableError);
    expect(outbox.unavailable()).toMatch(/worker exited/);
    expect(() => outbox.reserve()).toThrow(OutboxUnavailableError);
    await expect(outbox.append(entry('after'))).rejects.toThrow(OutboxUnavailableError);
    await expect(outbox.oldest(10)).rejects.toThrow(OutboxUnavailableError);
    await outbox.close();

    // The answered append is on disk; the unanswered ones were never acknowledged, and 'after' never taken.
    const ids = idsOnDisk(path);
    expect(ids).toContain('answered');
    expect(ids).not.toContain('after');
  });

  it('fails a place held when the worker dies: the call it admitted cannot record, so it cannot complete', async () => {
    const outbox = await RecordOutbox.open(join(dir, 'outbox.sqlite'), 100);
    const place = outbox.reserve();
    await outbox.terminateWorker();
    await expect(place.append(entry('a'))).rejects.toThrow(OutboxUnavailableError);
    await outbox.close();
  });
});

describe('RecordOutbox restart', () => {
  it('resumes in append order, each record once, after a close and after a crash', async () => {
    const path = join(dir, 'outbox.sqlite');
    const first = await RecordOutbox.open(path, 100);
    for (const id of ['a', 'b', 'c']) await first.append(entry(id));
    await Promise.all(['d', 'e'].map((id) => first.append(entry(id))));
    await first.close();

    const second = await RecordOutbox.open(path, 100);
    expect(second.depth()).toBe(5);
    expect((await second.oldest(10)).map((row) => row.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    await second.delivered(['a', 'b']);
    await second.refused(['c'], 'invalid: test');
    const lost = second.append(entry('f'));
    await lost.catch(() => undefined);
    await second.terminateWorker();

    const third = await RecordOutbox.open(path, 100);
    try {
      expect(third.refusedCount()).toBe(1);
      // A resend of records already held (a call retried after a crash) adds nothing.
      await Promise.all(['d', 'e', 'f'].map((id) => third.append(entry(id))));
      expect((await third.oldest(10)).map((row) => row.id)).toEqual(['d', 'e', 'f']);
      expect(third.depth()).toBe(3);
      expect(idsOnDisk(path).sort()).toEqual(['c', 'd', 'e', 'f']);
    } finally {
      await third.close();
    }
  });
});
