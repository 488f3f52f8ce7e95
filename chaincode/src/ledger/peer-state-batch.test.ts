import { peer } from '@hyperledger/fabric-protos';
import type { Context } from 'fabric-contract-api';
import { InMemoryLedger } from '../testing/in-memory-ledger';
import {
  decodeGetStateMultipleResult,
  encodeGetStateMultiple,
  encodeWriteBatchState,
  stateBatchOf,
} from './peer-state-batch';

// Fabric's own protobuf classes (fabric-protos 0.3, which knows Fabric 3.1's messages) check the hand-written encoding.
describe('wire encoding of the peer batch messages', () => {
  it('GetStateMultiple carries every key, in order, including composite keys and non-ASCII', () => {
    const keys = ['\u0000batched-interaction\u0000a\u0000', 'b', 'ü'.repeat(100)];
    const decoded = peer.GetStateMultiple.deserializeBinary(encodeGetStateMultiple(keys));
    expect(decoded.getKeysList()).toEqual(keys);
    expect(decoded.getCollection()).toBe('');
  });

  it('WriteBatchState carries PUT_STATE records with keys and values (lengths beyond one varint byte)', () => {
    const big = Buffer.alloc(300_000, 7);
    const decoded = peer.WriteBatchState.deserializeBinary(
      encodeWriteBatchState([
        { key: 'k1', value: Buffer.from('{"a":1}') },
        { key: 'k2', value: big },
      ]),
    );
    expect(
      decoded
        .getRecList()
        .map((record) => [
          record.getKey(),
          Buffer.from(record.getValue_asU8()).length,
          record.getType(),
          record.getCollection(),
        ]),
    ).toEqual([
      ['k1', 7, peer.WriteRecord.Type.PUT_STATE, ''],
      ['k2', 300_000, peer.WriteRecord.Type.PUT_STATE, ''],
    ]);
    expect(Buffer.from(decoded.getRecList()[0]?.getValue_asU8() ?? []).toString()).toBe('{"a":1}');
  });

  it('GetStateMultipleResult decodes to one value per key, empty for absent keys', () => {
    const result = new peer.GetStateMultipleResult();
    result.setValuesList([Buffer.from('x'), new Uint8Array(), Buffer.alloc(200, 1)]);
    const values = decodeGetStateMultipleResult(result.serializeBinary());
    expect(values.map((value) => value.length)).toEqual([1, 0, 200]);
    expect(decodeGetStateMultipleResult(new Uint8Array())).toEqual([]);
    expect(() => decodeGetStateMultipleResult(Buffer.from([0x0a, 5, 1]))).toThrow('truncated value');
  });
});

/** A stub with the shim's internals: records what it would send to the peer and answers like one. */
function fakeShimStub(answer: (type: number, payload: Uint8Array) => Uint8Array): {
  ctx: Context;
  sent: { type: number; txId: string; channel: string; method: string; payload: Uint8Array }[];
} {
  const sent: { type: number; txId: string; channel: string; method: string; payload: Uint8Array }[] = [];
  const handler = {
    _askPeerAndListen(
      message: { getType(): number; getTxid(): string; getChannelId(): string; getPayload_asU8(): Uint8Array },
      method: string,
    ): Promise<Uint8Array> {
      sent.push({
        type: message.getType(),
        txId: message.getTxid(),
        channel: message.getChannelId(),
        method,
        payload: message.getPayload_asU8(),
      });
      return Promise.resolve(answer(message.getType(), message.getPayload_asU8()));
    },
  };
  return { ctx: { stub: { handler, txId: 'tx-1', channel_id: 'hospital-a' } } as unknown as Context, sent };
}

describe('stateBatchOf', () => {
  it('reads up to 1000 keys per GET_STATE_MULTIPLE message and returns values in key order', async () => {
    const { ctx, sent } = fakeShimStub((_type, payload) => {
      const result = new peer.GetStateMultipleResult();
      result.setValuesList(
        peer.GetStateMultiple.deserializeBinary(payload)
          .getKeysList()
          .map((key) => (key.endsWith('7') ? Buffer.from(`v${key}`) : new Uint8Array())),
      );
      return result.serializeBinary();
    });
    const keys = Array.from({ length: 2001 }, (_, i) => `k${i}`);
    const values = await stateBatchOf(ctx).getStates(keys);
    expect(sent.map((message) => [message.type, message.method, message.txId, message.channel])).toEqual([
      [25, 'GetStateMultiple', 'tx-1', 'hospital-a'],
      [25, 'GetStateMultiple', 'tx-1', 'hospital-a'],
      [25, 'GetStateMultiple', 'tx-1', 'hospital-a'],
    ]);
    expect(values).toHaveLength(2001);
    expect(Buffer.from(values[17] ?? []).toString()).toBe('vk17');
    expect(values[18]).toHaveLength(0);
  });

  it('refuses an answer with a different number of values than keys', async () => {
    const { ctx } = fakeShimStub(() => new peer.GetStateMultipleResult().serializeBinary());
    await expect(stateBatchOf(ctx).getStates(['a', 'b'])).rejects.toThrow(
      'GET_STATE_MULTIPLE answered 0 values for 2 keys',
    );
  });

  it('writes up to 1000 entries per WRITE_BATCH_STATE message, in order', async () => {
    const { ctx, sent } = fakeShimStub(() => new Uint8Array());
    await stateBatchOf(ctx).putStates(
      Array.from({ length: 1500 }, (_, i) => ({ key: `k${i}`, value: Buffer.from([1]) })),
    );
    expect(sent.map((message) => [message.type, message.method])).toEqual([
      [24, 'WriteBatchState'],
      [24, 'WriteBatchState'],
    ]);
    const written = sent.flatMap((message) =>
      peer.WriteBatchState.deserializeBinary(message.payload)
        .getRecList()
        .map((record) => record.getKey()),
    );
    expect(written).toEqual(Array.from({ length: 1500 }, (_, i) => `k${i}`));
  });

  it('without the shim internals (unit tests, other shims) falls back to one call per key, with the same results', async () => {
    const ledger = new InMemoryLedger();
    await ledger.submit({ mspId: 'HospitalAMSP' }, (ctx) =>
      stateBatchOf(ctx).putStates([
        { key: 'a', value: Buffer.from('1') },
        { key: 'b', value: Buffer.from('2') },
      ]),
    );
    expect([ledger.get('a'), ledger.get('b')]).toEqual(['1', '2']);
    const values = await ledger.evaluate({ mspId: 'HospitalAMSP' }, (ctx) =>
      stateBatchOf(ctx).getStates(['b', 'missing', 'a']),
    );
    expect(values.map((value) => Buffer.from(value).toString())).toEqual(['2', '', '1']);
  });
});
