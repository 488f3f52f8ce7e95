import { sql, type ColumnDefinitionBuilder, type Kysely, type SqlBool } from 'kysely';
import { BATCH_PATH_COLUMNS, USAGE_ROLLUP_KEY_COLUMNS, USAGE_SUM_COLUMNS } from './usage-rollup';
import { ROLLUP_NONE, type AuditIndexDatabase } from './schema';
import type { AuditIndexBackend } from './store-location';

/**
 * One schema change; `version`s are applied in ascending order, each once. Every migration runs on
 * both backends (SQLite and PostgreSQL), so it uses only what both understand: `bigint` for block
 * numbers, token counts and amounts (PostgreSQL's `integer` stops at 2^31), `integer` 0/1 for
 * booleans, `text` for strings and JSON, {@link seqColumn} for an ordering key, and no functions
 * of one engine only. `backend` is there for what has no portable spelling.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Kysely<AuditIndexDatabase>, backend: AuditIndexBackend): Promise<void>;
}

// Migrations run before the typed tables exist, so they take the database untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema builders are untyped by nature
type AnyDb = Kysely<any>;

/**
 * An increasing row number assigned by the database: SQLite's rowid alias (`integer primary key
 * autoincrement`, 64-bit there) or a PostgreSQL identity column (`bigint`); no portable spelling exists.
 */
export function seqColumn(backend: AuditIndexBackend): {
  type: 'integer' | 'bigint';
  build: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return backend === 'sqlite'
    ? { type: 'integer', build: (column) => column.primaryKey().autoIncrement() }
    : { type: 'bigint', build: (column) => column.primaryKey().generatedByDefaultAsIdentity() };
}

/** Every migration of the audit index, in order. Never edit one that has shipped: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'interactions and checkpoints',
    // Types made portable when PostgreSQL arrived (integer → bigint for numbers that can pass 2^31,
    // the seq column per backend); on SQLite both spellings are the same 64-bit integer affinity.
    async up(typed, backend) {
      const db = typed as AnyDb;
      const seq = seqColumn(backend);
      await db.schema
        .createTable('interactions')
        .addColumn('seq', seq.type, seq.build)
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('record_id', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addColumn('tx_id', 'text', (column) => column.notNull())
        .addColumn('block_number', 'bigint', (column) => column.notNull())
        .addColumn('tx_index', 'integer', (column) => column.notNull())
        .addColumn('batch_id', 'text')
        .addColumn('leaf_index', 'integer')
        .addColumn('tx_time', 'text', (column) => column.notNull())
        .addColumn('request_model', 'text', (column) => column.notNull())
        .addColumn('actor_ref', 'text')
        .addColumn('application_id', 'text')
        .addColumn('subject_ref', 'text')
        .addColumn('consent_id', 'text')
        .addColumn('is_error', 'integer', (column) => column.notNull())
        .addColumn('input_tokens', 'bigint', (column) => column.notNull())
        .addColumn('output_tokens', 'bigint', (column) => column.notNull())
        .addColumn('cache_read_tokens', 'bigint', (column) => column.notNull())
        .addColumn('reasoning_tokens', 'bigint', (column) => column.notNull())
        .addColumn('cost_currency', 'text')
        .addColumn('cost_amount_minor', 'bigint')
        .addColumn('consent_allowed', 'integer')
        .addColumn('record_json', 'text', (column) => column.notNull())
        // One id names one record on a channel: a block seen twice adds nothing.
        .addUniqueConstraint('interactions_channel_record', ['channel', 'record_id'])
        .execute();
      for (const column of ['org', 'request_model', 'actor_ref', 'application_id', 'subject_ref', 'consent_id'])
        await db.schema
          .createIndex(`interactions_by_${column}`)
          .on('interactions')
          .columns(['channel', column, 'tx_time'])
          .execute();
      await db.schema
        .createTable('checkpoints')
        .addColumn('channel', 'text', (column) => column.primaryKey())
        .addColumn('block_number', 'bigint', (column) => column.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'batches, consents, annotations, artifacts, training runs, erasure receipts',
    async up(typed) {
      const db = typed as AnyDb;
      // Portable types only (bigint, text, integer booleans): the same migrations serve PostgreSQL.
      const placed = (table: string) =>
        db.schema
          .createTable(table)
          .addColumn('channel', 'text', (column) => column.notNull())
          .addColumn('tx_id', 'text', (column) => column.notNull())
          .addColumn('block_number', 'bigint', (column) => column.notNull())
          .addColumn('tx_index', 'bigint', (column) => column.notNull())
          .addColumn('tx_time', 'text', (column) => column.notNull())
          .addColumn('record_json', 'text', (column) => column.notNull());
      await placed('batches')
        .addColumn('batch_id', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addColumn('recorded_by', 'text', (column) => column.notNull())
        .addColumn('root', 'text', (column) => column.notNull())
        .addColumn('size', 'bigint', (column) => column.notNull())
        .addPrimaryKeyConstraint('batches_key', ['channel', 'batch_id'])
        .execute();
      await db.schema.createIndex('batches_by_org').on('batches').columns(['channel', 'org', 'tx_time']).execute();
      await db.schema.createIndex('batches_by_time').on('batches').columns(['channel', 'tx_time']).execute();
      // Batch listings by a record's field find the batch through its records.
      await db.schema
        .createIndex('interactions_by_batch')
        .on('interactions')
        .columns(['channel', 'batch_id'])
        .execute();
      await placed('consents')
        .addColumn('consent_id', 'text', (column) => column.notNull())
        .addColumn('controller', 'text', (column) => column.notNull())
        .addColumn('subject_ref', 'text', (column) => column.notNull())
        .addColumn('decision', 'text', (column) => column.notNull())
        .addColumn('period_start', 'text', (column) => column.notNull())
        .addColumn('period_end', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('revocation_reason', 'text')
        .addColumn('revocation_tx_id', 'text')
        .addColumn('revocation_block_number', 'bigint')
        .addColumn('revoked_json', 'text')
        .addPrimaryKeyConstraint('consents_key', ['channel', 'consent_id'])
        .execute();
      await placed('consent_versions')
        .addColumn('consent_id', 'text', (column) => column.notNull())
        .addColumn('change', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('consent_versions_key', ['channel', 'consent_id', 'tx_id'])
        .execute();
      await db.schema
        .createTable('consent_paths')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('path', 'text', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('consent_id', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('consent_paths_key', ['channel', 'path', 'value', 'consent_id'])
        .execute();
      await db.schema
        .createTable('consent_readers')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('consent_id', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('consent_readers_key', ['channel', 'consent_id', 'org'])
        .execute();
      await placed('annotations')
        .addColumn('interaction_id', 'text', (column) => column.notNull())
        .addColumn('annotation_id', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('severity', 'text')
        .addPrimaryKeyConstraint('annotations_key', ['channel', 'interaction_id', 'annotation_id'])
        .execute();
      await placed('artifacts')
        .addColumn('artifact_id', 'text', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('version', 'text', (column) => column.notNull())
        .addColumn('sha256', 'text', (column) => column.notNull())
        .addColumn('registered_by', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('artifacts_key', ['channel', 'artifact_id'])
        .execute();
      await placed('training_runs')
        .addColumn('run_id', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addColumn('model_artifact_id', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('training_runs_key', ['channel', 'run_id'])
        .execute();
      await placed('erasure_receipts')
        .addColumn('subject_ref', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addColumn('erased_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('erasure_receipts_key', ['channel', 'subject_ref'])
        .execute();
      // The audit records listing pages each kind in ledger order.
      for (const table of ['annotations', 'artifacts', 'training_runs', 'erasure_receipts'])
        await db.schema
          .createIndex(`${table}_in_ledger_order`)
          .on(table)
          .columns(['channel', 'block_number', 'tx_index'])
          .execute();
    },
  },
  {
    version: 3,
    name: 'block hash chain and transaction time anomalies',
    async up(typed) {
      const db = typed as AnyDb;
      // Nullable: checkpoints written before this migration have no hash; the next block's link is then not checked.
      for (const [column, type] of [
        ['header_hash', 'text'],
        ['newest_tx_time', 'text'],
        ['newest_tx_id', 'text'],
        ['newest_tx_block', 'bigint'],
      ] as const)
        await db.schema.alterTable('checkpoints').addColumn(column, type).execute();
      await db.schema
        .createTable('time_anomalies')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('block_number', 'bigint', (column) => column.notNull())
        .addColumn('tx_index', 'bigint', (column) => column.notNull())
        .addColumn('tx_id', 'text', (column) => column.notNull())
        .addColumn('tx_time', 'text', (column) => column.notNull())
        .addColumn('earlier_tx_id', 'text', (column) => column.notNull())
        .addColumn('earlier_block_number', 'bigint', (column) => column.notNull())
        .addColumn('earlier_tx_time', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('time_anomalies_position', ['channel', 'block_number', 'tx_index'])
        .execute();
    },
  },
  {
    version: 4,
    name: 'interactions and consents in block order',
    async up(typed) {
      const db = typed as AnyDb;
      // check --sample seeks the first row at or after a block number in each of its strides: an
      // index seek each, instead of sorting the whole table at random.
      await db.schema
        .createIndex('interactions_in_block_order')
        .on('interactions')
        .columns(['channel', 'block_number'])
        .execute();
      await db.schema
        .createIndex('consents_in_ledger_order')
        .on('consents')
        .columns(['channel', 'block_number', 'tx_index'])
        .execute();
    },
  },
  {
    version: 5,
    name: 'usage rollup and batch paths',
    // Filled here from the rows already indexed, so an existing index answers at once (no reindex needed).
    async up(typed) {
      const db = typed as AnyDb;
      const sumColumns = USAGE_SUM_COLUMNS;
      let rollup = db.schema
        .createTable('usage_rollup')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('hour', 'text', (column) => column.notNull());
      for (const column of USAGE_ROLLUP_KEY_COLUMNS)
        rollup = rollup.addColumn(column, 'text', (definition) => definition.notNull());
      for (const column of sumColumns)
        rollup = rollup.addColumn(column, 'bigint', (definition) => definition.notNull());
      await rollup
        // The builder types constraint columns by the columns added one by one; those added in the loop are lost to it.
        .addPrimaryKeyConstraint('usage_rollup_key', ['channel', 'hour', ...USAGE_ROLLUP_KEY_COLUMNS] as never[])
        .execute();
      const none = sql.lit(ROLLUP_NONE);
      await db
        .insertInto('usage_rollup')
        .columns(['channel', 'hour', ...USAGE_ROLLUP_KEY_COLUMNS, ...sumColumns])
        .expression(
          db
            .selectFrom('interactions')
            .select((eb) => [
              'channel',
              sql<string>`substr(tx_time, 1, 13)`.as('hour'),
              ...USAGE_ROLLUP_KEY_COLUMNS.map((column) => eb.fn.coalesce(column, none).as(column)),
              eb.fn.countAll().as('calls'),
              eb.fn.sum('is_error').as('error_calls'),
              ...(['input_tokens', 'output_tokens', 'cache_read_tokens', 'reasoning_tokens'] as const).map((column) =>
                eb.fn.sum(column).as(column),
              ),
              eb.fn.coalesce(eb.fn.sum('cost_amount_minor'), sql.lit(0)).as('cost_amount_minor'),
            ])
            .groupBy(['channel', sql`substr(tx_time, 1, 13)`, ...USAGE_ROLLUP_KEY_COLUMNS]),
        )
        .execute();
      await db.schema
        .createTable('batch_paths')
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('path', 'text', (column) => column.notNull())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('tx_time', 'text', (column) => column.notNull())
        .addColumn('batch_id', 'text', (column) => column.notNull())
        // Also the listing's index: one path value's batches in time order.
        .addPrimaryKeyConstraint('batch_paths_key', ['channel', 'path', 'value', 'tx_time', 'batch_id'])
        .execute();
      for (const [path, column] of Object.entries(BATCH_PATH_COLUMNS))
        await db
          .insertInto('batch_paths')
          .columns(['channel', 'path', 'value', 'tx_time', 'batch_id'])
          .expression(
            db
              .selectFrom('interactions as i')
              .innerJoin('batches as b', (join) =>
                join.onRef('b.channel', '=', 'i.channel').onRef('b.batch_id', '=', 'i.batch_id'),
              )
              .select(['i.channel', sql.lit(path).as('path'), `i.${column} as value`, 'b.tx_time', 'b.batch_id'])
              .where(`i.${column}`, 'is not', null)
              .distinct(),
          )
          .execute();
      // Batches of an org in time order, ties by id: a first page reads exactly its rows from the index.
      await db.schema
        .createIndex('batches_by_org_in_order')
        .on('batches')
        .columns(['channel', 'org', 'tx_time', 'batch_id'])
        .execute();
      await db.schema.dropIndex('batches_by_org').execute();
    },
  },
  {
    version: 6,
    name: 'only the secondary indexes queries use',
    // Every secondary index costs each ingested row an index insert; these served no query any more.
    async up(typed) {
      const db = typed as AnyDb;
      // Batch listings by a record's field read batch_paths since migration 5, not the batch's records.
      await db.schema.dropIndex('interactions_by_batch').execute();
      // Every batch listing names an org (batches_by_org_in_order) or a record field (batch_paths).
      await db.schema.dropIndex('batches_by_time').execute();
      // Queries by these optional fields always ask for a value (`column = value`), which no row
      // without the field matches: a partial index leaves those rows out and still serves every
      // such query (both engines prove `column = value` implies `column is not null`).
      for (const column of ['actor_ref', 'application_id', 'subject_ref', 'consent_id']) {
        await db.schema.dropIndex(`interactions_by_${column}`).execute();
        await db.schema
          .createIndex(`interactions_by_${column}`)
          .on('interactions')
          .columns(['channel', column, 'tx_time'])
          .where(sql.ref(column), 'is not', null)
          .execute();
      }
    },
  },
  {
    version: 7,
    name: 'consent violations in ledger order',
    // Violations are few among the records: a partial index holds them alone, so the violation scan
    // reads violations, not every record of a path (and a record without a violation costs no entry).
    async up(typed) {
      const db = typed as AnyDb;
      await db.schema
        .createIndex('interactions_violations_in_order')
        .on('interactions')
        .columns(['channel', 'seq'])
        .where(sql<SqlBool>`consent_allowed = 0`)
        .execute();
    },
  },
];

/**
 * Brings the database to the newest schema: applies, in one transaction each, the migrations not
 * yet recorded in `schema_migrations`. Returns the versions applied now.
 */
export async function migrate(
  db: Kysely<AuditIndexDatabase>,
  backend: AuditIndexBackend,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .execute();
  const applied = new Set(
    (await db.selectFrom('schema_migrations').select('version').execute()).map((row) => row.version),
  );
  const now: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    await db.transaction().execute(async (trx) => {
      await migration.up(trx, backend);
      await trx.insertInto('schema_migrations').values({ version: migration.version, name: migration.name }).execute();
    });
    now.push(migration.version);
  }
  return now;
}
