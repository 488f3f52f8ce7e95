import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import type { common } from '@hyperledger/fabric-protos';
import type { BlockSource } from '../audit-index/block-source';

/** A block source over fixed lists of blocks per channel (a test's peer): delivers from `startBlock` on, then ends. */
export function listBlockSource(
  chains: Readonly<Record<string, readonly common.Block[]>>,
): BlockSource & { height(channel: string): Promise<number> } {
  return {
    blocks(channel: string, startBlock: bigint): Promise<CloseableAsyncIterable<common.Block>> {
      const blocks = (chains[channel] ?? []).slice(Number(startBlock));
      let position = 0;
      const iterator: AsyncIterator<common.Block> = {
        next: () => {
          const block = blocks[position++];
          return Promise.resolve(
            block === undefined ? { done: true, value: undefined } : { done: false, value: block },
          );
        },
      };
      const close = (): void => {
        position = blocks.length;
      };
      return Promise.resolve({ [Symbol.asyncIterator]: () => iterator, close, [Symbol.dispose]: close });
    },
    height: (channel: string) => Promise.resolve(chains[channel]?.length ?? 0),
  };
}
