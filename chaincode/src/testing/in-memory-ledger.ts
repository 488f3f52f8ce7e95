/**
 * An in-memory stand-in for a peer's ledger, for unit tests only. It implements the parts of
 * `ChaincodeStub` and `ClientIdentity` the contracts use, with Fabric's semantics where they
 * matter to correctness:
 * - reads see committed state only (a transaction never reads its own writes);
 * - writes are buffered and applied by {@link InMemoryLedger.submit} only if the call succeeds;
 * - keys sort by their UTF-8 bytes, as in the peer's LevelDB state database;
 * - range queries refuse composite keys, like the real shim; pagination resumes at a bookmark as
 *   the peer does — unchecked, so a bookmark outside the query's range reads outside it;
 * - key history, private collections with hashes and purge, transient data, one event per tx.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { peerKeyBytes } from '../ledger/pagination';

const COMPOSITE_NS = '\u0000';
const MIN_RUNE = '\u0000';
/** The shim sends this for an empty start key (fabric-shim stub.js `EMPTY_KEY_SUBSTITUTE`). */
const EMPTY_KEY_SUBSTITUTE = '\x01';
/** `ledger.state.totalQueryLimit` of Fabric's default core.yaml: the most records one query returns. */
const TOTAL_QUERY_LIMIT = 100_000;

/**
 * A key as the peer receives it: the shim's protobuf encoding ({@link peerKeyBytes}) drops a high
 * surrogate not followed by a low one; any other lone surrogate makes invalid UTF-8, which the
 * peer's protobuf decoder refuses for a string field.
 */
function onTheWire(key: string): string {
  const bytes = peerKeyBytes(key);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new Error(`proto: string field contains invalid UTF-8`);
  return text;
}

/** LevelDB's default comparator: keys in the order of their UTF-8 bytes (not JavaScript's UTF-16 order). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export interface TestIdentity {
  readonly mspId: string;
  readonly role?: string;
  readonly enrollmentId?: string;
}

export interface CallOptions {
  /** Transaction time (RFC 3339); defaults to the ledger's clock, which advances 1 s per call. */
  readonly txTime?: string;
  readonly transient?: Readonly<Record<string, string | Uint8Array>>;
}

interface HistoryEntry {
  readonly txId: string;
  readonly txTime: string;
  readonly isDelete: boolean;
  readonly value: Uint8Array;
}

interface Write {
  readonly value: Uint8Array | undefined;
}

export interface RecordedEvent {
  readonly name: string;
  readonly payload: unknown;
  readonly txId: string;
}

type KV = { namespace: string; key: string; value: Uint8Array };

function iteratorOver<T>(items: T[]): { next(): Promise<{ value: T; done: boolean }>; close(): Promise<void> } {
  let index = 0;
  return {
    next: () =>
      Promise.resolve(
        index < items.length ? { value: items[index++] as T, done: false } : { value: undefined as T, done: true },
      ),
    close: () => Promise.resolve(),
  };
}

/** Promise + async iterable, like the shim's query results. */
function queryResult<T>(items: T[]): Promise<ReturnType<typeof iteratorOver<T>>> & AsyncIterable<T> {
  const promise = Promise.resolve(iteratorOver(items)) as Promise<ReturnType<typeof iteratorOver<T>>> &
    AsyncIterable<T>;
  promise[Symbol.asyncIterator] = () => {
    let index = 0;
    return {
      next: () =>
        Promise.resolve(
          index < items.length
            ? { value: items[index++] as T, done: false as const }
            : { value: undefined, done: true as const },
        ),
    };
  };
  return promise;
}

function checkSimpleKeys(...keys: string[]): void {
  for (const key of keys) {
    if (key.startsWith(COMPOSITE_NS))
      throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
  }
}

export class InMemoryLedger {
  private readonly state = new Map<string, Uint8Array>();
  private readonly history = new Map<string, HistoryEntry[]>();
  private readonly privateState = new Map<string, Map<string, Uint8Array>>();
  private clock = Date.parse('2026-01-01T00:00:00.000Z');
  private txCounter = 0;
  readonly events: RecordedEvent[] = [];
  /**
   * `collection/key` of every private write the last committed submit made. On a peer, a submit that
   * writes nothing to a collection is judged by the chaincode's endorsement policy, not the
   * collection's: tests use this to show private-only transactions always write.
   */
  lastPrivateWrites: string[] = [];

  /** Committed public state, for assertions. */
  get(key: string): string | undefined {
    const value = this.state.get(key);
    return value === undefined ? undefined : Buffer.from(value).toString('utf8');
  }

  keys(): string[] {
    return [...this.state.keys()].sort();
  }

  /** Committed private state of one collection, for assertions. */
  privateKeys(collection: string): string[] {
    return [...(this.privateState.get(collection)?.keys() ?? [])].sort();
  }

  getPrivate(collection: string, key: string): string | undefined {
    const value = this.privateState.get(collection)?.get(key);
    return value === undefined ? undefined : Buffer.from(value).toString('utf8');
  }

  /** Runs a transaction and commits its writes and event only if it succeeds. */
  async submit<T>(identity: TestIdentity, call: (ctx: Context) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const tx = this.transaction(identity, options);
    const result = await call(tx.ctx);
    tx.commit();
    return result;
  }

  /** Runs a query: its writes are discarded, as a peer discards an evaluated proposal's. */
  async evaluate<T>(identity: TestIdentity, call: (ctx: Context) => Promise<T>, options: CallOptions = {}): Promise<T> {
    return call(this.transaction(identity, options).ctx);
  }

  private transaction(identity: TestIdentity, options: CallOptions): { ctx: Context; commit: () => void } {
    this.clock += 1000;
    const txTime = options.txTime ?? new Date(this.clock).toISOString();
    const txId = createHash('sha256').update(`tx-${++this.txCounter}`).digest('hex');
    const writes = new Map<string, Write>();
    const privateWrites = new Map<string, Map<string, Write>>();
    const purges: { collection: string; key: string }[] = [];
    let event: { name: string; payload: Uint8Array } | undefined;
    const transient = new Map<string, Uint8Array>(
      Object.entries(options.transient ?? {}).map(([key, value]) => [
        key,
        typeof value === 'string' ? Buffer.from(value) : value,
      ]),
    );
    const millis = Date.parse(txTime);

    const rangeEntries = (startKey: string, endKey: string): KV[] =>
      [...this.state.keys()]
        .filter((key) => byteOrder(key, startKey) >= 0 && (endKey === '' || byteOrder(key, endKey) < 0))
        .sort(byteOrder)
        .map((key) => ({ namespace: 'audit', key, value: this.state.get(key) as Uint8Array }));

    /**
     * A paginated range query as the peer answers it (Fabric core/chaincode/handler.go
     * `HandleGetStateByRange`, stateleveldb `kvScanner`): a non-empty bookmark *replaces* the start
     * key, unchecked, and the end key stays; the returned bookmark is the next key in range after
     * the page, or '' when there is none. Page size 0 without a bookmark is a plain range query,
     * answered without metadata.
     */
    const paginated = (startKey: string, endKey: string, pageSize: number, bookmark = '') => {
      const entries = rangeEntries(onTheWire(bookmark === '' ? startKey : bookmark), onTheWire(endKey));
      const limit = pageSize > 0 ? Math.min(pageSize, TOTAL_QUERY_LIMIT) : TOTAL_QUERY_LIMIT;
      const slice = entries.slice(0, limit);
      const metadata =
        pageSize === 0 && bookmark === '' ? undefined : paginationMetadata(slice.length, entries[limit]?.key ?? '');
      // The cast reproduces the shim's result: `metadata` is absent although its type says otherwise.
      return Promise.resolve({
        iterator: iteratorOver(slice),
        metadata: metadata as { fetchedRecordsCount: number; bookmark: string },
      });
    };

    const stub = {
      getTxID: () => txId,
      getChannelID: () => 'test-channel',
      getMspID: () => identity.mspId,
      getTxTimestamp: () => ({
        seconds: { toString: () => String(Math.floor(millis / 1000)) },
        nanos: (millis % 1000) * 1_000_000,
      }),
      getDateTimestamp: () => new Date(millis),
      getTransient: () => transient,
      getState: (key: string) => Promise.resolve(this.state.get(key) ?? new Uint8Array()),
      putState: (key: string, value: Uint8Array) => {
        if (key === '') return Promise.reject(new Error('key must not be an empty string'));
        writes.set(key, { value });
        return Promise.resolve();
      },
      deleteState: (key: string) => {
        writes.set(key, { value: undefined });
        return Promise.resolve();
      },
      createCompositeKey: (objectType: string, attributes: string[]) =>
        COMPOSITE_NS + objectType + MIN_RUNE + attributes.map((attribute) => attribute + MIN_RUNE).join(''),
      splitCompositeKey: (key: string) => {
        const parts = key.slice(1, -1).split(MIN_RUNE);
        return { objectType: parts[0] ?? '', attributes: parts.slice(1) };
      },
      getStateByRange: (startKey: string, endKey: string) => {
        checkSimpleKeys(startKey, endKey);
        return queryResult(rangeEntries(startKey || EMPTY_KEY_SUBSTITUTE, endKey));
      },
      getStateByRangeWithPagination: (startKey: string, endKey: string, pageSize: number, bookmark?: string) => {
        checkSimpleKeys(startKey, endKey);
        return paginated(startKey || EMPTY_KEY_SUBSTITUTE, endKey, pageSize, bookmark);
      },
      getStateByPartialCompositeKey: (objectType: string, attributes: string[]) => {
        const prefix = stub.createCompositeKey(objectType, attributes);
        return queryResult(rangeEntries(prefix, prefix + '\u{10FFFF}'));
      },
      getStateByPartialCompositeKeyWithPagination: (
        objectType: string,
        attributes: string[],
        pageSize: number,
        bookmark?: string,
      ) => {
        const prefix = stub.createCompositeKey(objectType, attributes);
        return paginated(prefix, prefix + '\u{10FFFF}', pageSize, bookmark);
      },
      getHistoryForKey: (key: string) =>
        queryResult(
          [...(this.history.get(key) ?? [])].reverse().map((entry) => {
            const entryMillis = Date.parse(entry.txTime);
            return {
              txId: entry.txId,
              isDelete: entry.isDelete,
              value: entry.value,
              timestamp: {
                seconds: { toString: () => String(Math.floor(entryMillis / 1000)) },
                nanos: (entryMillis % 1000) * 1_000_000,
              },
            };
          }),
        ),
      getPrivateData: (collection: string, key: string) =>
        Promise.resolve(this.privateState.get(collection)?.get(key) ?? new Uint8Array()),
      getPrivateDataHash: (collection: string, key: string) => {
        const value = this.privateState.get(collection)?.get(key);
        return Promise.resolve(
          value === undefined ? new Uint8Array() : new Uint8Array(createHash('sha256').update(value).digest()),
        );
      },
      putPrivateData: (collection: string, key: string, value: Uint8Array) => {
        if (!privateWrites.has(collection)) privateWrites.set(collection, new Map());
        privateWrites.get(collection)?.set(key, { value });
        return Promise.resolve();
      },
      deletePrivateData: (collection: string, key: string) => {
        if (!privateWrites.has(collection)) privateWrites.set(collection, new Map());
        privateWrites.get(collection)?.set(key, { value: undefined });
        return Promise.resolve();
      },
      purgePrivateData: (collection: string, key: string) => {
        purges.push({ collection, key });
        return Promise.resolve();
      },
      setEvent: (name: string, payload: Uint8Array) => {
        event = { name, payload };
      },
    };

    const attributes: Record<string, string | undefined> = {
      role: identity.role,
      'hf.EnrollmentID': identity.enrollmentId ?? (identity.role ? `app-${identity.role}` : 'peer0'),
    };
    const clientIdentity = {
      getMSPID: () => identity.mspId,
      getID: () => `x509::/CN=${attributes['hf.EnrollmentID']}::/CN=ca`,
      getAttributeValue: (name: string) => attributes[name] ?? null,
      assertAttributeValue: (name: string, value: string) => attributes[name] === value,
    };

    // The contracts see only the members above; the cast is the seam between this fake and the shim's types.
    const ctx = { stub, clientIdentity } as unknown as Context;

    const commit = (): void => {
      for (const [key, write] of writes) {
        const entries = this.history.get(key) ?? [];
        entries.push({ txId, txTime, isDelete: write.value === undefined, value: write.value ?? new Uint8Array() });
        this.history.set(key, entries);
        if (write.value === undefined) this.state.delete(key);
        else this.state.set(key, write.value);
      }
      for (const [collection, collectionWrites] of privateWrites) {
        if (!this.privateState.has(collection)) this.privateState.set(collection, new Map());
        const target = this.privateState.get(collection) as Map<string, Uint8Array>;
        for (const [key, write] of collectionWrites) {
          if (write.value === undefined) target.delete(key);
          else target.set(key, write.value);
        }
      }
      for (const { collection, key } of purges) this.privateState.get(collection)?.delete(key);
      this.lastPrivateWrites = [...privateWrites].flatMap(([collection, collectionWrites]) =>
        [...collectionWrites.keys()].map((key) => `${collection}/${key}`),
      );
      if (event) {
        this.events.push({
          name: event.name,
          payload: JSON.parse(Buffer.from(event.payload).toString('utf8')) as unknown,
          txId,
        });
      }
    };
    return { ctx, commit };
  }
}

/**
 * The pagination metadata as fabric-shim 2.5.8 hands it over: absent when the peer's answer is all
 * defaults — no records and no bookmark — because protobuf then sends no bytes.
 */
function paginationMetadata(
  fetchedRecordsCount: number,
  bookmark: string,
): { fetchedRecordsCount: number; bookmark: string } | undefined {
  return fetchedRecordsCount === 0 && bookmark === '' ? undefined : { fetchedRecordsCount, bookmark };
}
