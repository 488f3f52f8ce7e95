import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import type { common } from '@hyperledger/fabric-protos';

/** Where the audit index reads committed blocks from: its own org's peer (or a test's list). */
export interface BlockSource {
  /** The channel's blocks from `startBlock` on, in order, live until closed. */
  blocks(channel: string, startBlock: bigint): Promise<CloseableAsyncIterable<common.Block>>;
}
