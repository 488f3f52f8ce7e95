/**
 * The application's view of the ledger: submit a transaction or evaluate a query on a channel.
 * The HTTP layer depends on this interface only, so routes can be tested with an in-memory fake.
 */
export interface LedgerClient {
  /** Endorses, orders and waits for commit; resolves with the transaction's result. */
  submit(channel: string, transaction: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult>;
  /** Runs a query on the org's own peer; nothing is written. */
  evaluate(channel: string, transaction: string, args: readonly string[]): Promise<string>;
  /** Queries a system chaincode (e.g. qscc) on the org's own peer; returns its raw protobuf bytes. */
  evaluateSystem(channel: string, chaincode: 'qscc', transaction: string, args: readonly string[]): Promise<Uint8Array>;
  /** True when the org's peer answers. */
  ready(): Promise<boolean>;
  close(): void;
}

export interface SubmitOptions {
  /**
   * The transaction has the same effect however often it is submitted (e.g. a write-once record
   * whose repeat with the same content is a no-op). Only such submits are retried after a
   * transient failure: a retry after a timeout may repeat a transaction that did commit.
   */
  readonly idempotent?: boolean;
}

export interface SubmitResult {
  readonly result: string;
  readonly transactionId: string;
  readonly blockNumber: bigint;
}
