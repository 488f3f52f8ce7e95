import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { timeIndexPage } from '../ledger/time-index-query';
import { INTERACTION_QUERY_PATHS, interactionIndexRange } from './interaction-indexes';
import type { StoredInteraction } from './interaction-schema';
import { readInteraction } from './interaction-store';

/**
 * One page of interactions on one access path, oldest or newest first. Auditors query across
 * orgs; everyone else reads the org-scoped index of their own org, and asking for another org is
 * refused.
 */
export async function queryInteractions(ctx: Context, caller: Caller, filterJson: unknown): Promise<{ records: StoredInteraction[]; bookmark: string }> {
  const page = await timeIndexPage(ctx, caller, INTERACTION_QUERY_PATHS, filterJson, interactionIndexRange, 'interactions');
  const records: StoredInteraction[] = [];
  for (const id of page.ids) {
    const record = await readInteraction(ctx, id);
    if (record !== undefined && (page.everything || record.org === caller.mspId)) records.push(record);
  }
  return { records, bookmark: page.bookmark };
}
