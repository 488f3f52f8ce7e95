import {
  INTERACTION_QUERY_PATHS,
  type InteractionQueryPath,
  type QueryOrder,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { descendingTime, indexKey, indexRange } from '../ledger/index-keys';

/**
 * Index entries for the interaction access paths, of the previous layout: no longer written (the
 * audit index answers queries from the blocks); `QueryInteractions` still reads those of records
 * written before, and old-layout test fixtures build them here so keys and ranges stay one definition. Each path has an ascending index
 * (`… ∘ txTime ∘ id`) and a descending twin (`… ∘ descendingTime(txTime) ∘ id`), because range scans
 * only go forward. Paths other than `org` exist twice: across orgs (auditors) and within one org
 * (`interaction-by-org-<path> ∘ org ∘ value ∘ …`), so a non-auditor's query reads only its own
 * org's entries instead of skipping other orgs' ones.
 */
type Order = QueryOrder;

const indexName = (path: InteractionQueryPath, scope: 'all' | 'org', order: Order): string =>
  `interaction-by-${scope === 'org' && path !== 'org' ? 'org-' : ''}${path}${order === 'desc' ? '-desc' : ''}`;

const timePart = (time: string, order: Order): string => (order === 'asc' ? time : descendingTime(time));

/** The prefix parts of an index: the org (for org-scoped paths) and the value. */
function prefixOf(path: InteractionQueryPath, scope: 'all' | 'org', org: string, value: string): string[] {
  return path === 'org' ? [value] : scope === 'org' ? [org, value] : [value];
}

/** Every index entry the previous layout wrote for a stored interaction, sorted. */
export function interactionIndexKeys(record: StoredInteraction): string[] {
  const keys: string[] = [];
  for (const path of INTERACTION_QUERY_PATHS) {
    const value = path === 'org' ? record.org : record[path];
    if (value === undefined) continue;
    for (const order of ['asc', 'desc'] as const) {
      for (const scope of path === 'org' ? (['all'] as const) : (['all', 'org'] as const)) {
        keys.push(
          indexKey(indexName(path, scope, order), [
            ...prefixOf(path, scope, record.org, value),
            timePart(record.txTime, order),
            record.id,
          ]),
        );
      }
    }
  }
  return keys.sort();
}

/**
 * The key range holding one value's interactions with `txTime` in [from, to] (ISO UTC with
 * milliseconds, both optional), in the requested order; `org` restricts it to one org's records.
 */
export function interactionIndexRange(
  query: { path: InteractionQueryPath; value: string; from?: string; to?: string; order: Order },
  org: string | undefined,
): { startKey: string; endKey: string } {
  const scope = org === undefined ? 'all' : 'org';
  const prefix = prefixOf(query.path, scope, org ?? '', query.value);
  const name = indexName(query.path, scope, query.order);
  if (query.order === 'asc') return indexRange(name, prefix, query.from, query.to);
  return indexRange(
    name,
    prefix,
    query.to === undefined ? undefined : descendingTime(query.to),
    query.from === undefined ? undefined : descendingTime(query.from),
  );
}
