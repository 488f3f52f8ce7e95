import { BLOCK_NUMBER_DIGITS } from '../ledger/block-number';

/**
 * Where a client is in a channel's chaincode events: the block and the event's ordinal among the
 * chaincode's events in that block (0, 1, …). Each transaction emits at most one event and the peer
 * delivers a block's events in transaction order, so the ordinal is the same on every delivery; it
 * is the server-sent event id `<block>:<ordinal>`, and a client's `Last-Event-ID` says exactly where
 * to resume — nothing depends on the app's memory, so an app restart loses nothing.
 */
export interface EventPosition {
  readonly blockNumber: bigint;
  readonly ordinal: number;
}

const EVENT_ID = new RegExp(`^(${BLOCK_NUMBER_DIGITS}):(0|[1-9][0-9]{0,5})$`);

/** `<block>:<ordinal>`, the event id a client sends back as `Last-Event-ID`. */
export function formatEventId(position: EventPosition): string {
  return `${position.blockNumber}:${position.ordinal}`;
}

/** The position of an event id, or `undefined` when the text is not one. */
export function parseEventId(text: string): EventPosition | undefined {
  const match = EVENT_ID.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { blockNumber: BigInt(match[1]), ordinal: Number(match[2]) };
}

/** The event id pattern, for request validation. */
export const EVENT_ID_PATTERN = EVENT_ID;

/**
 * Numbers events as they arrive and says which ones a resuming client has already seen: events in
 * the resume block up to and including its ordinal (the stream restarts at the start of that block).
 */
export class EventSequencer {
  private block: bigint | undefined;
  private next = 0;

  /** @param after the last event the client saw, or `undefined` to deliver everything from the start block */
  constructor(private readonly after: EventPosition | undefined) {}

  /** The event's position, and whether the client already has it. */
  place(blockNumber: bigint): { position: EventPosition; seen: boolean } {
    if (blockNumber !== this.block) {
      this.block = blockNumber;
      this.next = 0;
    }
    const position = { blockNumber, ordinal: this.next++ };
    const seen =
      this.after !== undefined &&
      (blockNumber < this.after.blockNumber ||
        (blockNumber === this.after.blockNumber && position.ordinal <= this.after.ordinal));
    return { position, seen };
  }

  /** The block to (re)start the peer's stream at. */
  static startBlock(after: EventPosition | undefined, requested: bigint | undefined): bigint | undefined {
    return after?.blockNumber ?? requested;
  }
}
