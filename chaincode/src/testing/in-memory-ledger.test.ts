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
      const result = await ledger.evaluate(user, (ctx) => ctx.stub.getStateByRangeWithPagination('k1', 'k9', 2, bookmark));
      const keys: string[] = [];
      for (let next = await result.iterator.next(); !next.done; next = await result.iterator.next()) keys.push(next.value.key);
      pages.push(keys);
      bookmark = result.metadata.bookmark;
    } while (bookmark);
    expect(pages).toEqual([['k1', 'k2'], ['k3', 'k4'], ['k5']]);
    await expect(ledger.evaluate(user, async (ctx) => ctx.stub.getStateByRangeWithPagination('\u0000x', '\u0000y', 1))).rejects.toThrow(/null character/);
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
    expect((await ledger.evaluate(user, (ctx) => ctx.stub.getPrivateDataHash('_implicit_org_HospitalAMSP', 'p'))).length).toBe(0);
  });

  it('gives the caller MSP and certificate attributes', async () => {
    const ledger = new InMemoryLedger();
    const seen = await ledger.evaluate({ mspId: 'RegulatorMSP', role: 'auditor' }, (ctx) =>
      Promise.resolve([ctx.clientIdentity.getMSPID(), ctx.clientIdentity.getAttributeValue('role')]),
    );
    expect(seen).toEqual(['RegulatorMSP', 'auditor']);
  });
});
