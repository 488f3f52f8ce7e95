import { Kysely } from 'kysely';
import { DatabaseSync } from 'node:sqlite';
import { ReusedInsert } from './reused-insert';
import type { AuditIndexDatabase } from './schema';
import { nodeSqliteDialect } from './sqlite-dialect';

type PathRow = AuditIndexDatabase['batch_paths'];
const row = (value: string, batch = 'b-1'): PathRow => ({
  channel: 'ch',
  path: 'actorRef',
  value,
  tx_time: '2026-01-01T00:00:00.000Z',
  batch_id: batch,
});

describe('ReusedInsert', () => {
  let database: DatabaseSync;
  let db: Kysely<AuditIndexDatabase>;
  const sqlSeen: string[] = [];
  beforeEach(async () => {
    database = new DatabaseSync(':memory:');
    sqlSeen.length = 0;
    db = new Kysely<AuditIndexDatabase>({
      dialect: nodeSqliteDialect(database),
      log: (event) => {
        if (event.level === 'query') sqlSeen.push(event.query.sql);
      },
    });
    await db.schema
      .createTable('batch_paths')
      .addColumn('channel', 'text')
      .addColumn('path', 'text')
      .addColumn('value', 'text')
      .addColumn('tx_time', 'text')
      .addColumn('batch_id', 'text')
      .addPrimaryKeyConstraint('key', ['channel', 'path', 'value', 'batch_id'])
      .execute();
  });
  afterEach(() => db.destroy());

  const insert = (): ReusedInsert<PathRow> =>
    new ReusedInsert<PathRow>(['channel', 'path', 'value', 'tx_time', 'batch_id'], (trx, rows) =>
      trx
        .insertInto('batch_paths')
        .values(rows)
        .onConflict((conflict) => conflict.doNothing()),
    );
  const stored = async (): Promise<PathRow[]> =>
    db.selectFrom('batch_paths').selectAll().orderBy('batch_id').orderBy('value').execute();

  it("writes later rows with the first use's SQL, the values of each call bound to it", async () => {
    const paths = insert();
    const first = await db.transaction().execute((trx) => paths.execute(trx, [row('a-1'), row('a-2')]));
    const second = await db.transaction().execute((trx) => paths.execute(trx, [row('a-3', 'b-2'), row('a-1')]));
    expect([first.numAffectedRows, second.numAffectedRows]).toEqual([2n, 1n]); // a-1 of b-1 was there
    expect(await stored()).toEqual([row('a-1'), row('a-2'), row('a-3', 'b-2')]);
    const inserts = sqlSeen.filter((text) => text.startsWith('insert'));
    expect(inserts).toHaveLength(2);
    expect(inserts[1]).toBe(inserts[0]);
  });

  it('refuses a column order other than the query builder binds, and a row lacking a column', async () => {
    const shuffled = new ReusedInsert<PathRow>(['path', 'channel', 'value', 'tx_time', 'batch_id'], (trx, rows) =>
      trx.insertInto('batch_paths').values(rows),
    );
    await expect(db.transaction().execute((trx) => shuffled.execute(trx, [row('a-1')]))).rejects.toThrow(
      /binds path, channel, value, tx_time, batch_id in another order/,
    );
    const lacking = { ...row('a-1'), batch_id: undefined } as unknown as PathRow;
    await expect(db.transaction().execute((trx) => insert().execute(trx, [lacking]))).rejects.toThrow(
      /a row has no batch_id/,
    );
    expect(await stored()).toEqual([]);
  });
});
