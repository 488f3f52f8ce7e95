import { sortedKeyJson } from '@aal/ledger-contract';
import { peer, common } from '@hyperledger/fabric-protos';
import { DatabaseSync } from 'node:sqlite';
import { describeAuditIndexStore } from '../testing/audit-index-store-suite';
import { batchWrites, compositeKey, interactionWrites, testBlock } from '../testing/block-builder';
import { TEST_BATCH as BATCH, batchLeaf as leaf, storedInteraction as record } from '../testing/stored-interactions';
import { decodeBlock } from './block-decoder';
import { AuditIndexStore } from './index-store';

describe('decodeBlock', () => {
  it('reads single, gathered and batched interactions of valid transactions only, with txId, block and leaf', () => {
    const block = testBlock(7, [
      { txId: 'a'.repeat(64), writes: interactionWrites([record('s-1')]) },
      {
        txId: 'c'.repeat(64),
        writes: interactionWrites([record('x-1')]),
        code: peer.TxValidationCode.MVCC_READ_CONFLICT,
      },
      {
        txId: 'e'.repeat(64),
        writes: interactionWrites([record('x-2')]),
        code: peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE,
      },
      { txId: 'd'.repeat(64), writes: interactionWrites([record('g-1'), record('g-2')]) },
      { txId: BATCH.batchId, writes: batchWrites(BATCH, [{ record: leaf('m-1') }, { record: leaf('m-2') }]) },
      // Another chaincode's writes and a config transaction add nothing.
      { txId: 'f'.repeat(64), writes: interactionWrites([record('o-1')]), namespace: 'other' },
      { txId: '1'.repeat(64), writes: interactionWrites([record('o-2')]), type: common.HeaderType.CONFIG },
    ]);
    const decoded = decodeBlock(block, 'audit');
    expect(decoded.number).toBe(7);
    expect(decoded.interactions.map((row) => [row.record.id, row.txIndex, row.record.leafIndex ?? null])).toEqual([
      ['s-1', 0, null],
      ['g-1', 3, null],
      ['g-2', 3, null],
      ['m-1', 4, 0],
      ['m-2', 4, 1],
    ]);
    const view = { ...leaf('m-2'), ...BATCH, txId: BATCH.batchId, batchId: BATCH.batchId, leafIndex: 1 };
    expect(decoded.interactions[4]).toEqual({
      record: view,
      json: sortedKeyJson(view),
      txId: BATCH.batchId,
      blockNumber: 7,
      txIndex: 4,
    });
  });

  it('refuses a batched record whose batch header is not in the same write set', () => {
    const block = testBlock(1, [
      {
        txId: BATCH.batchId,
        writes: [
          {
            key: compositeKey('batched-interaction', 'm-1'),
            value: JSON.stringify({ record: leaf('m-1'), batchId: BATCH.batchId, leafIndex: 0 }),
          },
        ],
      },
    ]);
    expect(() => decodeBlock(block, 'audit')).toThrow(/without its batch header/);
  });
});

// The store's cases (shared with the PostgreSQL run, audit-index-store.postgres.test.ts) on SQLite.
describeAuditIndexStore('SQLite', () => AuditIndexStore.over(new DatabaseSync(':memory:')));
