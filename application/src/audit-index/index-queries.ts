import {
  consentStatus,
  type ConsentQueryPath,
  type ConsentStatus,
  type QueryOrder,
  type StoredConsent,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { sql, type Kysely } from 'kysely';
import type { IndexFilter } from './index-store';
import { matches } from './index-store';
import type { AuditIndexDatabase } from './schema';

type Db = Kysely<AuditIndexDatabase>;

/** A page read from the index: its records and the sort key of the last one when more may follow. */
export interface IndexPage<T, K> {
  readonly records: T[];
  readonly next?: K;
}

/** Interactions ordered as the chaincode's time indexes: by txTime, then id. */
export type InteractionKey = readonly [txTime: string, id: string];

/**
 * A page of interactions (single, gathered and batched) matching `filter`, by txTime then id in
 * `order`, strictly after `after`.
 */
export async function interactionPage(
  db: Db,
  filter: IndexFilter,
  order: QueryOrder,
  pageSize: number,
  after?: InteractionKey,
): Promise<IndexPage<StoredInteraction, InteractionKey>> {
  const direction = order === 'desc' ? '<' : '>';
  const rows = await db
    .selectFrom('interactions')
    .where((eb) => {
      const conditions = [matches(eb, filter)];
      if (after !== undefined)
        conditions.push(
          eb.or([
            eb('tx_time', direction, after[0]),
            eb.and([eb('tx_time', '=', after[0]), eb('record_id', direction, after[1])]),
          ]),
        );
      return eb.and(conditions);
    })
    .select(['tx_time', 'record_id', 'record_json'])
    .orderBy('tx_time', order)
    .orderBy('record_id', order)
    .limit(pageSize)
    .execute();
  const last = rows.at(-1);
  return {
    records: rows.map((row) => JSON.parse(row.record_json) as StoredInteraction),
    ...(rows.length === pageSize && last !== undefined ? { next: [last.tx_time, last.record_id] as const } : {}),
  };
}

/** A batch as listed: its header without the ids. */
export interface BatchListing {
  readonly batchId: string;
  readonly org: string;
  readonly recordedBy: string;
  readonly txTime: string;
  readonly size: number;
  readonly root: string;
  readonly txId: string;
  readonly blockNumber: string;
}

/** Batches ordered by txTime, then batch id. */
export type BatchKey = readonly [txTime: string, batchId: string];

/**
 * A page of Merkle batches of an org (`by=org`) or holding at least one record with the value,
 * within the filter's txTime range, by txTime then batch id in `order`, strictly after `after`.
 */
export async function batchPage(
  db: Db,
  filter: IndexFilter,
  order: QueryOrder,
  pageSize: number,
  after?: BatchKey,
): Promise<IndexPage<BatchListing, BatchKey>> {
  const direction = order === 'desc' ? '<' : '>';
  // By a record's field, batches come from batch_paths, whose key lists one value's batches in
  // (tx_time, batch_id) order: a page reads its rows and no others (no join over every record).
  const listed =
    filter.by === 'org'
      ? db.selectFrom('batches as b').where('b.org', '=', filter.value).where('b.channel', '=', filter.channel)
      : db
          .selectFrom('batch_paths as p')
          .innerJoin('batches as b', (join) =>
            join.onRef('b.channel', '=', 'p.channel').onRef('b.batch_id', '=', 'p.batch_id'),
          )
          .where('p.channel', '=', filter.channel)
          .where('p.path', '=', filter.by)
          .where('p.value', '=', filter.value);
  // The ordering columns of the index read: batches' own, or batch_paths' (the same values).
  const time = sql.ref<string>(filter.by === 'org' ? 'b.tx_time' : 'p.tx_time');
  const id = sql.ref<string>(filter.by === 'org' ? 'b.batch_id' : 'p.batch_id');
  const rows = await listed
    .where((eb) => {
      const conditions = [];
      if (filter.org !== undefined) conditions.push(eb('b.org', '=', filter.org));
      if (filter.from !== undefined) conditions.push(eb(time, '>=', filter.from));
      if (filter.to !== undefined) conditions.push(eb(time, '<=', filter.to));
      if (filter.atBlock !== undefined) conditions.push(eb('b.block_number', '<=', filter.atBlock));
      if (after !== undefined)
        conditions.push(
          eb.or([eb(time, direction, after[0]), eb.and([eb(time, '=', after[0]), eb(id, direction, after[1])])]),
        );
      return eb.and(conditions);
    })
    // The listing's columns only: a batch's record_json holds its header with every record id (up to
    // 1000), which a page of 100 batches would otherwise carry out of the database and drop.
    .select(['b.batch_id', 'b.org', 'b.recorded_by', 'b.tx_time', 'b.size', 'b.root', 'b.tx_id', 'b.block_number'])
    .orderBy(time, order)
    .orderBy(id, order)
    .limit(pageSize)
    .execute();
  const last = rows.at(-1);
  return {
    records: rows.map((row) => ({
      batchId: row.batch_id,
      org: row.org,
      recordedBy: row.recorded_by,
      txTime: row.tx_time,
      size: Number(row.size),
      root: row.root,
      txId: row.tx_id,
      blockNumber: String(row.block_number),
    })),
    ...(rows.length === pageSize && last !== undefined ? { next: [last.tx_time, last.batch_id] as const } : {}),
  };
}

/** Which consents a caller reads: all (auditors of auditor orgs) or those its org controls or is granted. */
export interface ConsentReadScope {
  readonly channel: string;
  /** Undefined: every consent; else only those this org may read (controller or grantee org). */
  readonly readerOrg?: string;
  readonly atBlock: number;
}

/** A consent as an index answer gives it: the stored consent as of the height, its status now, its block. */
export type IndexedConsentView = StoredConsent & { readonly status: ConsentStatus };

/** The consents (as of `scope.atBlock`) with these ids whose subjects have an erasure receipt. */
async function erasedSubjects(db: Db, scope: ConsentReadScope, subjectRefs: readonly string[]): Promise<Set<string>> {
  if (subjectRefs.length === 0) return new Set();
  const rows = await db
    .selectFrom('erasure_receipts')
    .select('subject_ref')
    .where('channel', '=', scope.channel)
    .where('subject_ref', 'in', [...new Set(subjectRefs)])
    .where('block_number', '<=', scope.atBlock)
    .execute();
  return new Set(rows.map((row) => row.subject_ref));
}

interface ConsentRow {
  readonly record_json: string;
  readonly revoked_json: string | null;
  readonly revocation_block_number: number | null;
}

/** The consent as the ledger held it at `atBlock`: revoked only once the revocation's block is reached. */
function consentAt(row: ConsentRow, atBlock: number): StoredConsent {
  const revoked =
    row.revoked_json !== null && row.revocation_block_number !== null && Number(row.revocation_block_number) <= atBlock;
  return JSON.parse(revoked ? (row.revoked_json ?? '') : row.record_json) as StoredConsent;
}

/**
 * A page of consents on one query path, in consent-id order strictly after `afterId`, that the
 * scope may read, with their status at `now` (the chaincode's rule, `consentStatus`); with `status`,
 * only those in it (so a page may hold fewer than `pageSize` while `next` continues).
 */
export async function consentPage(
  db: Db,
  scope: ConsentReadScope,
  query: { by: ConsentQueryPath; value: string; status?: ConsentStatus },
  now: string,
  pageSize: number,
  afterId?: string,
): Promise<IndexPage<IndexedConsentView, string>> {
  let select = db
    .selectFrom('consent_paths as p')
    .innerJoin('consents as c', (join) =>
      join.onRef('c.channel', '=', 'p.channel').onRef('c.consent_id', '=', 'p.consent_id'),
    )
    .select(['c.consent_id', 'c.record_json', 'c.revoked_json', 'c.revocation_block_number'])
    .where('p.channel', '=', scope.channel)
    .where('p.path', '=', query.by)
    .where('p.value', '=', query.value)
    .where('c.block_number', '<=', scope.atBlock);
  if (afterId !== undefined) select = select.where('p.consent_id', '>', afterId);
  const readerOrg = scope.readerOrg;
  if (readerOrg !== undefined)
    select = select.where((eb) =>
      eb.exists(
        eb
          .selectFrom('consent_readers as r')
          .select(sql.lit(1).as('one'))
          .whereRef('r.channel', '=', 'c.channel')
          .whereRef('r.consent_id', '=', 'c.consent_id')
          .where('r.org', '=', readerOrg),
      ),
    );
  const rows = await select.orderBy('p.consent_id').limit(pageSize).execute();
  const consents = rows.map((row) => consentAt(row, scope.atBlock));
  const erased = await erasedSubjects(
    db,
    scope,
    consents.map((consent) => consent.subjectRef),
  );
  const records: IndexedConsentView[] = [];
  for (const consent of consents) {
    const status = consentStatus(consent, { now }, erased.has(consent.subjectRef));
    if (query.status === undefined || query.status === status) records.push({ ...consent, status });
  }
  const last = rows.at(-1);
  return { records, ...(rows.length === pageSize && last !== undefined ? { next: last.consent_id } : {}) };
}

/** What a consent version recorded: its grant or its revocation (the only two writes of a consent). */
export type ConsentChange = 'grant' | 'revocation';

/** One version of a consent, as its history lists it. */
export interface ConsentVersion {
  readonly txId: string;
  readonly txTime: string;
  readonly blockNumber: string;
  readonly isDelete: false;
  readonly change: ConsentChange;
  readonly consent: StoredConsent;
}

/**
 * A consent's versions up to `atBlock`, newest first, and whether the scope may read it; undefined
 * when the index holds no such consent at that height.
 */
export async function consentHistory(
  db: Db,
  scope: ConsentReadScope,
  id: string,
): Promise<{ readable: boolean; versions: ConsentVersion[] } | undefined> {
  const consent = await db
    .selectFrom('consents')
    .select('consent_id')
    .where('channel', '=', scope.channel)
    .where('consent_id', '=', id)
    .where('block_number', '<=', scope.atBlock)
    .executeTakeFirst();
  if (consent === undefined) return undefined;
  if (scope.readerOrg !== undefined) {
    const reader = await db
      .selectFrom('consent_readers')
      .select('org')
      .where('channel', '=', scope.channel)
      .where('consent_id', '=', id)
      .where('org', '=', scope.readerOrg)
      .executeTakeFirst();
    if (reader === undefined) return { readable: false, versions: [] };
  }
  const versions = await db
    .selectFrom('consent_versions')
    .select(['tx_id', 'tx_time', 'block_number', 'change', 'record_json'])
    .where('channel', '=', scope.channel)
    .where('consent_id', '=', id)
    .where('block_number', '<=', scope.atBlock)
    .orderBy('block_number', 'desc')
    .orderBy('tx_index', 'desc')
    .execute();
  return {
    readable: true,
    versions: versions.map((row) => ({
      txId: row.tx_id,
      txTime: row.tx_time,
      blockNumber: String(row.block_number),
      isDelete: false,
      // Only insertConsents (record-rows.ts) writes this column, with one of the two values.
      change: row.change as ConsentChange,
      consent: JSON.parse(row.record_json) as StoredConsent,
    })),
  };
}

/** The record kinds the audit records listing answers, and the table and columns of each. */
export const AUDIT_RECORD_TYPES = {
  annotation: { table: 'annotations', org: 'org', key: 'annotation_id' },
  artifact: { table: 'artifacts', org: 'registered_by', key: 'artifact_id' },
  'training-run': { table: 'training_runs', org: 'org', key: 'run_id' },
  'erasure-receipt': { table: 'erasure_receipts', org: 'org', key: 'subject_ref' },
} as const;
export type AuditRecordType = keyof typeof AUDIT_RECORD_TYPES;

/** Records of one kind in ledger order: block, position in the block, then key. */
export type LedgerOrderKey = readonly [blockNumber: number, txIndex: number, key: string];

/** A record with where it sits on the ledger. */
export interface PlacedRecord {
  readonly record: Record<string, unknown>;
  readonly txId: string;
  readonly blockNumber: string;
}

/** A page of one kind of record (of `org` only, when given) up to `atBlock`, in ledger order after `after`. */
export async function auditRecordPage(
  db: Db,
  type: AuditRecordType,
  scope: { channel: string; org?: string; atBlock: number },
  pageSize: number,
  after?: LedgerOrderKey,
): Promise<IndexPage<PlacedRecord, LedgerOrderKey>> {
  const { table, org, key } = AUDIT_RECORD_TYPES[type];
  const keyColumn = sql.ref<string>(key);
  const rows = await db
    .selectFrom(table)
    .select(['tx_id', 'block_number', 'tx_index', 'record_json', keyColumn.as('record_key')])
    .where((eb) => {
      const conditions = [eb('channel', '=', scope.channel), eb('block_number', '<=', scope.atBlock)];
      if (scope.org !== undefined) conditions.push(eb(sql.ref<string>(org), '=', scope.org));
      if (after !== undefined)
        conditions.push(
          eb.or([
            eb('block_number', '>', after[0]),
            eb.and([eb('block_number', '=', after[0]), eb('tx_index', '>', after[1])]),
            eb.and([eb('block_number', '=', after[0]), eb('tx_index', '=', after[1]), eb(keyColumn, '>', after[2])]),
          ]),
        );
      return eb.and(conditions);
    })
    .orderBy('block_number')
    .orderBy('tx_index')
    .orderBy(keyColumn)
    .limit(pageSize)
    .execute();
  const last = rows.at(-1);
  return {
    records: rows.map((row) => ({
      record: JSON.parse(row.record_json) as Record<string, unknown>,
      txId: row.tx_id,
      blockNumber: String(row.block_number),
    })),
    ...(rows.length === pageSize && last !== undefined
      ? { next: [Number(last.block_number), Number(last.tx_index), last.record_key] as const }
      : {}),
  };
}
