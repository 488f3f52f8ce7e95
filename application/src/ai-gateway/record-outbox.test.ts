import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxFullError, RecordOutbox, type OutboxEntry } from './record-outbox';

const entry = (id: string): OutboxEntry => ({ id, channel: 'hospital-a', record: '{}', createdMs: 0 });

describe('RecordOutbox places', () => {
  let dir: string;
  let outbox: RecordOutbox;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-outbox-'));
    outbox = new RecordOutbox(join(dir, 'outbox.sqlite'), 2);
  });
  afterEach(() => {
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
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
    expect(outbox.oldest(10).map((row) => row.id)).toEqual(['a', 'b']);
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
