import { LIMITS } from '@aal/ledger-contract';
import { peer } from '@hyperledger/fabric-protos';
import { testBlock } from '../testing/block-builder';
import { timeAnomaliesOf, transactionTimes } from './transaction-times';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const id = (c: string): string => c.repeat(64);

describe('transaction time evidence', () => {
  it("reads each valid endorser transaction's client-chosen timestamp, in block order", () => {
    const block = testBlock(4, [
      { txId: id('a'), writes: [], txTimeMs: T0 + 1_234 },
      { txId: id('b'), writes: [], txTimeMs: T0, code: peer.TxValidationCode.MVCC_READ_CONFLICT },
      { txId: id('c'), writes: [], txTimeMs: T0 + 5 },
    ]);
    expect(transactionTimes(block)).toEqual([
      { txId: id('a'), txIndex: 0, txTimeMs: T0 + 1_234 },
      { txId: id('c'), txIndex: 2, txTimeMs: T0 + 5 },
    ]);
  });

  it(`flags a transaction dated more than ${LIMITS.txTimeSkewMs} ms before the newest time of an earlier block, naming that transaction`, () => {
    const first = timeAnomaliesOf(
      1,
      [
        { txId: id('a'), txIndex: 0, txTimeMs: T0 },
        { txId: id('b'), txIndex: 1, txTimeMs: T0 + 10_000 },
      ],
      undefined,
    );
    expect(first.anomalies).toEqual([]);
    expect(first.newest).toEqual({ txId: id('b'), blockNumber: 1, txTimeMs: T0 + 10_000 });
    const second = timeAnomaliesOf(
      2,
      [
        // Exactly the skew before: allowed.
        { txId: id('c'), txIndex: 0, txTimeMs: T0 + 10_000 - LIMITS.txTimeSkewMs },
        // One millisecond more: flagged.
        { txId: id('d'), txIndex: 1, txTimeMs: T0 + 10_000 - LIMITS.txTimeSkewMs - 1 },
        // Newer than anything: becomes the reference for later blocks only.
        { txId: id('e'), txIndex: 2, txTimeMs: T0 + 200_000 },
        // Compared with earlier blocks only, not with e in its own block.
        { txId: id('f'), txIndex: 3, txTimeMs: T0 + 20_000 },
      ],
      first.newest,
    );
    expect(second.anomalies).toEqual([
      {
        blockNumber: 2,
        txIndex: 1,
        txId: id('d'),
        txTime: new Date(T0 + 10_000 - LIMITS.txTimeSkewMs - 1).toISOString(),
        earlierTxId: id('b'),
        earlierBlockNumber: 1,
        earlierTxTime: new Date(T0 + 10_000).toISOString(),
        earlierByMs: LIMITS.txTimeSkewMs + 1,
      },
    ]);
    expect(second.newest).toEqual({ txId: id('e'), blockNumber: 2, txTimeMs: T0 + 200_000 });
    // A transaction dated ahead (e) shows as the earlier side of the honest ones after it.
    const third = timeAnomaliesOf(3, [{ txId: id('g'), txIndex: 0, txTimeMs: T0 + 30_000 }], second.newest);
    expect(third.anomalies.map((anomaly) => [anomaly.txId, anomaly.earlierTxId])).toEqual([[id('g'), id('e')]]);
  });
});
