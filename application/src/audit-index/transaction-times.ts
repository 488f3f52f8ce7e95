import { LIMITS } from '@aal/ledger-contract';
import type { common } from '@hyperledger/fabric-protos';
import { validTransactions } from './block-decoder';

/** When a valid transaction says it was made: its channel header's timestamp, which the submitting client chose. */
export interface TransactionTime {
  readonly txId: string;
  /** The transaction's position in its block. */
  readonly txIndex: number;
  readonly txTimeMs: number;
}

/** The newest transaction time of the blocks before the one being ingested, and the transaction that gave it. */
export interface NewestTxTime {
  readonly txId: string;
  readonly blockNumber: number;
  readonly txTimeMs: number;
}

/**
 * A transaction dated more than `LIMITS.txTimeSkewMs` before a transaction committed in an earlier
 * block of the channel: one of the two times is not what an endorser's clock said when it was
 * ordered (the later one backdated, or the earlier one dated ahead), or the later transaction was
 * held back after endorsement for longer than the skew.
 */
export interface TimeAnomaly {
  readonly blockNumber: number;
  readonly txIndex: number;
  readonly txId: string;
  readonly txTime: string;
  readonly earlierTxId: string;
  readonly earlierBlockNumber: number;
  readonly earlierTxTime: string;
  /** How far the transaction's time lies before the earlier one's. */
  readonly earlierByMs: number;
}

/** Each valid endorser transaction's id and timestamp, in block order (config and invalid transactions are left out). */
export function transactionTimes(block: common.Block): TransactionTime[] {
  const times: TransactionTime[] = [];
  for (const { txIndex, channelHeader } of validTransactions(block)) {
    const timestamp = channelHeader.getTimestamp();
    if (timestamp === undefined) continue;
    times.push({
      txId: channelHeader.getTxId(),
      txIndex,
      // Millisecond precision: the chaincode stores txTime with milliseconds too.
      txTimeMs: timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1_000_000),
    });
  }
  return times;
}

/**
 * Applies the time rule to one block: flags each transaction dated more than the endorsers' skew
 * before the newest transaction time of the earlier blocks, and returns the newest time after this
 * block (the rule's state for the next one). `newest` is undefined before the channel's first
 * transaction (or for an index made before this rule, until the next transaction).
 */
export function timeAnomaliesOf(
  blockNumber: number,
  times: readonly TransactionTime[],
  newest: NewestTxTime | undefined,
): { anomalies: TimeAnomaly[]; newest: NewestTxTime | undefined } {
  const anomalies: TimeAnomaly[] = [];
  let next = newest;
  for (const time of times) {
    if (newest !== undefined && newest.txTimeMs - time.txTimeMs > LIMITS.txTimeSkewMs)
      anomalies.push({
        blockNumber,
        txIndex: time.txIndex,
        txId: time.txId,
        txTime: new Date(time.txTimeMs).toISOString(),
        earlierTxId: newest.txId,
        earlierBlockNumber: newest.blockNumber,
        earlierTxTime: new Date(newest.txTimeMs).toISOString(),
        earlierByMs: newest.txTimeMs - time.txTimeMs,
      });
    // Only earlier blocks count: transactions of one block compare with the same reference.
    if (next === undefined || time.txTimeMs > next.txTimeMs)
      next = { txId: time.txId, blockNumber, txTimeMs: time.txTimeMs };
  }
  return { anomalies, newest: next };
}
