import {
  ContractError,
  TRANSACTIONS,
  ValidationError,
  batchedRecordLocator,
  merkleRoot,
  recordLeafBytes,
  recordLeafHash,
  sortedKeyJson,
  subjectErasedRefusal,
  type BatchEntry,
  type InteractionInput,
  type StoredBatch,
} from '@aal/ledger-contract';
import { interactionWrites, testProcessedTransaction } from './block-builder';
import type { FakeLedger, RecordedLedgerCall } from './fake-ledger-client';

/** The fake's fixed keys (64 hex each), so unit tests can compute expected commitments. */
export const FAKE_ORG_CONTENT_KEY = '11'.repeat(32);
export const FAKE_SUBJECT_KEY = '22'.repeat(32);

const TX_OF_THIS_SUBMIT = 'c'.repeat(64);
const FAKE_TX_TIME = '2026-01-01T00:00:00.000Z';

/** What the fake holds; tests read and seed it directly. */
export interface FakeInteractionState {
  /** Records written one at a time or by `RecordInteractions`, by id. */
  readonly interactions: Map<string, Record<string, unknown>>;
  /** Merkle batch headers by batch id. */
  readonly batches: Map<string, StoredBatch>;
  /** Batched records by id: the input as sent, its leaf and its consent verdict. */
  readonly batched: Map<string, BatchEntry>;
  readonly annotations: Map<string, Record<string, unknown>[]>;
  /** subjectRef → key, or `erased`. */
  readonly subjects: Map<string, string>;
  orgKeysInitialised: boolean;
  /** Pages served by QueryInteractions (for the one-page-at-a-time checks). */
  pagesServed: number;
}

/**
 * Scripts the Interactions and Subjects key transactions on a {@link FakeLedger} (unit tests only):
 * write-once records with the chaincode's repeat/conflict answers, queries by org paged with a
 * numeric bookmark, annotations, and the org's keys. The fake's submits all carry transaction id
 * `c…c`, so a record stored earlier carries another txId.
 */
export function installFakeInteractionsChaincode(ledger: FakeLedger, org = 'HospitalAMSP'): FakeInteractionState {
  const state: FakeInteractionState = {
    interactions: new Map(),
    batches: new Map(),
    batched: new Map(),
    annotations: new Map(),
    subjects: new Map(),
    orgKeysInitialised: true,
    pagesServed: 0,
  };
  /** The chaincode's write-once check: the stored record for a repeat, or the conflict's wording. */
  const existingOrConflict = (
    input: Record<string, unknown>,
    label: string,
  ): Record<string, unknown> | string | undefined => {
    const id = String(input['id']);
    if (state.batched.has(id)) return `${label}interaction ${id} already exists (recorded in a batch)`;
    const existing = state.interactions.get(id);
    if (existing === undefined) return undefined;
    const { org: _org, recordedBy: _by, txId: _tx, txTime: _time, consentCheck: _check, ...fields } = existing;
    return JSON.stringify(sorted(fields)) === JSON.stringify(sorted(input))
      ? existing
      : `${label}interaction ${id} already exists with different content`;
  };
  const store = (input: Record<string, unknown>): Record<string, unknown> => {
    const id = String(input['id']);
    const existing = state.interactions.get(id);
    if (existing !== undefined) return existing;
    const stored = {
      ...input,
      org,
      recordedBy: 'app-recorder',
      txId: TX_OF_THIS_SUBMIT,
      txTime: new Date(Date.UTC(2026, 0, 1, 0, 0, state.interactions.size)).toISOString(),
    };
    state.interactions.set(id, stored);
    return stored;
  };
  const handle = (name: string, handler: (call: RecordedLedgerCall) => unknown): void => {
    ledger.handlers.set(name, (call) => JSON.stringify(handler(call)));
  };
  /** All or nothing, as the chaincode: every conflict in one refusal, else every record stored (or answered again). */
  const recordAll = (
    inputs: Record<string, unknown>[],
    label: (index: number) => string,
  ): Record<string, unknown>[] => {
    const conflicts = inputs
      .map((input, index) => existingOrConflict(input, label(index)))
      .filter((answer): answer is string => typeof answer === 'string');
    if (conflicts.length > 0) throw new ContractError({ code: 'CONFLICT', message: conflicts.join('; ') });
    refuseErased(inputs.filter((input) => !state.interactions.has(String(input['id']))));
    return inputs.map(store);
  };
  /** New records naming an erased subject are refused, as the chaincode refuses them (erased-subjects.ts). */
  const refuseErased = (inputs: readonly Record<string, unknown>[]): void => {
    const erased = inputs.find((input) => state.subjects.get(String(input['subjectRef'])) === 'erased');
    if (erased !== undefined)
      throw new ContractError({
        code: 'PRECONDITION_FAILED',
        message: `records name erased subjects, whose data may no longer be used: subjectRef: erased`,
        reasons: [{ path: 'subjectRef', reason: 'erased' }],
      });
  };
  /** A verdict for records naming a subject or consent: the fake holds no consents, so never allowed. */
  const consentCheckOf = (input: InteractionInput): BatchEntry['consentCheck'] =>
    input.subjectRef === undefined && input.consentId === undefined
      ? undefined
      : { allowed: false, reason: 'no-consent' };
  /** `Batches:RecordBatch` as the chaincode answers it (batch-recording.ts): a summary, all or nothing. */
  const recordBatch = (inputs: InteractionInput[], batchId: string): object => {
    const seen = new Map<string, number>();
    const duplicates = inputs.flatMap((input, index) => {
      const first = seen.get(input.id);
      seen.set(input.id, first ?? index);
      return first === undefined ? [] : [{ path: `[${index}].id`, rule: `duplicates [${first}].id` }];
    });
    if (duplicates.length > 0) throw new ValidationError(duplicates);
    const conflicts: string[] = [];
    const alreadyRecorded: { index: number; id: string; batchId: string; leafIndex: number }[] = [];
    const fresh: InteractionInput[] = [];
    inputs.forEach((input, index) => {
      const entry = state.batched.get(input.id);
      if (entry !== undefined) {
        if (state.batches.get(entry.batchId)?.org === org && sortedKeyJson(entry.record) === sortedKeyJson(input))
          alreadyRecorded.push({ index, id: input.id, batchId: entry.batchId, leafIndex: entry.leafIndex });
        else conflicts.push(`[${index}] interaction ${input.id} already exists with different content`);
      } else if (state.interactions.has(input.id)) {
        conflicts.push(`[${index}] interaction ${input.id} already exists (recorded by Interactions)`);
      } else fresh.push(input);
    });
    if (conflicts.length > 0) throw new ContractError({ code: 'CONFLICT', message: conflicts.join('; ') });
    refuseErased(fresh);
    const summaryOf = (batch: StoredBatch, repeats: typeof alreadyRecorded): object => {
      const { ids: _ids, recordedBy: _by, ...summary } = batch;
      return { ...summary, alreadyRecorded: repeats };
    };
    if (fresh.length === 0) {
      const first = alreadyRecorded[0];
      const header = first === undefined ? undefined : state.batches.get(first.batchId);
      const exactReplay =
        header !== undefined &&
        header.size === inputs.length &&
        alreadyRecorded.every((entry) => entry.batchId === header.batchId && entry.leafIndex === entry.index);
      return exactReplay
        ? summaryOf(header, [])
        : { batchId: '', org, txTime: FAKE_TX_TIME, root: '', size: 0, alreadyRecorded };
    }
    const batch: StoredBatch = {
      batchId,
      org,
      recordedBy: 'app-recorder',
      txTime: new Date(Date.UTC(2026, 0, 1, 0, 0, state.batches.size)).toISOString(),
      size: fresh.length,
      root: merkleRoot(fresh.map((input) => recordLeafBytes(input))).toString('hex'),
      ids: fresh.map((input) => input.id),
    };
    state.batches.set(batchId, batch);
    fresh.forEach((record, leafIndex) => {
      const consentCheck = consentCheckOf(record);
      state.batched.set(record.id, {
        record,
        batchId,
        leafIndex,
        ...(consentCheck === undefined ? {} : { consentCheck }),
      });
    });
    return summaryOf(batch, alreadyRecorded);
  };
  handle(
    TRANSACTIONS.recordInteraction,
    (call) => recordAll([JSON.parse(call.args[0] ?? '{}') as Record<string, unknown>], () => '')[0],
  );
  handle(TRANSACTIONS.recordInteractions, (call) => ({
    records: recordAll(JSON.parse(call.args[0] ?? '[]') as Record<string, unknown>[], (index) => `[${index}] `),
  }));
  handle(TRANSACTIONS.recordBatch, (call) =>
    recordBatch(JSON.parse(call.args[0] ?? '[]') as InteractionInput[], call.transactionId ?? TX_OF_THIS_SUBMIT),
  );
  handle(TRANSACTIONS.getInteraction, (call) => {
    const entry = state.batched.get(call.args[0] ?? '');
    const header = entry === undefined ? undefined : state.batches.get(entry.batchId);
    // As the chaincode answers a batched record of the lean layout: its locator, not the record.
    if (entry !== undefined && header !== undefined)
      return batchedRecordLocator(header, entry.record.id, {
        batchId: entry.batchId,
        leafIndex: entry.leafIndex,
        leafHash: recordLeafHash(entry.record).toString('hex'),
        ...(entry.consentCheck === undefined ? {} : { consentCheck: entry.consentCheck }),
      });
    const record = state.interactions.get(call.args[0] ?? '');
    if (record === undefined)
      throw new ContractError({ code: 'NOT_FOUND', message: `interaction ${call.args[0] ?? ''} does not exist` });
    return record;
  });
  handle(TRANSACTIONS.queryInteractions, (call) => {
    const filter = JSON.parse(call.args[0] ?? '{}') as {
      by: string;
      value: string;
      pageSize?: number;
      bookmark?: string;
    };
    if (filter.by === 'org' && filter.value !== org && call.role !== 'auditor')
      throw new ContractError({
        code: 'ACCESS_DENIED',
        message: `access denied: ${org} may read only its own org's interactions`,
      });
    const matching = [...state.interactions.values()].filter((record) => record[filter.by] === filter.value);
    const start = filter.bookmark === undefined ? 0 : Number(filter.bookmark);
    const end = start + (filter.pageSize ?? 100);
    state.pagesServed += 1;
    return { records: matching.slice(start, end), bookmark: end < matching.length ? String(end) : '' };
  });
  handle(TRANSACTIONS.annotateInteraction, (call) => {
    const interactionId = call.args[0] ?? '';
    if (!state.interactions.has(interactionId) && !state.batched.has(interactionId))
      throw new ContractError({ code: 'NOT_FOUND', message: `interaction ${interactionId} does not exist` });
    const input = JSON.parse(call.args[1] ?? '{}') as Record<string, unknown>;
    const list = state.annotations.get(interactionId) ?? [];
    const existing = list.find((annotation) => annotation['id'] === input['id']);
    if (existing !== undefined) return existing;
    const stored = {
      ...input,
      interactionId,
      org,
      annotatedBy: 'app-recorder',
      txId: TX_OF_THIS_SUBMIT,
      txTime: '2026-01-01T00:00:00.000Z',
    };
    state.annotations.set(interactionId, [...list, stored]);
    return stored;
  });
  // The recording transaction as the org's peer holds it: what point reads are checked against.
  ledger.systemHandlers.set('GetTransactionByID', ([, txId]) => {
    const written = [...state.interactions.values()].filter((record) => record['txId'] === txId);
    return written.length === 0
      ? undefined
      : testProcessedTransaction({ txId: txId ?? '', writes: interactionWrites(written) });
  });
  handle(TRANSACTIONS.getAnnotations, (call) => ({ records: state.annotations.get(call.args[0] ?? '') ?? [] }));
  handle(TRANSACTIONS.getOrgContentKey, () => {
    if (!state.orgKeysInitialised)
      throw new ContractError({
        code: 'PRECONDITION_FAILED',
        message: `the keys of ${org} are not initialised: an admin must call ${TRANSACTIONS.initOrgKeys} first`,
      });
    return { contentKey: FAKE_ORG_CONTENT_KEY };
  });
  handle(TRANSACTIONS.initOrgKeys, () => {
    const created = !state.orgKeysInitialised;
    state.orgKeysInitialised = true;
    return { created, initialised: true };
  });
  handle(TRANSACTIONS.getSubjectKey, (call) => {
    const subjectRef = call.args[0] ?? '';
    const key = state.subjects.get(subjectRef);
    if (key === undefined)
      throw new ContractError({ code: 'NOT_FOUND', message: `subject ${subjectRef} does not exist` });
    if (key === 'erased') throw new ContractError(subjectErasedRefusal(subjectRef));
    return { subjectKey: key };
  });
  return state;
}

function sorted(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
}
