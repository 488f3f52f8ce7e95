import type { Kysely } from 'kysely';
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

/** One stride of a sample: blocks `from` (inclusive) to `to` (exclusive), and how many rows to take from its start. */
export interface SampleStride {
  readonly from: number;
  readonly to: number;
  readonly take: number;
}

/** A seed's offset into each stride, in [0, 1): a 32-bit integer mix of the seed, so nearby seeds land apart. */
function seedFraction(seed: number): number {
  let x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/**
 * Where a sample of `size` rows looks: `size` strides of equal width over blocks `fromBlock`..`atBlock`,
 * all shifted by the same seed-chosen fraction of a stride; the first rows of each stride are taken.
 * The same seed and blocks give the same strides, so two runs compare the same rows; another seed
 * other rows. When there are fewer blocks than `size`, each block is a stride and takes its share.
 */
export function sampleStrides(atBlock: number, size: number, seed: number, fromBlock = 0): SampleStride[] {
  if (fromBlock > 0)
    return sampleStrides(atBlock - fromBlock, size, seed).map((stride) => ({
      from: stride.from + fromBlock,
      to: stride.to + fromBlock,
      take: stride.take,
    }));
  const blocks = atBlock + 1;
  if (blocks <= 0 || size <= 0) return [];
  if (blocks <= size) {
    const take = Math.ceil(size / blocks);
    return Array.from({ length: blocks }, (_, block) => ({ from: block, to: block + 1, take }));
  }
  const width = blocks / size;
  const shift = seedFraction(seed);
  const strides: SampleStride[] = [];
  for (let index = 0; index < size; index++) {
    const from = Math.floor((index + shift) * width);
    const to = Math.min(Math.floor((index + 1 + shift) * width), blocks);
    strides.push({ from, to, take: 1 });
  }
  // The blocks before the first stride, so that every block can be drawn: the sample takes from
  // here only what the other strides did not fill (an empty one), as it stops at `size` rows.
  const head = Math.floor(shift * width);
  if (head > 0) strides.push({ from: 0, to: head, take: 1 });
  return strides.filter((stride) => stride.from < stride.to);
}

/** How rows are picked: a deterministic sample by seed (see {@link sampleStrides}), or the page after an id. */
export type SamplePick = { readonly seed: number } | { readonly afterId: string | undefined };

/**
 * Up to `limit` rows of one kind of `channel`, of blocks `fromBlock` (default 0) to `atBlock`, that the scope may read:
 * with a seed, the first rows of each of {@link sampleStrides}' block ranges (an index seek per
 * stride on SQLite and PostgreSQL alike, no sort of the table), in block order; with `afterId`,
 * the page of `limit` rows after that id in id order.
 */
export async function sampleRows(
  db: Kysely<AuditIndexDatabase>,
  kind: SampleKind,
  query: {
    readonly channel: string;
    readonly atBlock: number;
    /** The first block sampled; rows of earlier blocks are left out (default 0). */
    readonly fromBlock?: number;
    /** The records the checking identity may point-read, as the chaincode decides it. */
    readonly scope: ReadScope;
    readonly pick: SamplePick;
    readonly limit: number;
  },
): Promise<SampledRow[]> {
  const { atBlock, pick, limit, fromBlock = 0 } = query;
  if (fromBlock > atBlock) return [];
  if (!('seed' in pick))
    return sampleRange(db, kind, { ...query, from: fromBlock, to: atBlock + 1, order: { afterId: pick.afterId } });
  const rows: SampledRow[] = [];
  const seen = new Set<string>();
  for (const stride of sampleStrides(atBlock, limit, pick.seed, fromBlock)) {
    if (rows.length >= limit) break;
    for (const row of await sampleRange(db, kind, { ...query, ...stride, limit: stride.take, order: 'block' })) {
      if (seen.has(row.id) || rows.length >= limit) continue;
      seen.add(row.id);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * The first `limit` rows of blocks `from`..`to` (exclusive): in block order then id, or, after an
 * id, in id order.
 */
async function sampleRange(
  db: Kysely<AuditIndexDatabase>,
  kind: SampleKind,
  query: {
    readonly channel: string;
    readonly scope: ReadScope;
    readonly from: number;
    readonly to: number;
    readonly limit: number;
    /** `block`: block order, then id; `afterId`: id order, after that id (or from the first). */
    readonly order: 'block' | { readonly afterId: string | undefined };
  },
): Promise<SampledRow[]> {
  const { channel, scope, from, to, limit, order } = query;
  const paging = order !== 'block';
  const afterId = paging ? order.afterId : undefined;
  switch (kind) {
    case 'interaction':
    case 'batched-interaction': {
      let q = db
        .selectFrom('interactions')
        .select(['record_id as id', 'block_number', 'record_json'])
        .where('channel', '=', channel)
        .where('block_number', '>=', from)
        .where('block_number', '<', to)
        .where('batch_id', kind === 'interaction' ? 'is' : 'is not', null);
      if (!scope.everything) q = q.where('org', '=', scope.mspId);
      if (afterId !== undefined) q = q.where('record_id', '>', afterId);
      const ordered = paging ? q.orderBy('record_id') : q.orderBy('block_number').orderBy('record_id');
      const rows = await ordered.limit(limit).execute();
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
        .where('block_number', '>=', from)
        .where('block_number', '<', to);
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
      if (afterId !== undefined) q = q.where('consent_id', '>', afterId);
      const ordered = paging ? q.orderBy('consent_id') : q.orderBy('block_number').orderBy('consent_id');
      const rows = await ordered.limit(limit).execute();
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
        .where('block_number', '>=', from)
        .where('block_number', '<', to);
      if (afterId !== undefined) q = q.where('artifact_id', '>', afterId);
      const ordered = paging ? q.orderBy('artifact_id') : q.orderBy('block_number').orderBy('artifact_id');
      const rows = await ordered.limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        blockNumber: row.block_number,
        recordJson: row.record_json,
        revoked: false,
      }));
    }
  }
}
