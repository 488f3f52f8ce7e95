import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { AuditIndex } from './audit-index';
import { BlockIntegrityError } from './block-integrity';
import type { BlockSource } from './block-source';
import { IndexDatabaseUnavailableError } from './index-database-unavailable';

/** Waits between reconnections after a failure: doubling from 1 s up to 30 s. */
export const FOLLOWER_BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

/**
 * Follows one channel's blocks into the index from its checkpoint on, reconnecting after
 * failures (resuming at the checkpoint, so nothing is skipped or added twice) until `signal` aborts.
 * Each (re)start first opens the index and reads the channel's checkpoint from the database
 * ({@link AuditIndex.resume}); while the database cannot be reached that fails, and the follower
 * waits with the same backoff — a block whose transaction did not commit is read again, one that
 * did is not applied twice.
 * A block that fails an integrity check (block-integrity.ts) stops the channel for good: it is
 * logged as an error (block number and hashes, no content), counted in `integrityFailures`, and the
 * index refuses that channel's reads until an operator has looked (docs/operations.md).
 * Resolves when stopped.
 */
export async function followBlocks(options: {
  readonly index: AuditIndex;
  readonly source: BlockSource;
  readonly channel: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Counts blocks that failed an integrity check, by channel. */
  readonly integrityFailures?: Counter<'channel'>;
  /** Waits out a backoff (tests pass one that does not wait); resolves early when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}): Promise<void> {
  const { index, source, channel, logger, signal, integrityFailures, sleep = abortableSleep } = options;
  let backoffMs: number = FOLLOWER_BACKOFF.firstMs;
  let failing = false;
  while (!signal.aborted) {
    try {
      await index.resume(channel);
      if (failing)
        logger.info(
          { channel, asOfBlock: index.asOfBlock(channel) ?? null },
          'audit index: resuming from the checkpoint',
        );
      failing = false;
      if (signal.aborted) break;
      const blocks = await source.blocks(channel, index.nextBlock(channel));
      const stop = (): void => blocks.close();
      signal.addEventListener('abort', stop, { once: true });
      // Aborted while the index opened or the stream did: the listener above will never fire.
      if (signal.aborted) stop();
      try {
        for await (const block of blocks) {
          await index.ingest(channel, block);
          backoffMs = FOLLOWER_BACKOFF.firstMs;
        }
      } finally {
        signal.removeEventListener('abort', stop);
        blocks.close();
      }
    } catch (error) {
      if (error instanceof BlockIntegrityError) {
        integrityFailures?.inc({ channel });
        logger.error(
          { channel, blockNumber: error.blockNumber, check: error.check, err: { message: error.message } },
          'audit index: block integrity check failed; ingestion of this channel STOPPED, its reads are refused',
        );
        return;
      }
      if (signal.aborted) break;
      failing = true;
      logger.warn(
        { channel, err: { message: error instanceof Error ? error.message : String(error) }, retryInMs: backoffMs },
        error instanceof IndexDatabaseUnavailableError
          ? 'audit index: its database is unavailable; index reads answer 503, retrying from the checkpoint'
          : 'audit index: block stream failed; resuming from the checkpoint',
      );
    }
    if (signal.aborted) break;
    await sleep(backoffMs, signal);
    backoffMs = Math.min(backoffMs * 2, FOLLOWER_BACKOFF.maxMs);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (shutdown does not wait out a backoff). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
