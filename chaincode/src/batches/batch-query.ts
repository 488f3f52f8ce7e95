import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { timeIndexPage } from '../ledger/time-index-query';
import { BATCH_QUERY_PATHS, batchIndexRange } from './batch-indexes';
import { readBatch, type StoredBatch } from './batch-store';

/** A batch in a query result: the header without its ids (a page of 1000-id lists would be megabytes). */
export type BatchListing = Omit<StoredBatch, 'ids'>;


/**
 * One page of batches of an org, or containing at least one record with a model, actor, subject,
 * consent or application, within a time range. Auditors query across orgs; everyone else reads
 * their own org's entries only.
 */
export async function queryBatches(ctx: Context, caller: Caller, filterJson: unknown): Promise<{ records: BatchListing[]; bookmark: string }> {
  const page = await timeIndexPage(ctx, caller, BATCH_QUERY_PATHS, filterJson, batchIndexRange, 'batches');
  const records: BatchListing[] = [];
  for (const id of page.ids) {
    const batch = await readBatch(ctx, id);
    if (batch === undefined || (!page.everything && batch.org !== caller.mspId)) continue;
    const { ids: _ids, ...listing } = batch;
    records.push(listing);
  }
  return { records, bookmark: page.bookmark };
}
