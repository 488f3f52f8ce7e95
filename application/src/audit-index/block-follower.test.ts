import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import type { common } from '@hyperledger/fabric-protos';
import { pino } from 'pino';
import { AuditIndex } from './audit-index';
import { followBlocks } from './block-follower';
import type { BlockSource } from './block-source';
import { AuditIndexStore } from './index-store';

/** A live stream that delivers nothing until closed, as a peer's is between blocks. */
function idleStream(): CloseableAsyncIterable<common.Block> & { closed: boolean } {
  let wake: (() => void) | undefined;
  const stream = {
    closed: false,
    close: (): void => {
      stream.closed = true;
      wake?.();
    },
    [Symbol.dispose]: (): void => stream.close(),
    [Symbol.asyncIterator]: (): AsyncIterator<common.Block> => ({
      next: () =>
        stream.closed
          ? Promise.resolve({ done: true, value: undefined })
          : new Promise((resolve) => {
              wake = () => resolve({ done: true, value: undefined });
            }),
    }),
  };
  return stream;
}

describe('followBlocks at shutdown', () => {
  it('ends when shutdown comes while its stream is being opened (the abort listener comes too late)', async () => {
    const index = await AuditIndex.over(await AuditIndexStore.open(':memory:'), 'audit', ['hospital-a']);
    const controller = new AbortController();
    const stream = idleStream();
    const source: BlockSource = {
      blocks: () => {
        // The app is told to stop just as the peer's stream opens (right after start-up, say).
        controller.abort();
        return Promise.resolve(stream);
      },
    };
    await followBlocks({
      index,
      source,
      channel: 'hospital-a',
      logger: pino({ level: 'silent' }),
      signal: controller.signal,
    });
    expect(stream.closed).toBe(true);
    await index.store.close();
  });
});
