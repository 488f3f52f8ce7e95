/** Shapes every contract adapter answers with. */

/** A page of a query, as the chaincode answers it (empty bookmark: no further page). */
export interface LedgerPage<T> {
  readonly records: readonly T[];
  readonly bookmark: string;
}

/** A write's answer and the transaction that carried it. */
export interface Submitted<T> {
  readonly record: T;
  readonly transactionId: string;
  /** The block that committed the transaction (a read may wait for it with `minBlock`). */
  readonly blockNumber: bigint;
}
