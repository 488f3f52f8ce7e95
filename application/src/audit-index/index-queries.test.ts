import { decodeBlock } from './block-decoder';
import { INDEX_QUERY_FIXTURES, indexQueryBlocks } from '../testing/index-queries-suite';

/** Decoding needs no database; the queries over what it yields run on both backends (testing/index-queries-suite.ts). */
const { consent, batch: BATCH } = INDEX_QUERY_FIXTURES;

describe('audit index: every record kind', () => {
  it('decodes each kind of valid transaction with its transaction and block, and skips invalid ones', () => {
    const [first, second] = indexQueryBlocks().map((block) => decodeBlock(block, 'audit'));
    expect(first?.consents.map((row) => [row.record.id, row.txId, row.blockNumber, row.txIndex])).toEqual([
      ['c-1', consent.txId, 0, 1],
    ]);
    expect(first?.artifacts.map((row) => row.record.id)).toEqual(['ds-1']);
    expect(second?.batches.map((row) => [row.record.batchId, row.record.size, row.blockNumber])).toEqual([
      [BATCH.batchId, 2, 1],
    ]);
    expect(second?.trainingRuns.map((row) => row.record.id)).toEqual(['run-1']);
    expect(second?.annotations.map((row) => [row.record.interactionId, row.record.id])).toEqual([['i-a', 'n-1']]);
  });
});
