import type { RecordKey } from '../../commitments/record-keys';
import { commitRecordContent } from '../../commitments/commit-record-content';
import type { ContentOrCommitments } from '../../commitments/record-content';
import { RecordKeyError, recordKey } from '../../commitments/record-keys';
import { committedReferences, type ClearReferences } from '../../commitments/reference-commitments';
import type { LedgerClient } from '../../ledger/ledger-client';
import type { SubjectKeys } from '../../subjects/subject-keys';
import { HttpProblem } from '../problem';

/**
 * The content-commitment steps of the interaction and batch handlers (commitments/ does the work),
 * with a subject that has no key answered as 422.
 */

/** The problem of a record whose content cannot be committed or verified: its subject is unknown here, or erased. */
function recordKeyProblem(error: RecordKeyError, field: string): HttpProblem {
  return error.reason === 'unknown-subject'
    ? new HttpProblem(
        422,
        'Unknown subject',
        'the subject is not registered in this org, so no key exists to commit to its content',
        {
          errors: [{ field, message: 'is not registered in this org' }],
        },
      )
    : new HttpProblem(
        422,
        'Subject erased',
        'the subject was erased: its key is gone, so content cannot be committed for it',
        {
          errors: [{ field, message: 'names an erased subject' }],
        },
      );
}

/**
 * Commits every record's content (see commitments/commit-record-content.ts) and its clear references
 * (`actorRef`, `conversationId`, `tags`: commitments/reference-commitments.ts) for a request; a
 * subject without a key is a 422 naming the record's `subjectRef` (`records[i].subjectRef` in a batch).
 */
export async function committedRequestRecords<
  T extends ContentOrCommitments & ClearReferences & { readonly id: string; readonly subjectRef?: string | undefined },
>(keys: SubjectKeys, ledger: LedgerClient, channel: string, records: readonly T[], batch: boolean): Promise<object[]> {
  try {
    // The org key is read only when a record carries a reference (once per channel, then cached).
    const orgKey = records.some(hasReferences) ? await keys.orgContentKey(ledger, channel) : undefined;
    const withReferences =
      orgKey === undefined ? records : records.map((record) => committedReferences(orgKey, record));
    return await commitRecordContent(keys, ledger, channel, withReferences);
  } catch (error) {
    if (error instanceof RecordKeyError)
      throw recordKeyProblem(error, batch ? `records[${error.index}].subjectRef` : 'subjectRef');
    throw error;
  }
}

function hasReferences(record: ClearReferences): boolean {
  return record.actorRef !== undefined || record.conversationId !== undefined || record.tags !== undefined;
}

/** The record's key for verification or disclosure; an unknown subject is a 422. */
export async function keyOfStoredRecord(
  keys: SubjectKeys,
  ledger: LedgerClient,
  channel: string,
  subjectRef: string | undefined,
): Promise<RecordKey | 'erased'> {
  try {
    return await recordKey(keys, ledger, channel, subjectRef);
  } catch (error) {
    if (error instanceof RecordKeyError) throw recordKeyProblem(error, 'subjectRef');
    throw error;
  }
}
