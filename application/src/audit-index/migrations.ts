import type { Kysely } from 'kysely';
import type { AuditIndexDatabase } from './schema';

/** One schema change; `version`s are applied in ascending order, each once. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Kysely<AuditIndexDatabase>): Promise<void>;
}

// Migrations run before the typed tables exist, so they take the database untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- schema builders are untyped by nature
type AnyDb = Kysely<any>;

/** Every migration of the audit index, in order. Never edit one that has shipped: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'interactions and checkpoints',
    async up(typed) {
      const db = typed as AnyDb;
      await db.schema
        .createTable('interactions')
        .addColumn('seq', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('record_id', 'text', (column) => column.notNull())
        .addColumn('org', 'text', (column) => column.notNull())
        .addColumn('tx_id', 'text', (column) => column.notNull())
        .addColumn('block_number', 'integer', (column) => column.notNull())
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
        .addColumn('input_tokens', 'integer', (column) => column.notNull())
        .addColumn('output_tokens', 'integer', (column) => column.notNull())
        .addColumn('cache_read_tokens', 'integer', (column) => column.notNull())
        .addColumn('reasoning_tokens', 'integer', (column) => column.notNull())
        .addColumn('cost_currency', 'text')
        .addColumn('cost_amount_minor', 'integer')
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
        .addColumn('block_number', 'integer', (column) => column.notNull())
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
      await migration.up(trx);
      await trx.insertInto('schema_migrations').values({ version: migration.version, name: migration.name }).execute();
    });
    now.push(migration.version);
  }
  return now;
}
