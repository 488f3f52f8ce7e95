import type { common } from '@hyperledger/fabric-protos';
import { decodeBlock } from './block-decoder';
import { blockHeaderHash } from './block-hashes';
import { BlockIntegrityError, verifyNextBlock } from './block-integrity';
import type { AuditIndexStore, ChainState } from './index-store';
import { IndexDatabaseUnavailableError } from './index-database-unavailable';
import { timeAnomaliesOf, transactionTimes } from './transaction-times';

/** Why a channel's ingestion stopped: the block and the check it failed (no content). */
export interface IngestionHalt {
  readonly channel: string;
  readonly blockNumber: number;
  readonly check: BlockIntegrityError['check'];
  readonly message: string;
}

/**
 * The org's audit index: the store plus what readers wait on — the block height it reflects per
 * channel — and the hash chain each channel's next block is checked against. Blocks are applied one
 * at a time per channel, in order (see block-follower.ts).
 *
 * An index is open once its database has answered: migrations applied and checkpoints read. The
 * app creates it {@link AuditIndex.unopened} and the block followers open it when the database can be
 * reached (retrying with their backoff), so the app starts and serves ledger routes while its index
 * database is down; index reads are refused (503) until then.
 */
export class AuditIndex {
  private readonly chains = new Map<string, ChainState>();
  private readonly halts = new Map<string, IngestionHalt>();
  private readonly waiters = new Set<() => void>();
  private opened = false;
  private opening: Promise<void> | undefined;

  private constructor(
    readonly store: AuditIndexStore,
    readonly chaincode: string,
    private readonly channels: readonly string[],
  ) {}

  /** Opens the index over a store, reading each channel's checkpoint. */
  static async over(store: AuditIndexStore, chaincode: string, channels: readonly string[]): Promise<AuditIndex> {
    const index = new AuditIndex(store, chaincode, channels);
    await index.loadCheckpoints();
    index.opened = true;
    return index;
  }

  /**
   * An index over a store whose database has not been reached yet (unmigrated, see
   * AuditIndexStore.unmigrated): nothing is read until {@link open}.
   */
  static unopened(store: AuditIndexStore, chaincode: string, channels: readonly string[]): AuditIndex {
    return new AuditIndex(store, chaincode, channels);
  }

  /** Whether the database has answered once: migrations applied, checkpoints read. */
  isOpen(): boolean {
    return this.opened;
  }

  /**
   * Migrates the database and reads every channel's checkpoint, once; concurrent callers share the
   * attempt, and a failed attempt (the database unreachable) is tried again by the next call.
   *
   * @throws IndexDatabaseUnavailableError when the database cannot be reached
   */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opening ??= (async () => {
      try {
        await this.store.migrate();
        await this.loadCheckpoints();
        this.opened = true;
        for (const wake of [...this.waiters]) wake();
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  /**
   * Opens the index if needed and reads `channel`'s checkpoint again from the database, before a
   * block stream (re)starts: after an outage the database decides where ingestion resumes (a commit
   * whose acknowledgement was lost is not applied twice, a restored backup is caught up from its own
   * checkpoint).
   *
   * @throws IndexDatabaseUnavailableError when the database cannot be reached
   */
  async resume(channel: string): Promise<void> {
    await this.open();
    const stored = await this.store.chainState(channel);
    if (stored === undefined) this.chains.delete(channel);
    else this.chains.set(channel, stored);
  }

  /**
   * Whether the database answers now (opening the index if it is not yet, then a trivial query, all
   * bounded by `timeoutMs`), for `/readyz`: undefined when it does, otherwise why not.
   */
  async databaseProblem(timeoutMs: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the audit index database did not answer within ${timeoutMs} ms`), timeoutMs);
    });
    const ping = (async (): Promise<string | undefined> => {
      try {
        await this.open();
        await this.store.ping();
        return undefined;
      } catch (error) {
        // No addresses or driver text on an unauthenticated route: the follower's log has the details.
        return error instanceof IndexDatabaseUnavailableError
          ? 'the audit index database cannot be reached'
          : 'the audit index database failed to answer (see the log)';
      }
    })();
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async loadCheckpoints(): Promise<void> {
    for (const channel of this.channels) {
      const chain = await this.store.chainState(channel);
      if (chain !== undefined) this.chains.set(channel, chain);
    }
  }

  /** The last block of `channel` the index reflects, or undefined before its first block. */
  asOfBlock(channel: string): number | undefined {
    return this.chains.get(channel)?.blockNumber;
  }

  /** Fabric's header hash (hex) of the last block indexed on `channel`, which the next block must name as previous. */
  headHash(channel: string): string | undefined {
    return this.chains.get(channel)?.headerHash ?? undefined;
  }

  /** The block to read next on `channel`. */
  nextBlock(channel: string): bigint {
    const height = this.asOfBlock(channel);
    return height === undefined ? 0n : BigInt(height) + 1n;
  }

  /** Why `channel`'s ingestion stopped, or undefined while it runs. */
  halted(channel: string): IngestionHalt | undefined {
    return this.halts.get(channel);
  }

  /** Every channel whose ingestion stopped. */
  haltedChannels(): IngestionHalt[] {
    return [...this.halts.values()];
  }

  /**
   * Checks, decodes and stores one committed block; a block already indexed changes nothing. The
   * block must be the channel's next one, its `previous_hash` the stored hash of the block before
   * and its `data_hash` the hash of its transactions; if not, nothing is stored, the channel is
   * halted (readers are refused) and the error is thrown.
   *
   * @throws BlockIntegrityError for a block that fails a check; the channel stays halted
   * @throws IndexDatabaseUnavailableError when the database cannot be reached; nothing of the block is stored
   */
  async ingest(channel: string, block: common.Block): Promise<boolean> {
    const halt = this.halts.get(channel);
    if (halt !== undefined) throw new BlockIntegrityError(channel, halt.blockNumber, halt.check, 'ingestion is halted');
    await this.open();
    try {
      return await this.checkAndApply(channel, block);
    } catch (error) {
      if (error instanceof BlockIntegrityError)
        this.halts.set(channel, {
          channel,
          blockNumber: error.blockNumber,
          check: error.check,
          message: error.message,
        });
      throw error;
    }
  }

  private async checkAndApply(channel: string, block: common.Block): Promise<boolean> {
    const chain = this.chains.get(channel);
    const number = block.getHeader()?.getNumber() ?? 0;
    if (chain !== undefined && number <= chain.blockNumber) {
      // Seen again (a resumed stream): the checkpoint's own block must still have the hash it was indexed with.
      const header = block.getHeader();
      if (number === chain.blockNumber && chain.headerHash !== null && header !== undefined) {
        const hash = Buffer.from(blockHeaderHash(header)).toString('hex');
        if (hash !== chain.headerHash)
          throw new BlockIntegrityError(
            channel,
            number,
            'header-hash',
            `hash ${hash} differs from the hash it was indexed with (${chain.headerHash})`,
          );
      }
      return false;
    }
    const headerHash = verifyNextBlock(channel, block, {
      expectedNumber: chain === undefined ? 0 : chain.blockNumber + 1,
      previousHash: chain === undefined ? '' : (chain.headerHash ?? undefined),
    });
    const decoded = decodeBlock(block, this.chaincode);
    const { anomalies, newest } = timeAnomaliesOf(decoded.number, transactionTimes(block), chain?.newest);
    const { applied, checkpoint } = await this.store.applyBlock(channel, decoded, { headerHash, newest, anomalies });
    if (applied) this.chains.set(channel, { blockNumber: checkpoint, headerHash, newest });
    else {
      // Another process sharing the file indexed it first: continue from what the store holds.
      const stored = await this.store.chainState(channel);
      if (stored !== undefined) this.chains.set(channel, stored);
    }
    for (const wake of [...this.waiters]) wake();
    return applied;
  }

  /** Resolves true once `channel`'s index reflects block `minBlock`, false after `timeoutMs`. */
  async reached(channel: string, minBlock: number, timeoutMs: number): Promise<boolean> {
    const done = (): boolean => (this.asOfBlock(channel) ?? -1) >= minBlock;
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
