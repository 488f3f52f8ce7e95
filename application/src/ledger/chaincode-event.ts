/** One event a committed transaction of the chaincode emitted (each transaction emits at most one). */
export interface ChaincodeEvent {
  readonly blockNumber: bigint;
  readonly transactionId: string;
  /** e.g. `ConsentGranted`. */
  readonly eventName: string;
  /** The event's payload as the chaincode set it (JSON text for this chaincode). */
  readonly payload: string;
}

/** Events in ledger order (block by block, in transaction order within a block), live until closed. */
export interface ChaincodeEventStream extends AsyncIterable<ChaincodeEvent> {
  /** Ends the stream and releases its connection to the peer; the iteration then ends. */
  close(): void;
}
