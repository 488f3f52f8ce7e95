import {
  ANNOTATION_INPUT_FIELDS,
  CONTRACTS,
  ContractError,
  INTERACTION_INPUT_FIELDS,
  LIMITS,
  TRANSACTIONS,
  ValidationError,
  annotationInputSchema,
  checkInput,
  recordingGrantees,
  sortedKeyJson,
  type FieldViolation,
  type InteractionInput,
  type StoredAnnotation,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { type Caller, readsEverything, requireTransactionRole } from '../access/caller';
import { requireOwnRecordIds } from '../access/own-record-ids';
import { LedgerContract } from '../ledger/ledger-contract';
import { decodeEntry, entryKey } from '../batches/batch-store';
import { batchedInteractionOf, batchedRecordAnswer, findBatchedInteraction } from '../batches/batched-interaction';
import { evaluateConsent } from '../consents/consent-check';
import { emitEvent } from '../ledger/events';
import { stateBatchOf } from '../ledger/peer-state-batch';
import { txTime } from '../ledger/tx-time';
import { refuseErasedSubjects } from '../subjects/erased-subjects';
import { parseJsonArgument } from '../validation/json-argument';
import { annotationsOf, readAnnotation, writeAnnotation } from './annotation';
import { checkInteraction, parseInteractionBatch } from './interaction-batch-input';
import { queryInteractions } from './interaction-query';
import { decodeInteraction, interactionKey, readInteraction, writeInteractions } from './interaction-store';
import { PLAIN_ARGUMENTS } from '../validation/plain-arguments';

/**
 * AI interactions (LLM API calls) as metadata and commitments, written once by the recording org
 * and never changed; reviews and flags are separate annotation records. When a data subject is
 * named, the ledger's own consent verdict at commit time is stored with the record and a failing
 * verdict is emitted as a `ConsentViolation` — the record is kept, flagged, never dropped. The
 * verdict is for the recording org and its application (`<MSP id>:<applicationId>`), never for an
 * application id alone. Records naming an erased subject are refused.
 */
@Info({
  title: 'Interactions',
  description: 'Record, read, query and annotate AI interactions; consent verdict at commit time',
})
export class InteractionContract extends LedgerContract {
  constructor() {
    super(CONTRACTS.interactions);
  }

  /** Records one interaction for the caller's org; the same id and content again returns the stored record. */
  @Transaction()
  @Param('record', 'string', 'interaction JSON (see docs/chaincode-api.md)')
  @Returns('InteractionRecord')
  async RecordInteraction(ctx: Context, record: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.recordInteraction);
    const violations: FieldViolation[] = [];
    const input = checkInteraction(parseJsonArgument('record', record, LIMITS.interactionBytes), violations);
    if (input === undefined) throw new ValidationError(violations);
    const [stored] = await recordAll(
      ctx,
      caller,
      [input],
      () => '',
      () => '',
    );
    return sortedKeyJson(stored);
  }

  /** Records up to `LIMITS.interactionBatchRecords` interactions in one transaction: all valid and stored, or none. */
  @Transaction()
  @Param(
    'records',
    'string',
    `JSON array of at most ${LIMITS.interactionBatchRecords} interactions, at most ${LIMITS.interactionBatchBytes} bytes`,
  )
  @Returns('string')
  async RecordInteractions(ctx: Context, records: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.recordInteractions);
    const inputs = parseInteractionBatch(records, {
      maxRecords: LIMITS.interactionBatchRecords,
      maxBytes: LIMITS.interactionBatchBytes,
    });
    return sortedKeyJson({
      records: await recordAll(
        ctx,
        caller,
        inputs,
        (index) => `[${index}] `,
        (index) => `[${index}].`,
      ),
    });
  }

  /**
   * One interaction, recorded alone or in a batch (ids are one namespace: a batched record comes
   * with `batchId` and `leafIndex`; one of the lean layout as its locator, see `GetBatchedInteraction`);
   * non-auditors may read only their own org's.
   */
  @Transaction(false)
  @Param('id', 'string', 'interaction id')
  @Returns('InteractionAnswer')
  async GetInteraction(ctx: Context, id: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.getInteraction);
    checkInput(PLAIN_ARGUMENTS.recordId, id, 'id');
    // Both keys an id may have, in one message to the peer: a point read is one round trip fewer.
    const [recordValue, entryValue] = await stateBatchOf(ctx).getStates([interactionKey(ctx, id), entryKey(ctx, id)]);
    const record = decodeInteraction(recordValue ?? new Uint8Array());
    if (record === undefined) {
      const batched = await batchedInteractionOf(ctx, caller, id, decodeEntry(entryValue ?? new Uint8Array()));
      if (batched !== undefined) return sortedKeyJson(batchedRecordAnswer(batched.batch, id, batched.entry));
    }
    return sortedKeyJson(readableRecord(caller, id, record));
  }

  /** A page of interactions by org, model, actor, subject, consent or application within a time range. */
  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by, value, from?, to?, order?: asc|desc, pageSize?, bookmark? }')
  @Returns('string')
  async QueryInteractions(ctx: Context, filter: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.queryInteractions);
    return sortedKeyJson(await queryInteractions(ctx, caller, parseJsonArgument('filter', filter, LIMITS.filterBytes)));
  }

  /**
   * Links a review or flag to one of the caller's org's interactions, recorded alone or in a batch;
   * idempotent by annotation id.
   */
  @Transaction()
  @Param('id', 'string', 'interaction id')
  @Param(
    'annotation',
    'string',
    'annotation JSON: { id, kind: review|flag|resolution, severity?, labels?, noteCommitment? }',
  )
  @Returns('string')
  async AnnotateInteraction(ctx: Context, id: string, annotation: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.annotateInteraction);
    const input = checkInput(
      annotationInputSchema,
      parseJsonArgument('annotation', annotation, LIMITS.annotationBytes),
    );
    requireOwnRecordIds(caller.mspId, 'annotation', [{ id: input.id, path: 'id' }]);
    if ((await readableInteractionOrg(ctx, caller, id)) !== caller.mspId) {
      throw new ContractError({
        code: 'ACCESS_DENIED',
        message: `access denied: ${caller.mspId} may annotate only its own org's interactions`,
      });
    }
    const existing = await readAnnotation(ctx, id, input.id);
    if (existing !== undefined) {
      if (sameFields(existing, input, ANNOTATION_INPUT_FIELDS)) return sortedKeyJson(existing);
      throw new ContractError({
        code: 'CONFLICT',
        message: `annotation ${input.id} of interaction ${id} already exists with different content`,
      });
    }
    const stored: StoredAnnotation = {
      ...input,
      interactionId: id,
      org: caller.mspId,
      annotatedBy: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
      txTime: txTime(ctx),
    };
    await writeAnnotation(ctx, stored);
    return sortedKeyJson(stored);
  }

  /** The annotations of an interaction, oldest first; readable as the interaction is. */
  @Transaction(false)
  @Param('id', 'string', 'interaction id')
  @Returns('string')
  async GetAnnotations(ctx: Context, id: string): Promise<string> {
    await readableInteractionOrg(ctx, requireTransactionRole(ctx, TRANSACTIONS.getAnnotations), id);
    return sortedKeyJson({ records: await annotationsOf(ctx, id) });
  }
}

/**
 * The org of interaction `id` — recorded alone (its record) or in a batch (its batch header: a lean
 * batched record has no record in world state) — if it exists and the caller may read it.
 */
async function readableInteractionOrg(ctx: Context, caller: Caller, id: string): Promise<string> {
  checkInput(PLAIN_ARGUMENTS.recordId, id, 'id');
  const record = await readInteraction(ctx, id);
  if (record === undefined) {
    const batched = await findBatchedInteraction(ctx, caller, id);
    if (batched !== undefined) return batched.batch.org;
  }
  return readableRecord(caller, id, record).org;
}

/** The record if it exists and the caller may read it. */
function readableRecord(caller: Caller, id: string, record: StoredInteraction | undefined): StoredInteraction {
  if (record === undefined) throw new ContractError({ code: 'NOT_FOUND', message: `interaction ${id} does not exist` });
  requireReadableOrg(caller, record.org);
  return record;
}

/** Refuses a caller who may not read an interaction of `org`: auditors read every org's, others their own org's. */
function requireReadableOrg(caller: Caller, org: string): void {
  if (!readsEverything(caller) && org !== caller.mspId) {
    throw new ContractError({
      code: 'ACCESS_DENIED',
      message: `access denied: ${caller.mspId} may read only its own org's interactions`,
    });
  }
}

/**
 * Stores every new record (with its consent verdict) and returns all of them as stored; records
 * already on the ledger with the same content are returned unchanged. Any conflict, or a new record
 * naming an erased subject, refuses the whole call, naming each such record (`label` in messages,
 * `pathPrefix` in refusal paths).
 */
async function recordAll(
  ctx: Context,
  caller: Caller,
  inputs: InteractionInput[],
  label: (index: number) => string,
  pathPrefix: (index: number) => string,
): Promise<StoredInteraction[]> {
  const now = txTime(ctx);
  // Results in input order: a stored record, or the index of a new input (its record comes below).
  const slots: (StoredInteraction | number)[] = [];
  const freshInputs: { index: number; input: InteractionInput }[] = [];
  const conflicts: string[] = [];
  requireOwnRecordIds(
    caller.mspId,
    'interaction',
    inputs.map((input, index) => ({ id: input.id, path: `${pathPrefix(index)}id` })),
  );
  // Both keys of every id in one message to the peer: ids are one namespace with batched records.
  const values = await stateBatchOf(ctx).getStates([
    ...inputs.map((input) => interactionKey(ctx, input.id)),
    ...inputs.map((input) => entryKey(ctx, input.id)),
  ]);
  for (const [index, input] of inputs.entries()) {
    if ((values[inputs.length + index]?.length ?? 0) > 0) {
      conflicts.push(`${label(index)}interaction ${input.id} already exists (recorded in a batch)`);
      continue;
    }
    const existing = decodeInteraction(values[index] ?? new Uint8Array());
    if (existing !== undefined) {
      // Another org's record under the same id is a conflict too: its content is not the caller's to see.
      if (existing.org === caller.mspId && sameFields(existing, input, INTERACTION_INPUT_FIELDS)) slots.push(existing);
      else conflicts.push(`${label(index)}interaction ${input.id} already exists with different content`);
      continue;
    }
    slots.push(index);
    freshInputs.push({ index, input });
  }
  if (conflicts.length > 0) throw new ContractError({ code: 'CONFLICT', message: conflicts.join('; ') });
  await refuseErasedSubjects(
    ctx,
    freshInputs.map(({ index, input }) => ({
      subjectRef: input.subjectRef,
      consentId: input.consentId,
      path: `${pathPrefix(index)}${input.subjectRef === undefined ? 'consentId' : 'subjectRef'}`,
    })),
  );

  const fresh = new Map<number, StoredInteraction>();
  for (const { index, input } of freshInputs) {
    const consentCheck =
      input.subjectRef === undefined && input.consentId === undefined
        ? undefined
        : await evaluateConsent(ctx, {
            subjectRef: input.subjectRef,
            consentId: input.consentId,
            purpose: input.purpose ?? '',
            grantees: recordingGrantees(caller.mspId, input.applicationId),
            moment: { now },
          });
    fresh.set(index, {
      ...input,
      org: caller.mspId,
      recordedBy: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
      txTime: now,
      ...(consentCheck === undefined ? {} : { consentCheck }),
    });
  }
  const results = slots.map((slot) => (typeof slot === 'number' ? (fresh.get(slot) as StoredInteraction) : slot));
  await writeInteractions(ctx, [...fresh.values()]);
  if (fresh.size > 0) {
    const records = [...fresh.values()];
    const violations = records
      .filter((record) => record.consentCheck !== undefined && !record.consentCheck.allowed)
      .map((record) => ({ id: record.id, reason: record.consentCheck?.reason ?? '' }));
    emitEvent(ctx, violations.length > 0 ? 'ConsentViolation' : 'InteractionRecorded', {
      ids: records.map((record) => record.id),
      violations,
    });
  }
  return results;
}

function sameFields<T extends object>(stored: T, input: Partial<T>, fields: readonly (keyof T)[]): boolean {
  const submitted = Object.fromEntries(fields.map((field) => [field, stored[field]]));
  return sortedKeyJson(submitted) === sortedKeyJson(input);
}
