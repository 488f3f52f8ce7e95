import type { Context } from 'fabric-contract-api';
import { InMemoryLedger } from './in-memory-ledger';

const user = { mspId: 'HospitalAMSP', role: 'recorder' };
const put = (key: string, value: string) => async (ctx: Context) => ctx.stub.putState(key, Buffer.from(value));

describe('InMemoryLedger', () => {
  it('commits writes of a successful submit and discards those of a failed one', async () => {
    const ledger = new InMemoryLedger();
    await ledger.submit(user, put('a', '1'));
    await expect(
      ledger.submit(user, async (ctx) => {
        await ctx.stub.putState('b', Buffer.from('2'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(ledger.keys()).toEqual(['a']);
  });

  it('does not let a transaction read its own writes, as on a peer', async () => {
    const ledger = new InMemoryLedger();
    const seen = await ledger.submit(user, async (ctx) => {
      await ctx.stub.putState('k', Buffer.from('v'));
      return (await ctx.stub.getState('k')).length;
    });
    expect(seen).toBe(0);
    expect(ledger.get('k')).toBe('v');
  });

  it('pages a key range with bookmarks and refuses composite keys there', async () => {
    const ledger = new InMemoryLedger();
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) await ledger.submit(user, put(key, key));
    const pages: string[][] = [];
    let bookmark = '';
    do {
      const result = await ledger.evaluate(user, (ctx) =>
        ctx.stub.getStateByRangeWithPagination('k1', 'k9', 2, bookmark),
      );
      const keys: string[] = [];
      for (let next = await result.iterator.next(); !next.done; next = await result.iterator.next())
        keys.push(next.value.key);
      pages.push(keys);
      bookmark = result.metadata.bookmark;
    } while (bookmark);
    expect(pages).toEqual([['k1', 'k2'], ['k3', 'k4'], ['k5']]);
    await expect(
      ledger.evaluate(user, async (ctx) => ctx.stub.getStateByRangeWithPagination('\u0000x', '\u0000y', 1)),
    ).rejects.toThrow(/null character/);
  });

  /** Every key of one paginated range read, with the returned metadata (absent as the shim leaves it). */
  async function pageOf(
    ledger: InMemoryLedger,
    read: (ctx: Context) => Promise<{
      iterator: { next(): Promise<{ value: { key: string }; done?: boolean }> };
      metadata?: { bookmark: string; fetchedRecordsCount: number };
    }>,
  ): Promise<{ keys: string[]; metadata: { bookmark: string; fetchedRecordsCount: number } | undefined }> {
    return ledger.evaluate(user, async (ctx) => {
      const { iterator, metadata } = await read(ctx);
      const keys: string[] = [];
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        keys.push(next.value.key);
      return { keys, metadata };
    });
  }

  it('resumes at a bookmark as the peer does: the bookmark replaces the start key, unchecked, and the end key stays', async () => {
    const ledger = new InMemoryLedger();
    for (const key of ['a1', 'k1', 'k2', 'k3', 'z1']) await ledger.submit(user, put(key, key));
    await ledger.submit(user, async (ctx) => {
      await ctx.stub.putState(ctx.stub.createCompositeKey('record', ['r1']), Buffer.from('secret'));
      await ctx.stub.putState(ctx.stub.createCompositeKey('other', ['o1']), Buffer.from('other'));
    });
    const range = (bookmark: string, pageSize = 10) =>
      pageOf(ledger, (ctx) => ctx.stub.getStateByRangeWithPagination('k1', 'k9', pageSize, bookmark));
    // A bookmark before the range walks keys outside it — composite keys included — up to the end key.
    expect(await range('a')).toEqual({
      keys: ['a1', 'k1', 'k2', 'k3'],
      metadata: { bookmark: '', fetchedRecordsCount: 4 },
    });
    expect(await range('\u0000', 2)).toEqual({
      keys: ['\u0000other\u0000o1\u0000', '\u0000record\u0000r1\u0000'],
      metadata: { bookmark: 'a1', fetchedRecordsCount: 2 },
    });
    // Inside the range it starts there, inclusive; past the end key nothing comes back, and no metadata.
    expect(await range('k2', 1)).toEqual({ keys: ['k2'], metadata: { bookmark: 'k3', fetchedRecordsCount: 1 } });
    expect(await range('k9')).toEqual({ keys: [], metadata: undefined });
    // The same for a partial composite key: its range is the prefix up to prefix + U+10FFFF.
    const composite = (bookmark: string) =>
      pageOf(ledger, (ctx) => ctx.stub.getStateByPartialCompositeKeyWithPagination('record', [], 10, bookmark));
    expect((await composite('')).keys).toEqual(['\u0000record\u0000r1\u0000']);
    expect((await composite('\u0000other')).keys).toEqual(['\u0000other\u0000o1\u0000', '\u0000record\u0000r1\u0000']);
    expect((await composite('a')).keys).toEqual([]);
  });

  it('orders keys by their UTF-8 bytes, as LevelDB does, not by JavaScript string order', async () => {
    const ledger = new InMemoryLedger();
    // U+FFFD sorts after U+10000 in UTF-16 code units (0xFFFD > 0xD800) but before it in UTF-8 (EF… < F0…).
    for (const key of ['k\u{10000}', 'k\uFFFD']) await ledger.submit(user, put(key, key));
    expect((await pageOf(ledger, (ctx) => ctx.stub.getStateByRangeWithPagination('k', 'l', 10, ''))).keys).toEqual([
      'k\uFFFD',
      'k\u{10000}',
    ]);
    expect(
      (await pageOf(ledger, (ctx) => ctx.stub.getStateByRangeWithPagination('k', 'k\u{10000}', 10, ''))).keys,
    ).toEqual(['k\uFFFD']);
  });

  it('answers a page size of 0 without a bookmark as a plain range query, without metadata', async () => {
    const ledger = new InMemoryLedger();
    for (const key of ['k1', 'k2']) await ledger.submit(user, put(key, key));
    expect(await pageOf(ledger, (ctx) => ctx.stub.getStateByRangeWithPagination('k1', 'k9', 0, ''))).toEqual({
      keys: ['k1', 'k2'],
      metadata: undefined,
    });
  });

  it('keeps key history, private data with hashes, purge, transient data and the last event', async () => {
    const ledger = new InMemoryLedger();
    await ledger.submit(user, put('h', 'v1'));
    await ledger.submit(user, put('h', 'v2'));
    const history = await ledger.evaluate(user, async (ctx) => {
      const values: string[] = [];
      for await (const entry of ctx.stub.getHistoryForKey('h')) values.push(Buffer.from(entry.value).toString());
      return values;
    });
    expect(history).toEqual(['v2', 'v1']);

    await ledger.submit(
      user,
      async (ctx) => {
        const secret = ctx.stub.getTransient().get('secret') ?? new Uint8Array();
        await ctx.stub.putPrivateData('_implicit_org_HospitalAMSP', 'p', secret);
        ctx.stub.setEvent('First', Buffer.from('{"n":1}'));
        ctx.stub.setEvent('Second', Buffer.from('{"n":2}'));
      },
      { transient: { secret: 's3cret' } },
    );
    expect(ledger.getPrivate('_implicit_org_HospitalAMSP', 'p')).toBe('s3cret');
    expect(ledger.events.map((event) => event.name)).toEqual(['Second']);
    const hash = await ledger.evaluate(user, (ctx) => ctx.stub.getPrivateDataHash('_implicit_org_HospitalAMSP', 'p'));
    expect(hash.length).toBe(32);

    await ledger.submit(user, (ctx) => ctx.stub.purgePrivateData('_implicit_org_HospitalAMSP', 'p'));
    expect(ledger.getPrivate('_implicit_org_HospitalAMSP', 'p')).toBeUndefined();
    expect(
      (await ledger.evaluate(user, (ctx) => ctx.stub.getPrivateDataHash('_implicit_org_HospitalAMSP', 'p'))).length,
    ).toBe(0);
  });

  it('gives the caller MSP and certificate attributes', async () => {
    const ledger = new InMemoryLedger();
    const seen = await ledger.evaluate({ mspId: 'RegulatorMSP', role: 'auditor' }, (ctx) =>
      Promise.resolve([ctx.clientIdentity.getMSPID(), ctx.clientIdentity.getAttributeValue('role')]),
    );
    expect(seen).toEqual(['RegulatorMSP', 'auditor']);
  });
});
