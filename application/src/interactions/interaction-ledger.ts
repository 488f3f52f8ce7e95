import {
  TRANSACTIONS,
  type BatchedRecordLocator,
  type InteractionFilter,
  type StoredAnnotation,
  type StoredInteraction,
} from '@aal/ledger-contract';
import type { LedgerClient } from '../ledger/ledger-client';
import { vouchedInteraction, type IndexedInteraction } from './vouched-interaction';

/**
 * The Interactions contract as the application calls it (docs/chaincode-api.md): JSON in, JSON out,
 * nothing about HTTP. Records pass through as the chaincode wrote them.
 */

export interface InteractionPage {
  readonly records: readonly StoredInteraction[];
  /** Empty when there is no further page. */
  readonly bookmark: string;
}

/** A record written by a submit, with the transaction that carried it. */
export interface RecordedInteractions {
  readonly records: readonly StoredInteraction[];
  readonly transactionId: string;
  readonly blockNumber: bigint;
}

/** Writes one record (write-once by id, so the submit is safe to repeat). */
export async function recordInteraction(
  ledger: LedgerClient,
  channel: string,
  record: object,
): Promise<RecordedInteractions> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.recordInteraction, [JSON.stringify(record)], {
    idempotent: true,
  });
  return {
    records: [JSON.parse(submitted.result) as StoredInteraction],
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

/** Writes up to `LIMITS.interactionBatchRecords` records in one transaction (all or nothing; write-once by id). */
export async function recordInteractions(
  ledger: LedgerClient,
  channel: string,
  records: readonly object[],
): Promise<RecordedInteractions> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.recordInteractions, [JSON.stringify(records)], {
    idempotent: true,
  });
  const { records: stored } = JSON.parse(submitted.result) as { records: StoredInteraction[] };
  return { records: stored, transactionId: submitted.transactionId, blockNumber: submitted.blockNumber };
}

/**
 * One interaction, checked against its recording transaction on the org's own peer before it is
 * returned (interactions/vouched-interaction.ts); the chaincode answers NOT_FOUND for another org's
 * record unless the caller is an auditor.
 *
 * @throws LedgerEvidenceError when the recording transaction does not vouch for the record
 */
export async function getInteraction(
  ledger: LedgerClient,
  channel: string,
  id: string,
  indexed?: IndexedInteraction,
): Promise<StoredInteraction> {
  // The index row is read while the peer answers: the two are independent until they are compared.
  const early = indexed === undefined ? undefined : settled(indexed(channel, id));
  const answer = JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getInteraction, [id])) as
    StoredInteraction | BatchedRecordLocator;
  const lookup: IndexedInteraction | undefined =
    indexed === undefined || early === undefined
      ? undefined
      : (c, i) => (c === channel && i === id ? early.then((outcome) => outcome()) : indexed(c, i));
  return vouchedInteraction(ledger, channel, answer, lookup);
}

/** A promise whose outcome is read later: never an unhandled rejection if nobody reads it. */
function settled<T>(promise: Promise<T>): Promise<() => T> {
  return promise.then(
    (value) => () => value,
    (error: unknown) => () => {
      throw error;
    },
  );
}

/** One page of a query. */
export async function queryInteractions(
  ledger: LedgerClient,
  channel: string,
  filter: InteractionFilter,
): Promise<InteractionPage> {
  return JSON.parse(
    await ledger.evaluate(channel, TRANSACTIONS.queryInteractions, [JSON.stringify(filter)]),
  ) as InteractionPage;
}

/**
 * Every page of a query, fetched one at a time as the consumer asks for the next: at most one page
 * is held, however many records match.
 */
export async function* interactionPages(
  ledger: LedgerClient,
  channel: string,
  filter: Omit<InteractionFilter, 'bookmark'>,
  bookmark = '',
): AsyncGenerator<InteractionPage> {
  let next = bookmark;
  do {
    const page = await queryInteractions(ledger, channel, { ...filter, ...(next === '' ? {} : { bookmark: next }) });
    yield page;
    next = page.bookmark;
  } while (next !== '');
}

/** Adds an annotation (write-once by interaction and annotation id). */
export async function annotateInteraction(
  ledger: LedgerClient,
  channel: string,
  interactionId: string,
  annotation: object,
): Promise<{ annotation: StoredAnnotation; transactionId: string; blockNumber: bigint }> {
  const submitted = await ledger.submit(
    channel,
    TRANSACTIONS.annotateInteraction,
    [interactionId, JSON.stringify(annotation)],
    { idempotent: true },
  );
  return {
    annotation: JSON.parse(submitted.result) as StoredAnnotation,
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

/** Every annotation of an interaction, oldest first. */
export async function getAnnotations(
  ledger: LedgerClient,
  channel: string,
  interactionId: string,
): Promise<StoredAnnotation[]> {
  const { records } = JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getAnnotations, [interactionId])) as {
    records: StoredAnnotation[];
  };
  return records;
}
