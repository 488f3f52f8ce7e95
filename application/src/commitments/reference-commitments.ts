import { referenceCommitment } from '@aal/ledger-contract';
import type { LedgerClient } from '../ledger/ledger-client';
import type { SubjectKeys } from '../subjects/subject-keys';

/** The clear references a client sends with a record; the ledger takes only their commitments. */
export interface ClearReferences {
  readonly actorRef?: string | undefined;
  readonly conversationId?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

/**
 * The record with `actorRef`, `conversationId` and each tag replaced by its keyed commitment under
 * the org's content key (`referenceCommitment`): the clear values never reach the ledger. Every value
 * is committed, also one already in commitment format — a client always sends clear values.
 */
export function committedReferences<T extends ClearReferences>(orgKeyHex: string, record: T): T {
  const { actorRef, conversationId, tags } = record;
  return {
    ...record,
    ...(actorRef === undefined ? {} : { actorRef: referenceCommitment(orgKeyHex, 'actorRef', actorRef) }),
    ...(conversationId === undefined
      ? {}
      : { conversationId: referenceCommitment(orgKeyHex, 'conversationId', conversationId) }),
    ...(tags === undefined ? {} : { tags: tags.map((tag) => referenceCommitment(orgKeyHex, 'tags', tag)) }),
  };
}

/**
 * The value an index query compares with: for `by=actorRef` the caller's clear actor committed with
 * THIS org's key (so an org finds its own actors; another org's actors appear only as commitments it
 * cannot open), any other path's value as given.
 */
export async function committedFilterValue(
  keys: SubjectKeys,
  ledger: LedgerClient,
  channel: string,
  by: string | undefined,
  value: string,
): Promise<string> {
  if (by !== 'actorRef') return value;
  return referenceCommitment(await keys.orgContentKey(ledger, channel), 'actorRef', value);
}
