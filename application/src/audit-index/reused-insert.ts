import type { Compilable, CompiledQuery, QueryResult, Transaction } from 'kysely';
import type { AuditIndexDatabase } from './schema';

type Trx = Transaction<AuditIndexDatabase>;

/** A column value an insert binds: what the store's rows hold (never undefined, never an expression). */
type BoundValue = string | number | bigint | null;

/**
 * A multi-row insert that Kysely builds and compiles once per row count, then runs again with
 * other rows' values: its SQL depends only on how many rows it writes, so building the query
 * (thousands of value nodes for a block's rows) and compiling it to the same text again, as
 * ingestion did for every block, is work thrown away. The SQL text stays the query builder's (on
 * SQLite the same text also finds the same prepared statement); only the parameters are this
 * class's, bound in Kysely's order — row by row, column by column — which the first use of each
 * row count checks against Kysely's own compilation of the same rows.
 *
 * One instance per store: a compiled query belongs to its database's dialect.
 */
export class ReusedInsert<Row extends { readonly [K in keyof Row]: BoundValue }> {
  private readonly compiled = new Map<number, CompiledQuery>();

  /**
   * @param columns every column of a row (the row type's), in the order the rows' objects list them (Kysely's order)
   * @param build the insert of `rows` as the query builder spells it
   */
  constructor(
    private readonly columns: readonly (keyof Row & string)[],
    private readonly build: (trx: Trx, rows: readonly Row[]) => Compilable,
  ) {}

  /** Inserts `rows` (at least one) in the caller's transaction; the result counts the rows written. */
  async execute(trx: Trx, rows: readonly Row[]): Promise<QueryResult<unknown>> {
    const parameters = this.parametersOf(rows);
    const compiled = this.compiled.get(rows.length);
    if (compiled !== undefined) return trx.executeQuery({ ...compiled, parameters });
    const fresh = this.build(trx, rows).compile();
    if (!sameValues(fresh.parameters, parameters))
      throw new Error(`ReusedInsert: the query builder binds ${this.columns.join(', ')} in another order`);
    this.compiled.set(rows.length, fresh);
    return trx.executeQuery(fresh);
  }

  /** The rows' values by column name, in Kysely's order; a row lacking a column would change the SQL, so it is refused. */
  private parametersOf(rows: readonly Row[]): BoundValue[] {
    const { columns } = this;
    const parameters = new Array<BoundValue>(rows.length * columns.length);
    let at = 0;
    for (const row of rows)
      for (const column of columns) {
        const value = row[column];
        // Undefined would make Kysely write DEFAULT instead: other SQL than the compiled one.
        if (value === undefined) throw new Error(`ReusedInsert: a row has no ${column}`);
        parameters[at] = value;
        at += 1;
      }
    return parameters;
  }
}

function sameValues(a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
