import {
  Kysely,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { DatabaseSync } from 'node:sqlite';
import { AuditIndexStore } from '../audit-index/index-store';
import { outageAwareDialect } from '../audit-index/outage-aware-dialect';
import type { AuditIndexDatabase } from '../audit-index/schema';
import { nodeSqliteDialect } from '../audit-index/sqlite-dialect';

/**
 * A database server that a test takes down and brings back, over an in-memory SQLite database,
 * failing the way pg fails against a PostgreSQL server that is down: new connections refused
 * (`ECONNREFUSED`), queries on an open one "Connection terminated unexpectedly". A rollback always
 * goes through (a server that went away has rolled the transaction back). Unit tests only.
 */
export class SimulatedOutage {
  /** While true, the database cannot be reached. */
  down = false;
  /** Goes down after this many more commits (undefined: does not). */
  downAfterCommits: number | undefined;
  /** The next commit is applied but its acknowledgement is lost (the connection breaks just after). */
  loseNextCommitAck = false;

  /** An unmigrated index store behind this outage, as the app's store-factory builds one (outage-aware). */
  store(): AuditIndexStore {
    const db = new Kysely<AuditIndexDatabase>({
      dialect: outageAwareDialect(this.dialect(nodeSqliteDialect(new DatabaseSync(':memory:')))),
    });
    return AuditIndexStore.unmigrated(db, 'sqlite');
  }

  private dialect(inner: Dialect): Dialect {
    return {
      createDriver: () => new OutageDriver(this, inner.createDriver()),
      createQueryCompiler: () => inner.createQueryCompiler(),
      createAdapter: () => inner.createAdapter(),
      createIntrospector: (db) => inner.createIntrospector(db),
    };
  }

  /** @internal the driver's check before each query */
  refuse(sqlText: string): void {
    if (this.down && sqlText.trim().toLowerCase() !== 'rollback') throw new Error('Connection terminated unexpectedly');
  }

  /** @internal counts a commit, going down when told to */
  committed(): void {
    if (this.downAfterCommits === undefined) return;
    this.downAfterCommits -= 1;
    if (this.downAfterCommits <= 0) {
      this.down = true;
      this.downAfterCommits = undefined;
    }
  }
}

class OutageConnection implements DatabaseConnection {
  /** Set when the connection broke after a commit: a rollback then fails as pg's does. */
  broken = false;

  constructor(
    private readonly outage: SimulatedOutage,
    readonly inner: DatabaseConnection,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    this.outage.refuse(compiledQuery.sql);
    return this.inner.executeQuery<R>(compiledQuery);
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.outage.refuse(compiledQuery.sql);
    return this.inner.streamQuery<R>(compiledQuery, chunkSize);
  }
}

class OutageDriver implements Driver {
  constructor(
    private readonly outage: SimulatedOutage,
    private readonly inner: Driver,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.outage.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    return new OutageConnection(this.outage, await this.inner.acquireConnection());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const inner = (connection as OutageConnection).inner;
    this.outage.refuse('begin');
    return this.inner.beginTransaction(inner, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    this.outage.refuse('commit');
    await this.inner.commitTransaction((connection as OutageConnection).inner);
    this.outage.committed();
    if (this.outage.loseNextCommitAck) {
      this.outage.loseNextCommitAck = false;
      (connection as OutageConnection).broken = true;
      throw new Error('Connection terminated unexpectedly');
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const outageConnection = connection as OutageConnection;
    if (outageConnection.broken) throw new Error('Client has encountered a connection error and is not queryable');
    await this.inner.rollbackTransaction(outageConnection.inner);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as OutageConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
