import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import type { SubjectKeys } from '../subjects/subject-keys';

/** A record's salt key: the subject's when it names one, else the org content key. */
export interface RecordKey {
  readonly keyHex: string;
  readonly derivedFrom: 'subject-key' | 'org-content-key';
}

/** Why no key exists to commit to (or verify) a record's content. */
export class RecordKeyError extends Error {
  override readonly name = 'RecordKeyError';

  constructor(
    /** `unknown-subject`: this org never registered the subject; `erased-subject`: its key was destroyed. */
    readonly reason: 'unknown-subject' | 'erased-subject',
    /** The record's position in the request, for batches. */
    readonly index = 0,
  ) {
    super(
      reason === 'unknown-subject'
        ? 'the subject is not registered in this org'
        : 'the subject was erased: its key is gone',
    );
  }
}

/**
 * The key of a record with `subjectRef` (or none), or `'erased'` when the subject's key was destroyed.
 *
 * @throws RecordKeyError `unknown-subject` when this org never registered the subject
 */
export async function recordKey(
  keys: SubjectKeys,
  ledger: LedgerClient,
  channel: string,
  subjectRef: string | undefined,
): Promise<RecordKey | 'erased'> {
  if (subjectRef === undefined)
    return { keyHex: await keys.orgContentKey(ledger, channel), derivedFrom: 'org-content-key' };
  try {
    const state = await keys.subjectKey(ledger, channel, subjectRef);
    return state.state === 'erased' ? 'erased' : { keyHex: state.subjectKey, derivedFrom: 'subject-key' };
  } catch (error) {
    if (error instanceof LedgerError && error.kind === 'not-found') throw new RecordKeyError('unknown-subject');
    throw error;
  }
}
