import { storedTimeBounds, ValidationError, type InteractionQueryPath, type Role } from '@aal/ledger-contract';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import { BLOCK_NUMBER_PATTERN } from '../ledger/block-number';
import type { AuditIndex } from './audit-index';
import type { IndexFilter } from './index-store';

/** How long a read with `minBlock` waits for the index to reach that block before answering 503. */
export const MIN_BLOCK_WAIT_MS = 10_000;
/** Seconds a client should wait before asking again when the index is behind. */
export const INDEX_RETRY_AFTER_SECONDS = 2;
/** Seconds a client should wait before asking again when the index's database cannot be reached. */
export const INDEX_DATABASE_RETRY_AFTER_SECONDS = 5;

/** `minBlock`: a block number (as write answers give `blockNumber`), decimal. */
export const minBlockQuery = z
  .string()
  .regex(BLOCK_NUMBER_PATTERN, 'must be a block number (decimal digits)')
  .transform(Number)
  .optional()
  .describe(
    "answer only once the audit index reflects this block (a write answer's blockNumber); waits up to 10 s, then 503",
  );

/** Which of a channel's records a caller may read through the index, exactly as the chaincode decides it. */
export interface ReadScope {
  /** Auditors of a configured auditor org read every org's records. */
  readonly everything: boolean;
  readonly mspId: string;
}

export function readScopeOf(role: Role, mspId: string, auditorOrgs: ReadonlySet<string>): ReadScope {
  return { everything: role === 'auditor' && auditorOrgs.has(mspId), mspId };
}

/**
 * The index filter of a validated audit query for this caller, at the height the index reflects
 * once it has reached `minBlock`: refuses (403) a non-auditor asking for another org's records, as
 * the chaincode does, and (503) what {@link indexHeight} refuses.
 */
export async function indexFilterOf(
  index: AuditIndex,
  scope: ReadScope,
  query: { channel: string; by?: InteractionQueryPath; value?: string; from?: string; to?: string; minBlock?: number },
  waitMs: number = MIN_BLOCK_WAIT_MS,
): Promise<{ filter: IndexFilter; asOfBlock: number }> {
  const by = query.by ?? 'org';
  const value = query.value ?? scope.mspId;
  if (!scope.everything && by === 'org' && value !== scope.mspId)
    throw new HttpProblem(403, 'Forbidden', `access denied: ${scope.mspId} may read only its own org's interactions`);
  let bounds: { from?: string; to?: string };
  try {
    bounds = storedTimeBounds(query.from, query.to);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new HttpProblem(400, 'Invalid request', 'the request is invalid', {
      errors: error.violations.map((violation) => ({ field: violation.path, message: violation.rule })),
    });
  }
  const asOfBlock = await indexHeight(index, query.channel, query.minBlock, waitMs);
  return {
    filter: {
      channel: query.channel,
      by,
      value,
      ...bounds,
      ...(scope.everything ? {} : { org: scope.mspId }),
      atBlock: asOfBlock,
    },
    asOfBlock,
  };
}

/**
 * The block height an index read of `channel` answers at, once the index has reached `minBlock`:
 * 503 for a halted channel (see {@link refuseHalted}), and 503 with Retry-After when its database
 * has not been reached yet, when it has not reached `minBlock` in time, or reflects no block yet.
 */
export async function indexHeight(
  index: AuditIndex,
  channel: string,
  minBlock: number | undefined,
  waitMs: number = MIN_BLOCK_WAIT_MS,
): Promise<number> {
  refuseHalted(index, channel);
  if (!index.isOpen()) throw indexDatabaseUnavailable('the audit index database has not been reached yet');
  if (minBlock !== undefined && !(await index.reached(channel, minBlock, waitMs)))
    throw behind(`the audit index of ${channel} has not reached block ${minBlock} yet`);
  const asOfBlock = index.asOfBlock(channel);
  if (asOfBlock === undefined) throw behind(`the audit index of ${channel} has not read its first block yet`);
  return asOfBlock;
}

/**
 * Refuses (503; waiting does not help) every read of a channel whose
 * ingestion stopped on a block that failed an integrity check: what the index holds may be all
 * right, but the chain it follows no longer is, and an auditor must not take its answers as complete.
 */
export function refuseHalted(index: AuditIndex, channel: string): void {
  const halt = index.halted(channel);
  if (halt !== undefined)
    throw new HttpProblem(
      503,
      'Audit index halted',
      `the audit index of ${channel} stopped at block ${halt.blockNumber}, which failed its ${halt.check} check; an operator must check the peer and the index`,
      { integrity: { channel, blockNumber: String(halt.blockNumber), check: halt.check } },
    );
}

function behind(detail: string): HttpProblem {
  return new HttpProblem(503, 'Audit index behind', detail, {}, { 'Retry-After': String(INDEX_RETRY_AFTER_SECONDS) });
}

/**
 * The answer to an index read while the index's database cannot be reached (not yet, or no longer:
 * IndexDatabaseUnavailableError): 503 with Retry-After; the ledger and its write routes are unaffected.
 */
export function indexDatabaseUnavailable(
  detail = 'the audit index database cannot be reached; ledger writes are unaffected',
): HttpProblem {
  return new HttpProblem(
    503,
    'Audit index unavailable',
    detail,
    {},
    { 'Retry-After': String(INDEX_DATABASE_RETRY_AFTER_SECONDS) },
  );
}
