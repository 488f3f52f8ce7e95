import { ContractError, TRANSACTIONS, subjectErasedRefusal } from '@aal/ledger-contract';
import type { FakeLedger, RecordedLedgerCall } from './fake-ledger-client';

/** The fake's fixed keys (64 hex each), so unit tests can compute expected commitments. */
export const FAKE_ORG_CONTENT_KEY = '11'.repeat(32);
export const FAKE_SUBJECT_KEY = '22'.repeat(32);

const TX_OF_THIS_SUBMIT = 'c'.repeat(64);

/** What the fake holds; tests read and seed it directly. */
export interface FakeInteractionState {
  readonly interactions: Map<string, Record<string, unknown>>;
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
    return inputs.map(store);
  };
  handle(
    TRANSACTIONS.recordInteraction,
    (call) => recordAll([JSON.parse(call.args[0] ?? '{}') as Record<string, unknown>], () => '')[0],
  );
  handle(TRANSACTIONS.recordInteractions, (call) => ({
    records: recordAll(JSON.parse(call.args[0] ?? '[]') as Record<string, unknown>[], (index) => `[${index}] `),
  }));
  handle(TRANSACTIONS.getInteraction, (call) => {
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
    if (!state.interactions.has(interactionId))
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
