import {
  TRANSACTIONS,
  batchedRecordLocator,
  recordLeafHash,
  sortedKeyJson,
  type BatchMarker,
  type StoredBatch,
} from '@aal/ledger-contract';
import { peer } from '@hyperledger/fabric-protos';
import { compositeKey, interactionWrites, leanBatchWrites, testProcessedTransaction } from '../testing/block-builder';
import { interactionRequest } from '../testing/interaction-request';
import { recordWithLeaf, verifyBatchedRecord, verifySingleRecord } from './batched-record-evidence';
import { LedgerEvidenceError } from './ledger-evidence-error';
import { decodeRecordedTransaction, type RecordedTransaction } from './recorded-transaction';

const TX = 'a'.repeat(64);
const header = { batchId: TX, org: 'HospitalAMSP', recordedBy: 'app-recorder', txTime: '2026-01-01T10:00:00.000Z' };
const input = (id: string): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify({ ...interactionRequest(id), prompt: undefined, promptCommitment: `hmac-sha256:${'0'.repeat(64)}` }),
  ) as Record<string, unknown>;
const records = [input('HospitalAMSP:b-0'), input('HospitalAMSP:b-1'), input('HospitalAMSP:b-2')];

/** The recording transaction as qscc answers it, decoded; parts replaceable to play a tampered block. */
function recorded(
  options: { args?: readonly string[]; writes?: ReturnType<typeof leanBatchWrites>; code?: number } = {},
): RecordedTransaction {
  return decodeRecordedTransaction(
    testProcessedTransaction({
      txId: TX,
      args: options.args ?? [TRANSACTIONS.recordBatch, JSON.stringify(records)],
      writes: options.writes ?? leanBatchWrites(header, records),
      ...(options.code === undefined ? {} : { code: options.code }),
    }),
  );
}

const batch = (): StoredBatch => JSON.parse(leanBatchWrites(header, records)[0]?.value ?? '{}') as StoredBatch;
const marker = (leafIndex: number): BatchMarker => ({
  batchId: TX,
  leafIndex,
  leafHash: recordLeafHash(records[leafIndex]).toString('hex'),
});
const locator = (leafIndex = 1) => batchedRecordLocator(batch(), `HospitalAMSP:b-${leafIndex}`, marker(leafIndex));

const codeOf = (check: () => unknown): string | undefined => {
  try {
    check();
  } catch (error) {
    if (error instanceof LedgerEvidenceError) return error.code;
    throw error;
  }
  return undefined;
};

describe('verifyBatchedRecord', () => {
  it('answers the record from the arguments, as the stored view, when leaf, markers, root and header agree', () => {
    expect(verifyBatchedRecord(recorded(), locator(1))).toEqual({
      ...records[1],
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
      txId: TX,
      txTime: header.txTime,
      batchId: TX,
      leafIndex: 1,
    });
  });

  it('refuses a record whose bytes in the block were altered: LEAF_MISMATCH', () => {
    const altered = [records[0], { ...records[1], latencyMs: 1 }, records[2]];
    expect(
      codeOf(() =>
        verifyBatchedRecord(recorded({ args: [TRANSACTIONS.recordBatch, JSON.stringify(altered)] }), locator(1)),
      ),
    ).toBe('LEAF_MISMATCH');
  });

  it('refuses a transaction that is not valid, or another one: TX_NOT_VALID', () => {
    expect(
      codeOf(() => verifyBatchedRecord(recorded({ code: peer.TxValidationCode.MVCC_READ_CONFLICT }), locator())),
    ).toBe('TX_NOT_VALID');
    expect(codeOf(() => verifyBatchedRecord(recorded(), { ...locator(), txId: 'b'.repeat(64) }))).toBe('TX_NOT_VALID');
  });

  it('refuses when the arguments are no RecordBatch or lack the record', () => {
    expect(
      codeOf(() => verifyBatchedRecord(recorded({ args: [TRANSACTIONS.recordInteractions, '[]'] }), locator())),
    ).toBe('NOT_A_BATCH_TRANSACTION');
    const without = JSON.stringify([records[0], records[2]]);
    expect(codeOf(() => verifyBatchedRecord(recorded({ args: [TRANSACTIONS.recordBatch, without] }), locator()))).toBe(
      'RECORD_NOT_IN_TRANSACTION',
    );
  });

  it('refuses markers that do not hash to the root, a header of another batch, and a locator the block contradicts', () => {
    const writes = leanBatchWrites(header, records);
    const forgedMarker = writes.map((write, index) =>
      index === 3 ? { ...write, value: sortedKeyJson({ ...marker(2), leafHash: 'e'.repeat(64) }) } : write,
    );
    expect(codeOf(() => verifyBatchedRecord(recorded({ writes: forgedMarker }), locator()))).toBe('ROOT_MISMATCH');
    expect(codeOf(() => verifyBatchedRecord(recorded({ writes: writes.slice(1) }), locator()))).toBe('HEADER_MISMATCH');
    expect(codeOf(() => verifyBatchedRecord(recorded(), { ...locator(1), org: 'AIProviderMSP' }))).toBe(
      'HEADER_MISMATCH',
    );
    expect(codeOf(() => verifyBatchedRecord(recorded(), { ...locator(1), leafHash: marker(2).leafHash }))).toBe(
      'STATE_DIFFERS_FROM_BLOCK',
    );
  });
});

describe('recordWithLeaf', () => {
  const leafOf = (record: unknown): string => recordLeafHash(record).toString('hex');

  it('answers the argument itself when its canonical JSON hashes to the leaf, whatever its key order', () => {
    const argument = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(input('x-1')).reverse()))) as object;
    const found = recordWithLeaf(new Map([['x-1', argument]]), 'x-1', TX, leafOf(input('x-1')));
    expect(found).toBe(argument);
  });

  it('takes a record written under an earlier, looser rule when it hashes to its leaf (the chaincode validated it then)', () => {
    const earlier = { ...input('x-2'), usage: { inputTokens: 2e9, outputTokens: 1, source: 'provider' } };
    expect(recordWithLeaf(new Map([['x-2', earlier]]), 'x-2', TX, leafOf(earlier))).toBe(earlier);
  });

  it('refuses an argument that does not hash to the leaf: LEAF_MISMATCH, or RECORD_NOT_IN_TRANSACTION when it is no record', () => {
    const leaf = leafOf(input('x-3'));
    expect(codeOf(() => recordWithLeaf(new Map([['x-3', { ...input('x-3'), latencyMs: 2 }]]), 'x-3', TX, leaf))).toBe(
      'LEAF_MISMATCH',
    );
    expect(codeOf(() => recordWithLeaf(new Map([['x-3', { id: 'x-3' }]]), 'x-3', TX, leaf))).toBe(
      'RECORD_NOT_IN_TRANSACTION',
    );
    expect(codeOf(() => recordWithLeaf(new Map(), 'x-3', TX, leaf))).toBe('RECORD_NOT_IN_TRANSACTION');
    expect(codeOf(() => recordWithLeaf(new Map([['x-3', 'text']]), 'x-3', TX, leaf))).toBe('RECORD_NOT_IN_TRANSACTION');
  });
});

describe('verifySingleRecord', () => {
  const stored = {
    ...input('HospitalAMSP:s-1'),
    org: 'HospitalAMSP',
    recordedBy: 'app-recorder',
    txId: TX,
    txTime: header.txTime,
  };
  const single = (writes = interactionWrites([stored])): RecordedTransaction =>
    decodeRecordedTransaction(testProcessedTransaction({ txId: TX, writes }));

  it('answers the record when it is, byte for byte, what its transaction wrote', () => {
    expect(verifySingleRecord(single(), stored as never)).toEqual(stored);
  });

  it('refuses a record that differs from the write set, or is not in it: WRITE_SET_MISMATCH', () => {
    expect(codeOf(() => verifySingleRecord(single(), { ...stored, latencyMs: 1 } as never))).toBe('WRITE_SET_MISMATCH');
    expect(
      codeOf(() =>
        verifySingleRecord(
          single([{ key: compositeKey('interaction', 'HospitalAMSP:other'), value: sortedKeyJson(stored) }]),
          stored as never,
        ),
      ),
    ).toBe('WRITE_SET_MISMATCH');
  });
});
