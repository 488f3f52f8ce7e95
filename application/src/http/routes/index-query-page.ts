import { DEFAULT_PAGE_SIZE, type QueryOrder, type Role } from '@aal/ledger-contract';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { AuditIndex } from '../../audit-index/audit-index';
import { decodeIndexCursor } from '../../audit-index/index-cursor';
import type { IndexPage } from '../../audit-index/index-queries';
import { indexFilterOf, readScopeOf } from '../../audit-index/index-reads';
import type { IndexFilter } from '../../audit-index/index-store';
import type { AuditIndexDatabase } from '../../audit-index/schema';
import { committedFilterValue } from '../../commitments/reference-commitments';
import type { LedgerClient } from '../../ledger/ledger-client';
import type { OwnRecordIds } from '../../records/own-record-ids';
import type { SubjectKeys } from '../../subjects/subject-keys';
import { indexPageBody } from '../schemas/index-page';
import { type indexInteractionQuerySchema, INTERACTION_CURSOR } from '../schemas/interaction-query';

/** One page of an index query ordered by txTime then id, after the sort key `after`. */
export type IndexPageReader<T> = (
  db: Kysely<AuditIndexDatabase>,
  filter: IndexFilter,
  order: QueryOrder,
  pageSize: number,
  after?: z.output<typeof INTERACTION_CURSOR>,
) => Promise<IndexPage<T, readonly [string, string]>>;

/**
 * Answers `GET …/interactions` and `GET …/batches` from the audit index: the caller's read scope,
 * the access path's value (a bare consent id names this org's consent, a clear actorRef is committed
 * with this org's key), the height after
 * `minBlock`, the cursor, and one page read by `readPage`.
 */
export async function indexQueryPage<T>(
  deps: {
    readonly auditIndex: AuditIndex;
    readonly mspId: string;
    readonly auditorOrgs: ReadonlySet<string>;
    readonly ids: OwnRecordIds;
    readonly subjectKeys: SubjectKeys;
  },
  request: {
    readonly ledger: LedgerClient;
    readonly channel: string;
    readonly role: Role;
    readonly query: z.output<typeof indexInteractionQuerySchema>;
  },
  readPage: IndexPageReader<T>,
): Promise<ReturnType<typeof indexPageBody<T>>> {
  const { auditIndex, mspId, auditorOrgs, ids, subjectKeys } = deps;
  const { ledger, channel, role, query } = request;
  const value = await committedFilterValue(subjectKeys, ledger, channel, query.by, query.value);
  const { filter, asOfBlock } = await indexFilterOf(auditIndex, readScopeOf(role, mspId, auditorOrgs), {
    ...query,
    value: ids.filterValue(query.by, value) ?? value,
    channel,
  });
  const after = query.cursor === undefined ? undefined : decodeIndexCursor(query.cursor, INTERACTION_CURSOR);
  const page = await readPage(
    auditIndex.store.db,
    filter,
    query.order ?? 'asc',
    query.pageSize ?? DEFAULT_PAGE_SIZE,
    after,
  );
  return indexPageBody(page, asOfBlock);
}
