import {
  BATCH_QUERY_PATHS,
  sortedKeyJson,
  type BatchQueryPath,
  type InteractionInput,
  type QueryOrder,
} from '@aal/ledger-contract';
import { descendingTime, indexKey, indexRange } from '../ledger/index-keys';
import type { StoredBatch } from './batch-store';

/**
 * Batch-level index entries of the previous layout: no longer written (the audit index answers
 * queries from the blocks); `QueryBatches` still reads those of batches written before, and
 * old-layout test fixtures build them here so keys and ranges stay one definition. Then: a batch is indexed once per distinct value it contains, not once per
 * record, so a batch of 1000 records of one model, application and actor writes a dozen entries
 * instead of ~15 000. A query therefore finds *batches* that contain a value; the records inside
 * are read from the batch. Like the interaction indexes, every path has an ascending entry
 * (`… ∘ txTime ∘ batchId`) and a descending twin, and value paths exist across orgs (auditors) and
 * scoped to the recording org (everyone else). Each entry holds the batch's listing (the header
 * without its ids, ~250 bytes), so a query page is one range read: the headers, with up to 1000
 * ids each, are never read for it.
 */
type ValuePath = Exclude<BatchQueryPath, 'org'>;
type Order = QueryOrder;
type Scope = 'all' | 'org';

/** A batch in a query result: the header without its ids (a page of 1000-id lists would be megabytes). */
export type BatchListing = Omit<StoredBatch, 'ids'>;

/** The value of every index entry of a batch: its listing, canonical JSON. */
export function batchListingValue(batch: StoredBatch): Buffer {
  const { ids: _ids, ...listing } = batch;
  return Buffer.from(sortedKeyJson(listing));
}

const VALUE_PATHS = BATCH_QUERY_PATHS.filter((path): path is ValuePath => path !== 'org');

const indexName = (path: BatchQueryPath, scope: Scope, order: Order): string =>
  `batch-by-${scope === 'org' && path !== 'org' ? 'org-' : ''}${path}${order === 'desc' ? '-desc' : ''}`;

const timePart = (time: string, order: Order): string => (order === 'asc' ? time : descendingTime(time));

function prefixOf(path: BatchQueryPath, scope: Scope, org: string, value: string): string[] {
  return path === 'org' ? [value] : scope === 'org' ? [org, value] : [value];
}

/** Every index entry the previous layout wrote for a batch, sorted: once per distinct value, not per record. */
export function batchIndexKeys(batch: StoredBatch, records: readonly InteractionInput[]): string[] {
  const values = new Map<ValuePath, Set<string>>(VALUE_PATHS.map((path) => [path, new Set<string>()]));
  for (const record of records) {
    for (const path of VALUE_PATHS) {
      const value = record[path];
      if (value !== undefined) values.get(path)?.add(value);
    }
  }
  const keys: string[] = [];
  const add = (path: BatchQueryPath, value: string): void => {
    for (const order of ['asc', 'desc'] as const) {
      for (const scope of path === 'org' ? (['all'] as const) : (['all', 'org'] as const)) {
        keys.push(
          indexKey(indexName(path, scope, order), [
            ...prefixOf(path, scope, batch.org, value),
            timePart(batch.txTime, order),
            batch.batchId,
          ]),
        );
      }
    }
  };
  add('org', batch.org);
  for (const [path, distinct] of values) for (const value of distinct) add(path, value);
  return [...new Set(keys)].sort();
}

/** The key range of one value's batches with `txTime` in [from, to]; `org` restricts it to one org's batches. */
export function batchIndexRange(
  query: { path: BatchQueryPath; value: string; from?: string; to?: string; order: Order },
  org: string | undefined,
): { startKey: string; endKey: string } {
  const scope: Scope = org === undefined ? 'all' : 'org';
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
