import {
  ContractError,
  merkleRootOfLeafHashes,
  recordLeafHash,
  recordingGrantees,
  type InteractionInput,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { requireOwnRecordIds } from '../access/own-record-ids';
import { evaluateConsent } from '../consents/consent-check';
import { interactionKey } from '../interactions/interaction-store';
import { txTime } from '../ledger/tx-time';
import { refuseErasedSubjects } from '../subjects/erased-subjects';
import {
  batchWrites,
  decodeEntry,
  entryKey,
  entryLeafHash,
  readBatch,
  type HashedRecord,
  type StoredBatch,
} from './batch-store';
import { stateBatchOf } from '../ledger/peer-state-batch';

/** A submitted record that was already on the ledger (same id, same content, same org): not written again. */
export interface AlreadyRecorded {
  /** Its position in the submitted array. */
  readonly index: number;
  readonly id: string;
  readonly batchId: string;
  readonly leafIndex: number;
}

/**
 * What `RecordBatch` returns. Submit results are stored in the block, so this stays small: no
 * records, no ids. The new records are leaves 0…size−1 in submitted order, skipping those listed
 * in `alreadyRecorded` (usually none). When nothing is new, `batchId` and `root` are empty and
 * `size` is 0 — except for an exact replay of a recorded batch, which gets that batch's summary.
 */
export interface BatchSummary {
  readonly batchId: string;
  readonly org: string;
  readonly txTime: string;
  readonly root: string;
  readonly size: number;
  readonly alreadyRecorded: readonly AlreadyRecorded[];
}

/** One record whose consent check failed; the record is stored, flagged. */
export interface BatchViolation {
  readonly id: string;
  readonly reason: string;
}

const summaryOf = (batch: StoredBatch, alreadyRecorded: readonly AlreadyRecorded[]): BatchSummary => ({
  batchId: batch.batchId,
  org: batch.org,
  txTime: batch.txTime,
  root: batch.root,
  size: batch.size,
  alreadyRecorded,
});

/** Reads each batch header at most once while checking many records of it. */
class HeaderCache {
  private readonly headers = new Map<string, Promise<StoredBatch | undefined>>();
  constructor(private readonly ctx: Context) {}
  get(batchId: string): Promise<StoredBatch | undefined> {
    let header = this.headers.get(batchId);
    if (header === undefined) {
      header = readBatch(this.ctx, batchId);
      this.headers.set(batchId, header);
    }
    return header;
  }
}

/**
 * Records the validated inputs as one batch of the caller's org: write-once per record id (the same
 * id with the same content from the same org is skipped; anything else is `CONFLICT`, naming every
 * conflicting index), new records naming an erased subject refused (`PRECONDITION_FAILED`, naming
 * every such index), consent verdict per record as `RecordInteractions` gives it (for the org and
 * `<org>:<applicationId>`), RFC 6962 root over the new records' leaves, and one event for the batch.
 *
 * @returns the summary and the consent violations among the new records (for the event)
 */
export async function recordBatch(
  ctx: Context,
  caller: Caller,
  inputs: readonly InteractionInput[],
): Promise<{ summary: BatchSummary; violations: BatchViolation[] }> {
  const now = txTime(ctx);
  const batchId = ctx.stub.getTxID();
  const headers = new HeaderCache(ctx);
  const conflicts: string[] = [];
  const alreadyRecorded: AlreadyRecorded[] = [];
  const fresh: { index: number; input: InteractionInput; leafHash: Buffer }[] = [];
  const state = stateBatchOf(ctx);
  requireOwnRecordIds(
    caller.mspId,
    'interaction',
    inputs.map((input, index) => ({ id: input.id, path: `[${index}].id` })),
  );
  // Ids are one namespace with single-record interactions, so GetBatchedInteraction and
  // GetInteraction can never name two different records: both keys of every id are read, in
  // one message to the peer (two for more than 500 records) instead of two round trips per record.
  const existing = await state.getStates([
    ...inputs.map((input) => entryKey(ctx, input.id)),
    ...inputs.map((input) => interactionKey(ctx, input.id)),
  ]);
  for (const [index, input] of inputs.entries()) {
    const entry = decodeEntry(existing[index] ?? new Uint8Array());
    // The leaf hash is the hash of the record's canonical JSON: equal hashes are equal content.
    const leafHash = recordLeafHash(input);
    if (entry !== undefined) {
      const header = await headers.get(entry.batchId);
      // Another org's record under the same id is a conflict too: its content is not the caller's to see.
      if (header?.org === caller.mspId && entryLeafHash(entry) === leafHash.toString('hex')) {
        alreadyRecorded.push({ index, id: input.id, batchId: entry.batchId, leafIndex: entry.leafIndex });
      } else {
        conflicts.push(`[${index}] interaction ${input.id} already exists with different content`);
      }
      continue;
    }
    if ((existing[inputs.length + index]?.length ?? 0) > 0) {
      conflicts.push(`[${index}] interaction ${input.id} already exists (recorded by Interactions)`);
      continue;
    }
    fresh.push({ index, input, leafHash });
  }
  if (conflicts.length > 0) throw new ContractError({ code: 'CONFLICT', message: conflicts.join('; ') });
  await refuseErasedSubjects(
    ctx,
    fresh.map(({ index, input }) => ({
      subjectRef: input.subjectRef,
      consentId: input.consentId,
      path: `[${index}].${input.subjectRef === undefined ? 'consentId' : 'subjectRef'}`,
    })),
  );
  if (fresh.length === 0) {
    const replayed = await exactReplay(headers, alreadyRecorded, inputs.length);
    const summary = replayed ?? { batchId: '', org: caller.mspId, txTime: now, root: '', size: 0, alreadyRecorded };
    return { summary, violations: [] };
  }

  const records: HashedRecord[] = [];
  const violations: BatchViolation[] = [];
  for (const { input: record, leafHash } of fresh) {
    if (record.subjectRef === undefined && record.consentId === undefined) {
      records.push({ record, leafHash });
      continue;
    }
    const consentCheck = await evaluateConsent(ctx, {
      subjectRef: record.subjectRef,
      consentId: record.consentId,
      purpose: record.purpose ?? '',
      grantees: recordingGrantees(caller.mspId, record.applicationId),
      moment: { now },
    });
    records.push({ record, consentCheck, leafHash });
    if (!consentCheck.allowed) violations.push({ id: record.id, reason: consentCheck.reason });
  }
  const batch: StoredBatch = {
    batchId,
    org: caller.mspId,
    recordedBy: caller.enrollmentId,
    txTime: now,
    size: fresh.length,
    root: merkleRootOfLeafHashes(fresh.map(({ leafHash }) => leafHash)).toString('hex'),
    ids: fresh.map(({ input }) => input.id),
  };
  // Header and one marker per record, nothing else: queries are the audit index's (from the blocks).
  await state.putStates(batchWrites(ctx, batch, records));
  return { summary: summaryOf(batch, alreadyRecorded), violations };
}

/** The recorded batch when every submitted record is its leaf at the same position: a retried submit. */
async function exactReplay(
  headers: HeaderCache,
  alreadyRecorded: readonly AlreadyRecorded[],
  submitted: number,
): Promise<BatchSummary | undefined> {
  const first = alreadyRecorded[0];
  if (first === undefined) return undefined;
  const header = await headers.get(first.batchId);
  if (header === undefined || header.size !== submitted) return undefined;
  const inPlace = alreadyRecorded.every((entry) => entry.batchId === first.batchId && entry.leafIndex === entry.index);
  return inPlace ? summaryOf(header, []) : undefined;
}
