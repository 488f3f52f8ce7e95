import type { common } from '@hyperledger/fabric-protos';
import { decodeBlock } from './block-decoder';
import type { AuditIndexStore } from './index-store';

/**
 * The org's audit index: the store plus what readers wait on — the block height it reflects per
 * channel. Blocks are applied one at a time per channel, in order (see block-follower.ts).
 */
export class AuditIndex {
  private readonly heights = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly store: AuditIndexStore,
    readonly chaincode: string,
  ) {}

  /** Opens the index over a store, reading each channel's checkpoint. */
  static async over(store: AuditIndexStore, chaincode: string, channels: readonly string[]): Promise<AuditIndex> {
    const index = new AuditIndex(store, chaincode);
    for (const channel of channels) {
      const checkpoint = await store.checkpoint(channel);
      if (checkpoint !== undefined) index.heights.set(channel, checkpoint);
    }
    return index;
  }

  /** The last block of `channel` the index reflects, or undefined before its first block. */
  asOfBlock(channel: string): number | undefined {
    return this.heights.get(channel);
  }

  /** The block to read next on `channel`. */
  nextBlock(channel: string): bigint {
    const height = this.heights.get(channel);
    return height === undefined ? 0n : BigInt(height) + 1n;
  }

  /** Decodes and stores one committed block; a block already indexed changes nothing. */
  async ingest(channel: string, block: common.Block): Promise<boolean> {
    const decoded = decodeBlock(block, this.chaincode);
    const { applied, checkpoint } = await this.store.applyBlock(channel, decoded);
    if (checkpoint !== this.heights.get(channel)) {
      this.heights.set(channel, checkpoint);
      for (const wake of [...this.waiters]) wake();
    }
    return applied;
  }

  /** Resolves true once `channel`'s index reflects block `minBlock`, false after `timeoutMs`. */
  async reached(channel: string, minBlock: number, timeoutMs: number): Promise<boolean> {
    const done = (): boolean => (this.heights.get(channel) ?? -1) >= minBlock;
    if (done()) return true;
    return new Promise((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(check);
    });
  }
}
