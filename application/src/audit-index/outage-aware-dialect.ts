import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { IndexDatabaseUnavailableError, isConnectionFailure } from './index-database-unavailable';

/**
 * A dialect that reports an unreachable database as {@link IndexDatabaseUnavailableError}, whatever
 * query hit it, so that readers answer 503 and the block follower retries instead of treating it as
 * a bug. Any other error (a refused row, a query error) passes unchanged.
 */
export function outageAwareDialect(inner: Dialect): Dialect {
  return {
    createDriver: (): Driver => new OutageAwareDriver(inner.createDriver()),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    createAdapter: (): DialectAdapter => inner.createAdapter(),
    // Kysely's own parameter type: the introspector takes a database of any schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Dialect's signature
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => inner.createIntrospector(db),
  };
}

/** Rethrows a connection failure as the index's unavailability error. */
async function mapped<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw isConnectionFailure(error) && !(error instanceof IndexDatabaseUnavailableError)
      ? new IndexDatabaseUnavailableError(error)
      : error;
  }
}

/** One connection of the inner driver, its queries' failures mapped. */
class OutageAwareConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return mapped(this.inner.executeQuery<R>(compiledQuery));
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw isConnectionFailure(error) ? new IndexDatabaseUnavailableError(error) : error;
    }
  }
}

/**
 * The inner driver, handed its own connections back (its transaction and release methods may rely
 * on their private state) and its failures mapped.
 */
class OutageAwareDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return mapped(this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new OutageAwareConnection(await mapped(this.inner.acquireConnection()));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return mapped(this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(this.inner.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof OutageAwareConnection ? connection.inner : connection;
}
