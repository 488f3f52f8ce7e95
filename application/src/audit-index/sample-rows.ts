import { sql, type Kysely } from 'kysely';
import type { ReadScope } from './index-reads';
import type { AuditIndexDatabase } from './schema';

/** The kinds of record `check --sample` reads back through the chaincode, one point-read transaction each. */
export const SAMPLE_KINDS = ['interaction', 'batched-interaction', 'consent', 'artifact'] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

/** One stored record to compare with the ledger: its ledger id, block and the JSON the index holds for it now. */
export interface SampledRow {
  readonly id: string;
  readonly blockNumber: number;
  /** The record as the index answers it (a revoked consent: as revoked). */
  readonly recordJson: string;
  /** A consent whose revocation the index has not seen has none; the others never change. */
  readonly revoked: boolean;
}

/** How many rows to sample per kind, or every row in the scope. */
export type SampleSize = number | 'all';

/**
 * Up to `size` rows of one kind of `channel`, of blocks up to `atBlock`, that the scope may read:
 * chosen at random by the database (`random()`, on SQLite and PostgreSQL alike), or, for `all`,
 * the page of `limit` rows after id `afterId` in id order.
 */
export async function sampleRows(
  db: Kysely<AuditIndexDatabase>,
  kind: SampleKind,
  query: {
    readonly channel: string;
    readonly atBlock: number;
    /** The records the checking identity may point-read, as the chaincode decides it. */
    readonly scope: ReadScope;
    /** `random`: `limit` rows at random; `after`: the next page in id order. */
    readonly pick: { readonly random: true } | { readonly afterId: string | undefined };
    readonly limit: number;
  },
): Promise<SampledRow[]> {
  const { channel, atBlock, scope, pick, limit } = query;
  const random = 'random' in pick;
  switch (kind) {
    case 'interaction':
    case 'batched-interaction': {
      let q = db
        .selectFrom('interactions')
        .select(['record_id as id', 'block_number', 'record_json'])
        .where('channel', '=', channel)
        .where('block_number', '<=', atBlock)
        .where('batch_id', kind === 'interaction' ? 'is' : 'is not', null);
      if (!scope.everything) q = q.where('org', '=', scope.mspId);
      if ('afterId' in pick && pick.afterId !== undefined) q = q.where('record_id', '>', pick.afterId);
      const rows = await (random ? q.orderBy(sql`random()`) : q.orderBy('record_id')).limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        blockNumber: row.block_number,
        recordJson: row.record_json,
        revoked: false,
      }));
    }
    case 'consent': {
      let q = db
        .selectFrom('consents')
        .select(['consent_id as id', 'block_number', 'record_json', 'revoked_json'])
        .where('channel', '=', channel)
        .where('block_number', '<=', atBlock);
      if (!scope.everything)
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('consent_readers')
              .select('consent_readers.org')
              .whereRef('consent_readers.channel', '=', 'consents.channel')
              .whereRef('consent_readers.consent_id', '=', 'consents.consent_id')
              .where('consent_readers.org', '=', scope.mspId),
          ),
        );
      if ('afterId' in pick && pick.afterId !== undefined) q = q.where('consent_id', '>', pick.afterId);
      const rows = await (random ? q.orderBy(sql`random()`) : q.orderBy('consent_id')).limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        blockNumber: row.block_number,
        recordJson: row.revoked_json ?? row.record_json,
        revoked: row.revoked_json !== null,
      }));
    }
    case 'artifact': {
      // Every member reads every artifact (Artifacts:GetArtifact is not scoped by org).
      let q = db
        .selectFrom('artifacts')
        .select(['artifact_id as id', 'block_number', 'record_json'])
        .where('channel', '=', channel)
        .where('block_number', '<=', atBlock);
      if ('afterId' in pick && pick.afterId !== undefined) q = q.where('artifact_id', '>', pick.afterId);
      const rows = await (random ? q.orderBy(sql`random()`) : q.orderBy('artifact_id')).limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        blockNumber: row.block_number,
        recordJson: row.record_json,
        revoked: false,
      }));
    }
  }
}
