import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { AuditIndex } from './audit-index';
import { BlockIntegrityError } from './block-integrity';
import type { BlockSource } from './block-source';

/** Waits between reconnections after a failure: doubling from 1 s up to 30 s. */
const BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

/**
 * Follows one channel's blocks into the index from its checkpoint on, reconnecting after
 * failures (resuming at the checkpoint, so nothing is skipped or added twice) until `signal` aborts.
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
}): Promise<void> {
  const { index, source, channel, logger, signal, integrityFailures } = options;
  let backoffMs: number = BACKOFF.firstMs;
  while (!signal.aborted) {
    try {
      const blocks = await source.blocks(channel, index.nextBlock(channel));
      const stop = (): void => blocks.close();
      signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const block of blocks) {
          await index.ingest(channel, block);
          backoffMs = BACKOFF.firstMs;
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
      logger.warn(
        { channel, err: { message: error instanceof Error ? error.message : String(error) }, retryInMs: backoffMs },
        'audit index: block stream failed; resuming from the checkpoint',
      );
    }
    if (signal.aborted) break;
    await abortableSleep(backoffMs, signal);
    backoffMs = Math.min(backoffMs * 2, BACKOFF.maxMs);
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
