import { sortedKeyJson } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { BatchSummary, BatchViolation } from './batch-recording';

/** The event of a batch: one per transaction (Fabric keeps only the last one set). */
export type BatchEventName = 'BatchRecorded' | 'ConsentViolation';

/** What listeners get: enough to fetch the batch and its proofs; no ids (a batch may hold 1000). */
export interface BatchEventPayload {
  readonly batchId: string;
  readonly root: string;
  readonly size: number;
  readonly violations: readonly BatchViolation[];
}

/**
 * Emits `ConsentViolation` when any new record failed its consent check (the records are stored,
 * flagged), else `BatchRecorded`.
 */
export function emitBatchEvent(ctx: Context, summary: BatchSummary, violations: readonly BatchViolation[]): void {
  const name: BatchEventName = violations.length > 0 ? 'ConsentViolation' : 'BatchRecorded';
  const payload: BatchEventPayload = { batchId: summary.batchId, root: summary.root, size: summary.size, violations };
  ctx.stub.setEvent(name, Buffer.from(sortedKeyJson(payload)));
}
