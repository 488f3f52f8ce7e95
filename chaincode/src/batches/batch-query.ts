import { batchFilterSchema, checkInput } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { timeIndexPage } from '../ledger/time-index-query';
import { batchIndexRange, type BatchListing } from './batch-indexes';

/**
 * One page of batches of an org, or containing at least one record with a model, actor, subject,
 * consent or application, within a time range. Auditors query across orgs; everyone else reads
 * their own org's entries only. The listings come from the index entries themselves.
 */
export async function queryBatches(
  ctx: Context,
  caller: Caller,
  filterJson: unknown,
): Promise<{ records: BatchListing[]; bookmark: string }> {
  const page = await timeIndexPage(ctx, caller, checkInput(batchFilterSchema, filterJson), batchIndexRange, 'batches');
  const records: BatchListing[] = [];
  for (const value of page.values) {
    const listing = JSON.parse(Buffer.from(value).toString('utf8')) as BatchListing;
    if (page.everything || listing.org === caller.mspId) records.push(listing);
  }
  return { records, bookmark: page.bookmark };
}
