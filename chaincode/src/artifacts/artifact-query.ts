import type { ArtifactFilter, StoredArtifact } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { indexedId } from '../ledger/index-keys';
import { checkBookmarkInRange, pageSizeOf, rangePage } from '../ledger/pagination';
import { artifactIndexRange, readArtifacts } from './artifact-store';

/**
 * One page of artifacts matching the filter (validated with the contract's `artifactFilterSchema`),
 * in registration order. Index entries are read with a key-range query (LevelDB has no rich
 * queries), then the page's artifacts in one multi-key read. A bookmark must lie in the filter's
 * key range: Fabric would resume at any key it is given.
 */
export async function queryArtifacts(
  ctx: Context,
  filter: ArtifactFilter,
): Promise<{ records: StoredArtifact[]; bookmark: string }> {
  const { startKey, endKey } = artifactIndexRange(filter.by, filter.value);
  const bookmark = filter.bookmark ?? '';
  checkBookmarkInRange(bookmark, startKey, endKey);
  const page = await rangePage(ctx, startKey, endKey, pageSizeOf(filter.pageSize), bookmark);
  return {
    records: await readArtifacts(
      ctx,
      page.records.map((entry) => indexedId(entry.key)),
    ),
    bookmark: page.bookmark,
  };
}
