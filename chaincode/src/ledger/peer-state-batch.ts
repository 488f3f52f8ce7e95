import type { Context } from 'fabric-contract-api';
import { createRequire } from 'node:module';

/**
 * Many state reads or writes in one message to the peer, instead of one round trip each.
 *
 * Why: the Node shim (fabric-shim 2.5.8, the newest there is) sends every getState/putState as its
 * own message and waits for the answer before sending the next, so a batch of 1000 records cost
 * ~3000 sequential round trips per endorsement — the largest part of its endorsement time. Fabric
 * 3.1 peers also accept GET_STATE_MULTIPLE and WRITE_BATCH_STATE (what the Go shim uses for
 * GetMultipleStates and write batches; `chaincode.runtimeParams` in core.yaml, 1000 entries per
 * message by default), and they record reads and writes exactly as for single calls. The Node shim
 * has no API for them, so this module encodes those two messages itself and sends them through the
 * shim's own per-transaction message queue. It depends on shim internals (the stub's `handler`
 * and its `_askPeerAndListen`, the shim's own protobuf classes): fabric-shim is pinned to 2.5.8,
 * and when those internals are missing (other shim versions, unit tests) it falls back to one
 * getState/putState per key, with the same results. Peers older than Fabric 3.1 refuse the two
 * messages (`cannot handle message`), so `RecordBatch`, `RecordInteractions` and point reads such as
 * `GetInteraction` need the Fabric 3.1 peers this project pins.
 */
export interface StateBatch {
  /** Values of `keys`, in order; an empty array for a key that does not exist. */
  getStates(keys: readonly string[]): Promise<Uint8Array[]>;
  /** Writes every entry, in order (a later entry for the same key wins, as with putState). */
  putStates(entries: readonly StateEntry[]): Promise<void>;
}

export interface StateEntry {
  readonly key: string;
  readonly value: Uint8Array;
}

/** The peer's default `maxSizeGetMultipleKeys` / `maxSizeWriteBatch`. */
export const MAX_KEYS_PER_MESSAGE = 1000;

// ChaincodeMessage.Type values of Fabric 3.1 (newer than the protobuf classes inside the shim).
const WRITE_BATCH_STATE = 24;
const GET_STATE_MULTIPLE = 25;
// WriteRecord.Type.PUT_STATE
const PUT_STATE = 9;

/** The shim's ChaincodeMessage: its gRPC stream refuses instances of any other copy of the class. */
interface ShimChaincodeMessage {
  setType(type: number): void;
  setPayload(payload: Uint8Array): void;
  setTxid(txId: string): void;
  setChannelId(channelId: string): void;
}
interface ShimInternals {
  ChaincodeMessage: new () => ShimChaincodeMessage;
}
interface ShimHandler {
  _askPeerAndListen(message: ShimChaincodeMessage, method: string): Promise<Uint8Array>;
}
interface StubInternals {
  readonly handler?: Partial<ShimHandler>;
  readonly channel_id?: string;
  readonly txId?: string;
}

let shimProtos: ShimInternals | null | undefined;
function shimChaincodeMessage(): ShimInternals | null {
  if (shimProtos === undefined) {
    try {
      // Resolved from fabric-shim's own location so the class is the one its stream checks for.
      const fromShim = createRequire(require.resolve('fabric-shim'));
      shimProtos = (fromShim('@hyperledger/fabric-protos') as { peer: ShimInternals }).peer;
    } catch {
      shimProtos = null;
    }
  }
  return shimProtos;
}

// Minimal protobuf wire encoding for the three messages involved (fields from chaincode_shim.proto).
function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}
const lengthDelimited = (field: number, data: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(data.length)]), data]);

/** `GetStateMultiple { repeated string keys = 1; string collection = 2; }` for public state. */
export function encodeGetStateMultiple(keys: readonly string[]): Buffer {
  return Buffer.concat(keys.map((key) => lengthDelimited(1, Buffer.from(key, 'utf8'))));
}

/** `WriteBatchState { repeated WriteRecord rec = 1; }`, each `WriteRecord { key = 1; value = 2; type = 5 (PUT_STATE) }`. */
export function encodeWriteBatchState(entries: readonly StateEntry[]): Buffer {
  return Buffer.concat(
    entries.map((entry) =>
      lengthDelimited(
        1,
        Buffer.concat([
          lengthDelimited(1, Buffer.from(entry.key, 'utf8')),
          lengthDelimited(2, entry.value),
          Buffer.from([(5 << 3) | 0, PUT_STATE]),
        ]),
      ),
    ),
  );
}

/** `GetStateMultipleResult { repeated bytes values = 1; }`. */
export function decodeGetStateMultipleResult(payload: Uint8Array): Uint8Array[] {
  const values: Uint8Array[] = [];
  let offset = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = payload[offset++];
      if (byte === undefined) throw new Error('GetStateMultipleResult: truncated varint');
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  };
  while (offset < payload.length) {
    const tag = readVarint();
    if (tag !== ((1 << 3) | 2)) throw new Error(`GetStateMultipleResult: unexpected field tag ${tag}`);
    const length = readVarint();
    if (offset + length > payload.length) throw new Error('GetStateMultipleResult: truncated value');
    values.push(payload.subarray(offset, offset + length));
    offset += length;
  }
  return values;
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += MAX_KEYS_PER_MESSAGE)
    result.push(items.slice(start, start + MAX_KEYS_PER_MESSAGE));
  return result;
}

/** One key at a time through the public stub API: the fallback, and what unit tests run. */
function perKeyStateBatch(ctx: Context): StateBatch {
  return {
    getStates: async (keys) => {
      const values: Uint8Array[] = [];
      for (const key of keys) values.push(await ctx.stub.getState(key));
      return values;
    },
    putStates: async (entries) => {
      for (const entry of entries) await ctx.stub.putState(entry.key, entry.value);
    },
  };
}

/**
 * The fastest way this transaction's stub can read and write many keys: peer-side batching when
 * the shim internals it needs are present, else one call per key.
 */
export function stateBatchOf(ctx: Context): StateBatch {
  const stub = ctx.stub as unknown as StubInternals;
  const handler = stub.handler;
  const protos = shimChaincodeMessage();
  const ask = handler?._askPeerAndListen;
  if (
    protos === null ||
    typeof ask !== 'function' ||
    typeof stub.channel_id !== 'string' ||
    typeof stub.txId !== 'string'
  )
    return perKeyStateBatch(ctx);
  const send = (type: number, payload: Uint8Array, method: string): Promise<Uint8Array> => {
    const message = new protos.ChaincodeMessage();
    message.setType(type);
    message.setPayload(payload);
    message.setTxid(stub.txId ?? '');
    message.setChannelId(stub.channel_id ?? '');
    return ask.call(handler, message, method);
  };
  return {
    getStates: async (keys) => {
      const values: Uint8Array[] = [];
      for (const part of chunks(keys)) {
        const answer = decodeGetStateMultipleResult(
          await send(GET_STATE_MULTIPLE, encodeGetStateMultiple(part), 'GetStateMultiple'),
        );
        if (answer.length !== part.length)
          throw new Error(`GET_STATE_MULTIPLE answered ${answer.length} values for ${part.length} keys`);
        values.push(...answer);
      }
      return values;
    },
    putStates: async (entries) => {
      for (const part of chunks(entries)) await send(WRITE_BATCH_STATE, encodeWriteBatchState(part), 'WriteBatchState');
    },
  };
}
