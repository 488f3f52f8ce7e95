import type { Context } from 'fabric-contract-api';
import { indexedId } from '../ledger/index-keys';
import { MAX_PAGE_SIZE, checkPageSize, rangePage } from '../ledger/pagination';
import { check, integer, object, oneOf, optional, string, type ObjectOf } from '../validation/rules';
import type { StoredArtifact } from './artifact-schema';
import { ARTIFACT_INDEX_PATHS, artifactIndexRange, readArtifacts } from './artifact-store';

export const MAX_FILTER_BYTES = 8 * 1024;

const filterShape = {
  by: oneOf(ARTIFACT_INDEX_PATHS),
  value: string({ maxLength: 128 }),
  pageSize: optional(integer({ min: 1, max: MAX_PAGE_SIZE })),
  bookmark: optional(string({ minLength: 0, maxLength: 4096 })),
};

export type ArtifactFilter = ObjectOf<typeof filterShape>;

export function checkArtifactFilter(value: unknown): ArtifactFilter {
  return check(object(filterShape), value, 'filter');
}

/**
 * One page of artifacts matching the filter, in registration order. Index entries are read with
 * a key-range query (LevelDB has no rich queries), then the page's artifacts in one multi-key read.
 */
export async function queryArtifacts(ctx: Context, filter: ArtifactFilter): Promise<{ records: StoredArtifact[]; bookmark: string }> {
  const { startKey, endKey } = artifactIndexRange(filter.by, filter.value);
  const page = await rangePage(ctx, startKey, endKey, checkPageSize(filter.pageSize), filter.bookmark ?? '');
  return { records: await readArtifacts(ctx, page.records.map((entry) => indexedId(entry.key))), bookmark: page.bookmark };
}
