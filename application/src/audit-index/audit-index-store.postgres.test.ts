import { readFileSync } from 'node:fs';
import { Client, type QueryResultRow } from 'pg';
import { describeAuditIndexStore } from '../testing/audit-index-store-suite';
import { postgresConnection } from './postgres-dialect';
import { openAuditIndexStore } from './store-factory';

/**
 * The audit index store's cases on a real PostgreSQL server (started for this jest project by
 * test/support/postgres-global-setup.ts with the network tool's PostgreSQL code), opened through
 * the store factory as the app opens it: URL plus password file.
 */
const url = process.env['AAL_TEST_POSTGRES_URL'] ?? '';
const passwordFile = process.env['AAL_TEST_POSTGRES_PASSWORD_FILE'] ?? '';
if (url === '' || passwordFile === '')
  throw new Error('no PostgreSQL server: run this file through its jest project (application-postgres)');

/** One statement on a connection of its own, beside the store's. */
async function query<R extends QueryResultRow>(text: string): Promise<R[]> {
  const client = new Client(postgresConnection(url, readFileSync(passwordFile, 'utf8')));
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Empties the database (every table, whatever the migrations created) before each case. */
async function openEmpty(): ReturnType<typeof openAuditIndexStore> {
  await query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  return openAuditIndexStore({ backend: 'postgres', url, passwordFile });
}

describeAuditIndexStore('PostgreSQL', openEmpty);

describe('the audit index schema on PostgreSQL', () => {
  it('declares block numbers, token counts and amounts bigint, and seq an identity', async () => {
    const store = await openEmpty();
    try {
      const columns = await query<{ name: string; data_type: string; is_identity: string }>(
        `SELECT table_name || '.' || column_name AS name, data_type, is_identity FROM information_schema.columns
          WHERE table_schema = 'public' AND data_type IN ('bigint', 'integer')`,
      );
      const types = Object.fromEntries(columns.map((column) => [column.name, column.data_type]));
      expect(types).toMatchObject({
        'interactions.seq': 'bigint',
        'interactions.block_number': 'bigint',
        'interactions.input_tokens': 'bigint',
        'interactions.output_tokens': 'bigint',
        'interactions.cache_read_tokens': 'bigint',
        'interactions.reasoning_tokens': 'bigint',
        'interactions.cost_amount_minor': 'bigint',
        'checkpoints.block_number': 'bigint',
      });
      expect(columns.filter((column) => column.is_identity === 'YES').map((column) => column.name)).toEqual([
        'interactions.seq',
      ]);
    } finally {
      await store.close();
    }
  });
});
