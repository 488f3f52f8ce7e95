import type { ChaincodeEventStream } from './chaincode-event';

/**
 * The application's view of the ledger: submit a transaction or evaluate a query on a channel.
 * The HTTP layer depends on this interface only, so routes can be tested with an in-memory fake.
 */
export interface LedgerClient {
  /** Endorses, orders and waits for commit; resolves with the transaction's result. */
  submit(channel: string, transaction: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult>;
  /** Runs a query on the org's own peer; nothing is written. */
  evaluate(channel: string, transaction: string, args: readonly string[], options?: EvaluateOptions): Promise<string>;
  /** Queries a system chaincode (e.g. qscc) on the org's own peer; returns its raw protobuf bytes. */
  evaluateSystem(channel: string, chaincode: 'qscc', transaction: string, args: readonly string[]): Promise<Uint8Array>;
  /**
   * The chaincode's events on a channel from `startBlock` on (`undefined`: from the next block to
   * commit), in ledger order, live until closed. Close the stream when the consumer goes away: it
   * holds a gRPC stream to the peer.
   */
  chaincodeEvents(channel: string, startBlock: bigint | undefined): Promise<ChaincodeEventStream>;
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
  /**
   * Private inputs (identifiers, keys) sent in the proposal's transient map, which never enters a
   * block. A submit that carries them is endorsed by the org's own peers only, so they never reach
   * another org (docs/privacy.md).
   */
  readonly transient?: TransientData;
}

export interface EvaluateOptions {
  /** Private inputs for the query; like a submit's, they go to the org's own peers only. */
  readonly transient?: TransientData;
  /** Evaluate on the org's own peers only (no other org's peer stands in when they fail), e.g. to check its chaincode. */
  readonly ownOrgOnly?: boolean;
}

/** Transient map entries by name; values are text (hex keys, identifiers). */
export type TransientData = Readonly<Record<string, string>>;

export interface SubmitResult {
  readonly result: string;
  readonly transactionId: string;
  readonly blockNumber: bigint;
}
