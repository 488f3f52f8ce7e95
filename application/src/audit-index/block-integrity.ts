import type { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from './block-hashes';

/** Which of the ingestion checks a block failed. */
export type IntegrityCheck = 'number' | 'previous-hash' | 'data-hash' | 'header-hash';

/**
 * A block that does not belong where it arrived: a number out of sequence, a `previous_hash` that
 * is not the hash of the block before, a `data_hash` that is not the hash of its transactions, or a
 * block already indexed arriving with another hash. Ingestion of the channel stops on it.
 */
export class BlockIntegrityError extends Error {
  constructor(
    readonly channel: string,
    readonly blockNumber: number,
    readonly check: IntegrityCheck,
    detail: string,
  ) {
    super(`audit index of ${channel}: block ${blockNumber} fails the ${check} check: ${detail}`);
    this.name = 'BlockIntegrityError';
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Where the chain stands before a block: the number it must have and the hash its `previous_hash` must equal. */
export interface ChainPosition {
  readonly expectedNumber: number;
  /** Hex header hash of the block before; undefined when unknown (an index made before hashes were kept). */
  readonly previousHash: string | undefined;
}

/**
 * Checks that `block` is the next block of the chain at `position` and that its header names its
 * own transactions; returns its header hash (hex), which the next block's `previous_hash` must equal.
 * Block 0 has no previous block: its `previous_hash` must be empty.
 *
 * @throws BlockIntegrityError naming the failed check (hashes only, never content)
 */
export function verifyNextBlock(channel: string, block: common.Block, position: ChainPosition): string {
  const header = block.getHeader();
  const number = header?.getNumber();
  if (header === undefined || number === undefined)
    throw new BlockIntegrityError(channel, position.expectedNumber, 'number', 'the block has no header');
  if (number !== position.expectedNumber)
    throw new BlockIntegrityError(
      channel,
      number,
      'number',
      `block ${number} arrived, block ${position.expectedNumber} expected`,
    );
  const previous = hex(header.getPreviousHash_asU8());
  const expectedPrevious = number === 0 ? '' : position.previousHash;
  if (expectedPrevious !== undefined && previous !== expectedPrevious)
    throw new BlockIntegrityError(
      channel,
      number,
      'previous-hash',
      `previous_hash ${previous || '(empty)'} is not the hash of block ${number - 1} (${expectedPrevious || '(empty)'})`,
    );
  const dataHash = hex(header.getDataHash_asU8());
  const computed = hex(blockDataHash(block.getData()));
  if (dataHash !== computed)
    throw new BlockIntegrityError(
      channel,
      number,
      'data-hash',
      `data_hash ${dataHash || '(empty)'} is not the hash of the block's transactions (${computed})`,
    );
  return hex(blockHeaderHash(header));
}
