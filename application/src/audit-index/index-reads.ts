import { storedTimeBounds, ValidationError, type InteractionQueryPath, type Role } from '@aal/ledger-contract';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import type { AuditIndex } from './audit-index';
import type { IndexFilter } from './index-store';

/** How long a read with `minBlock` waits for the index to reach that block before answering 503. */
export const MIN_BLOCK_WAIT_MS = 10_000;
/** Seconds a client should wait before asking again when the index is behind. */
export const INDEX_RETRY_AFTER_SECONDS = 2;

/** `minBlock`: a block number (as write answers give `blockNumber`), decimal. */
export const minBlockQuery = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, 'must be a block number (decimal digits)')
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
 * the chaincode does, and (503 with Retry-After) an index that has not reached `minBlock` in time
 * or reflects no block yet.
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
  if (query.minBlock !== undefined && !(await index.reached(query.channel, query.minBlock, waitMs)))
    throw behind(`the audit index of ${query.channel} has not reached block ${query.minBlock} yet`);
  const asOfBlock = index.asOfBlock(query.channel);
  if (asOfBlock === undefined) throw behind(`the audit index of ${query.channel} has not read its first block yet`);
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

function behind(detail: string): HttpProblem {
  return new HttpProblem(503, 'Audit index behind', detail, {}, { 'Retry-After': String(INDEX_RETRY_AFTER_SECONDS) });
}
