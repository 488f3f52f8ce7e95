import { sortedKeyJson, TRANSACTIONS } from '@aal/ledger-contract';
import { interactionWrites, leanBatchWrites, testBlock } from '../testing/block-builder';
import { indexQueryBlocks } from '../testing/index-queries-suite';
import { interactionRequest } from '../testing/interaction-request';
import { LedgerEvidenceError } from '../ledger/ledger-evidence-error';
import { decodeBlock, type DecodedBlock, type Indexed } from './block-decoder';

const TX = 'a'.repeat(64);
const header = { batchId: TX, org: 'HospitalAMSP', recordedBy: 'app-recorder', txTime: '2026-01-01T10:00:00.000Z' };
const input = (id: string): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify({ ...interactionRequest(id), prompt: undefined, promptCommitment: `hmac-sha256:${'0'.repeat(64)}` }),
  ) as Record<string, unknown>;
const records = [input('HospitalAMSP:b-0'), input('HospitalAMSP:b-1')];

describe('decodeBlock: batched records of the lean layout', () => {
  it("takes each record from the transaction's arguments, where its marker places it", () => {
    const block = testBlock(3, [
      { txId: TX, args: [TRANSACTIONS.recordBatch, JSON.stringify(records)], writes: leanBatchWrites(header, records) },
    ]);
    const decoded = decodeBlock(block, 'audit');
    expect(decoded.batches.map((batch) => batch.record.batchId)).toEqual([TX]);
    expect(decoded.interactions.map((row) => row.record)).toEqual(
      records.map((record, leafIndex) => ({
        ...record,
        org: 'HospitalAMSP',
        recordedBy: 'app-recorder',
        txId: TX,
        txTime: header.txTime,
        batchId: TX,
        leafIndex,
      })),
    );
  });

  it('refuses a block whose record bytes do not hash to the leaf its marker holds (the index never takes them)', () => {
    const altered = [records[0], { ...records[1], latencyMs: 1 }];
    const block = testBlock(3, [
      { txId: TX, args: [TRANSACTIONS.recordBatch, JSON.stringify(altered)], writes: leanBatchWrites(header, records) },
    ]);
    expect(() => decodeBlock(block, 'audit')).toThrow(LedgerEvidenceError);
    expect(() => decodeBlock(block, 'audit')).toThrow(/^LEAF_MISMATCH: /);
  });
});

describe('decodeBlock: the JSON it keeps for the index', () => {
  const kinds = ['interactions', 'batches', 'consents', 'annotations', 'artifacts', 'trainingRuns'] as const;
  const leanBlock = testBlock(3, [
    { txId: TX, args: [TRANSACTIONS.recordBatch, JSON.stringify(records)], writes: leanBatchWrites(header, records) },
  ]);

  it('is, byte for byte, the sorted-key JSON of each record it decodes, of every kind and both batch layouts', () => {
    const decoded: DecodedBlock[] = [...indexQueryBlocks(), leanBlock].map((block) => decodeBlock(block, 'audit'));
    for (const kind of kinds) {
      const rows: readonly Indexed<unknown>[] = decoded.flatMap((block): readonly Indexed<unknown>[] => block[kind]);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.json).toBe(sortedKeyJson(row.record));
    }
  });

  it("keeps a write-set value's bytes as the chaincode wrote them: the text is not serialised again", () => {
    const single = { ...input('HospitalAMSP:s-1'), org: 'HospitalAMSP', txId: TX, txTime: header.txTime };
    // Insertion order, not sorted: only kept bytes, not a new serialisation, give this text back.
    const written = JSON.stringify(single);
    expect(written).not.toBe(sortedKeyJson(single));
    const [write] = interactionWrites([single]);
    const block = testBlock(4, [{ txId: TX, writes: [{ key: write?.key ?? '', value: written }] }]);
    expect(decodeBlock(block, 'audit').interactions.map((row) => row.json)).toEqual([written]);
  });
});
