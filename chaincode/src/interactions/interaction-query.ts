import { checkInput, interactionFilterSchema, type StoredInteraction } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { stateBatchOf } from '../ledger/peer-state-batch';
import { timeIndexPage } from '../ledger/time-index-query';
import { interactionIndexRange } from './interaction-indexes';
import { decodeInteraction, interactionKey } from './interaction-store';

/**
 * One page of interactions on one access path, oldest or newest first. Auditors query across
 * orgs; everyone else reads the org-scoped index of their own org, and asking for another org is
 * refused. The page's records are read in one message to the peer, not one round trip each.
 */
export async function queryInteractions(
  ctx: Context,
  caller: Caller,
  filterJson: unknown,
): Promise<{ records: StoredInteraction[]; bookmark: string }> {
  const page = await timeIndexPage(
    ctx,
    caller,
    checkInput(interactionFilterSchema, filterJson),
    interactionIndexRange,
    'interactions',
  );
  const records: StoredInteraction[] = [];
  const values = await stateBatchOf(ctx).getStates(page.ids.map((id) => interactionKey(ctx, id)));
  for (const value of values) {
    const record = decodeInteraction(value);
    if (record !== undefined && (page.everything || record.org === caller.mspId)) records.push(record);
  }
  return { records, bookmark: page.bookmark };
}
