import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { ROLES, readsEverything, requireRole, type Caller } from '../access/caller';
import { canonicalJson } from '../canonical-json';
import { evaluateConsentForAny } from '../consents/consent-check';
import { ContractError, ValidationError, type FieldViolation } from '../errors';
import { emitEvent } from '../ledger/events';
import { txTime } from '../ledger/tx-time';
import { parseJsonArgument } from '../validation/json-argument';
import { check, id as idRule } from '../validation/rules';
import { ANNOTATION_INPUT_FIELDS, MAX_ANNOTATION_BYTES, annotationInput, annotationsOf, readAnnotation, writeAnnotation, type StoredAnnotation } from './annotation';
import { queryInteractions } from './interaction-query';
import { parseInteractionBatch } from './interaction-batch-input';
import { INTERACTION_INPUT_FIELDS, MAX_INTERACTION_BYTES, checkInteraction, type InteractionInput, type StoredInteraction } from './interaction-schema';
import { stateBatchOf } from '../ledger/peer-state-batch';
import { entryKey } from '../batches/batch-store';
import { batchedInteractionView, findBatchedInteraction } from '../batches/batched-interaction';
import { decodeInteraction, interactionKey, readInteraction, writeInteractions } from './interaction-store';

/** A batch is one transaction: bounded so its write set stays well inside a block. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 1024 * 1024;
const MAX_FILTER_BYTES = 4096;

/**
 * AI interactions (LLM API calls) as metadata and commitments, written once by the recording org
 * and never changed; reviews and flags are separate annotation records. When a data subject is
 * named, the ledger's own consent verdict at commit time is stored with the record and a failing
 * verdict is emitted as a `ConsentViolation` — the record is kept, flagged, never dropped.
 */
@Info({ title: 'Interactions', description: 'Record, read, query and annotate AI interactions; consent verdict at commit time' })
export class InteractionContract extends Contract {
  constructor() {
    super('Interactions');
  }

  /** Records one interaction for the caller's org; the same id and content again returns the stored record. */
  @Transaction()
  @Param('record', 'string', 'interaction JSON (see docs/chaincode-api.md)')
  @Returns('InteractionRecord')
  async RecordInteraction(ctx: Context, record: string): Promise<string> {
    const caller = requireRole(ctx, 'recorder', 'admin');
    const violations: FieldViolation[] = [];
    const input = checkInteraction(parseJsonArgument('record', record, MAX_INTERACTION_BYTES), '', violations);
    if (input === undefined) throw new ValidationError(violations);
    const [stored] = await recordAll(ctx, caller, [input], () => '');
    return canonicalJson(stored);
  }

  /** Records up to 500 interactions (1 MB) in one transaction: all valid and stored, or none. */
  @Transaction()
  @Param('records', 'string', `JSON array of at most ${MAX_BATCH_RECORDS} interactions, at most 1 MB`)
  @Returns('string')
  async RecordInteractions(ctx: Context, records: string): Promise<string> {
    const caller = requireRole(ctx, 'recorder', 'admin');
    const inputs = parseInteractionBatch(records, { maxRecords: MAX_BATCH_RECORDS, maxBytes: MAX_BATCH_BYTES });
    return canonicalJson({ records: await recordAll(ctx, caller, inputs, (index) => `[${index}] `) });
  }

  /**
   * One interaction, recorded alone or in a batch (ids are one namespace: a batched record comes
   * with `batchId` and `leafIndex`); non-auditors may read only their own org's.
   */
  @Transaction(false)
  @Param('id', 'string', 'interaction id')
  @Returns('InteractionRecord')
  async GetInteraction(ctx: Context, id: string): Promise<string> {
    const caller = requireRole(ctx, ...ROLES);
    check(idRule(), id, 'id');
    const record = await readInteraction(ctx, id);
    if (record === undefined) {
      const batched = await findBatchedInteraction(ctx, caller, id);
      if (batched !== undefined) return canonicalJson(batchedInteractionView(batched.batch, batched.entry));
    }
    return canonicalJson(readableRecord(caller, id, record));
  }

  /** A page of interactions by org, model, actor, subject, consent or application within a time range. */
  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by, value, from?, to?, order?: asc|desc, pageSize?, bookmark? }')
  @Returns('string')
  async QueryInteractions(ctx: Context, filter: string): Promise<string> {
    const caller = requireRole(ctx, ...ROLES);
    return canonicalJson(await queryInteractions(ctx, caller, parseJsonArgument('filter', filter, MAX_FILTER_BYTES)));
  }

  /** Links a review or flag to one of the caller's org's interactions; idempotent by annotation id. */
  @Transaction()
  @Param('id', 'string', 'interaction id')
  @Param('annotation', 'string', 'annotation JSON: { id, kind: review|flag|resolution, severity?, labels?, noteCommitment? }')
  @Returns('string')
  async AnnotateInteraction(ctx: Context, id: string, annotation: string): Promise<string> {
    const caller = requireRole(ctx, 'recorder', 'admin');
    const input = check(annotationInput, parseJsonArgument('annotation', annotation, MAX_ANNOTATION_BYTES));
    const interaction = await readableInteraction(ctx, caller, id);
    if (interaction.org !== caller.mspId) {
      throw new ContractError('ACCESS_DENIED', `access denied: ${caller.mspId} may annotate only its own org's interactions`);
    }
    const existing = await readAnnotation(ctx, id, input.id);
    if (existing !== undefined) {
      if (sameFields(existing, input, ANNOTATION_INPUT_FIELDS)) return canonicalJson(existing);
      throw new ContractError('CONFLICT', `annotation ${input.id} of interaction ${id} already exists with different content`);
    }
    const stored: StoredAnnotation = { ...input, interactionId: id, org: caller.mspId, annotatedBy: caller.enrollmentId, txId: ctx.stub.getTxID(), txTime: txTime(ctx) };
    await writeAnnotation(ctx, stored);
    return canonicalJson(stored);
  }

  /** The annotations of an interaction, oldest first; readable as the interaction is. */
  @Transaction(false)
  @Param('id', 'string', 'interaction id')
  @Returns('string')
  async GetAnnotations(ctx: Context, id: string): Promise<string> {
    await readableInteraction(ctx, requireRole(ctx, ...ROLES), id);
    return canonicalJson({ records: await annotationsOf(ctx, id) });
  }
}

async function readableInteraction(ctx: Context, caller: Caller, id: string): Promise<StoredInteraction> {
  check(idRule(), id, 'id');
  return readableRecord(caller, id, await readInteraction(ctx, id));
}

/** The record if it exists and the caller may read it. */
function readableRecord(caller: Caller, id: string, record: StoredInteraction | undefined): StoredInteraction {
  if (record === undefined) throw new ContractError('NOT_FOUND', `interaction ${id} does not exist`);
  if (!readsEverything(caller) && record.org !== caller.mspId) {
    throw new ContractError('ACCESS_DENIED', `access denied: ${caller.mspId} may read only its own org's interactions`);
  }
  return record;
}

/**
 * Stores every new record (with its consent verdict) and returns all of them as stored; records
 * already on the ledger with the same content are returned unchanged. Any conflict refuses the
 * whole call, naming each conflicting record.
 */
async function recordAll(ctx: Context, caller: Caller, inputs: InteractionInput[], label: (index: number) => string): Promise<StoredInteraction[]> {
  const now = txTime(ctx);
  const results: StoredInteraction[] = [];
  const fresh: StoredInteraction[] = [];
  const conflicts: string[] = [];
  // Both keys of every id in one message to the peer: ids are one namespace with batched records.
  const values = await stateBatchOf(ctx).getStates([...inputs.map((input) => interactionKey(ctx, input.id)), ...inputs.map((input) => entryKey(ctx, input.id))]);
  for (const [index, input] of inputs.entries()) {
    if ((values[inputs.length + index]?.length ?? 0) > 0) {
      conflicts.push(`${label(index)}interaction ${input.id} already exists (recorded in a batch)`);
      continue;
    }
    const existing = decodeInteraction(values[index] ?? new Uint8Array());
    if (existing !== undefined) {
      // Another org's record under the same id is a conflict too: its content is not the caller's to see.
      if (existing.org === caller.mspId && sameFields(existing, input, INTERACTION_INPUT_FIELDS)) results.push(existing);
      else conflicts.push(`${label(index)}interaction ${input.id} already exists with different content`);
      continue;
    }
    const consentCheck =
      input.subjectRef === undefined && input.consentId === undefined
        ? undefined
        : await evaluateConsentForAny(ctx, {
            ...(input.subjectRef === undefined ? {} : { subjectRef: input.subjectRef }),
            ...(input.consentId === undefined ? {} : { consentId: input.consentId }),
            purpose: input.purpose ?? '',
            grantees: [caller.mspId, input.applicationId],
            at: now,
          });
    const stored: StoredInteraction = {
      ...input,
      org: caller.mspId,
      recordedBy: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
      txTime: now,
      ...(consentCheck === undefined ? {} : { consentCheck }),
    };
    fresh.push(stored);
    results.push(stored);
  }
  if (conflicts.length > 0) throw new ContractError('CONFLICT', conflicts.join('; '));
  await writeInteractions(ctx, fresh);
  if (fresh.length > 0) {
    const violations = fresh
      .filter((record) => record.consentCheck !== undefined && !record.consentCheck.allowed)
      .map((record) => ({ id: record.id, reason: record.consentCheck?.reason ?? '' }));
    emitEvent(ctx, violations.length > 0 ? 'ConsentViolation' : 'InteractionRecorded', { ids: fresh.map((record) => record.id), violations });
  }
  return results;
}

function sameFields<T extends object>(stored: T, input: Partial<T>, fields: readonly (keyof T)[]): boolean {
  const submitted = Object.fromEntries(fields.map((field) => [field, stored[field]]));
  return canonicalJson(submitted) === canonicalJson(input);
}
