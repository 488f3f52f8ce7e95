import type { LedgerClient } from '../ledger/ledger-client';
import type { SubjectKeys } from '../subjects/subject-keys';
import { carriesContent, committedRecord, type ContentOrCommitments } from './record-content';
import { RecordKeyError, recordKey, type RecordKey } from './record-keys';

/**
 * The records as the ledger takes them: each one's `prompt` / `output` content replaced by its
 * commitment under the record's salt (subject key, or org content key), and dropped. Keys are read
 * once per subject per call; records that carry commitments only need no key.
 *
 * @throws RecordKeyError naming the first record whose subject is unknown to this org or erased
 */
export async function commitRecordContent<
  T extends ContentOrCommitments & { readonly id: string; readonly subjectRef?: string | undefined },
>(
  keys: SubjectKeys,
  ledger: LedgerClient,
  channel: string,
  records: readonly T[],
): Promise<ReturnType<typeof committedRecord<T>>[]> {
  const keyBySubject = new Map<string, Promise<RecordKey | 'erased'>>();
  const committed: ReturnType<typeof committedRecord<T>>[] = [];
  for (const [index, record] of records.entries()) {
    if (!carriesContent(record)) {
      committed.push(committedRecord(record, undefined));
      continue;
    }
    const subject = record.subjectRef ?? '';
    let key = keyBySubject.get(subject);
    if (key === undefined) {
      key = recordKey(keys, ledger, channel, record.subjectRef).catch((error: unknown) => {
        throw error instanceof RecordKeyError ? new RecordKeyError(error.reason, index) : error;
      });
      keyBySubject.set(subject, key);
    }
    const resolved = await key;
    if (resolved === 'erased') throw new RecordKeyError('erased-subject', index);
    committed.push(committedRecord(record, resolved.keyHex));
  }
  return committed;
}
