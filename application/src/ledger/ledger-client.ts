/**
 * The application's view of the ledger: submit a transaction or evaluate a query on a channel.
 * The HTTP layer depends on this interface only, so routes can be tested with an in-memory fake.
 */
export interface LedgerClient {
  /** Endorses, orders and waits for commit; resolves with the transaction's result. */
  submit(channel: string, transaction: string, args: readonly string[]): Promise<SubmitResult>;
  /** Runs a query on the org's own peer; nothing is written. */
  evaluate(channel: string, transaction: string, args: readonly string[]): Promise<string>;
  /** Queries a system chaincode (e.g. qscc) on the org's own peer; returns its raw protobuf bytes. */
  evaluateSystem(channel: string, chaincode: 'qscc', transaction: string, args: readonly string[]): Promise<Uint8Array>;
  /** True when the org's peer answers. */
  ready(): Promise<boolean>;
  close(): void;
}

export interface SubmitResult {
  readonly result: string;
  readonly transactionId: string;
  readonly blockNumber: bigint;
}
