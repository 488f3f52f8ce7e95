import {
  TRANSACTIONS,
  batchedInteractionView,
  batchedRecordLocator,
  recordLeafHash,
  sortedKeyJson,
  type BatchMarker,
  type StoredBatch,
} from '@aal/ledger-contract';
import { leanBatchWrites, testProcessedTransaction } from '../testing/block-builder';
import { interactionRequest } from '../testing/interaction-request';
import { vouchedInteraction, type IndexedInteraction } from './vouched-interaction';

const CHANNEL = 'hospital-a';
const TX = 'c'.repeat(64);
const header = { batchId: TX, org: 'HospitalAMSP', recordedBy: 'app-recorder', txTime: '2026-01-01T10:00:00.000Z' };
const input = (id: string): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify({ ...interactionRequest(id), prompt: undefined, promptCommitment: `hmac-sha256:${'0'.repeat(64)}` }),
  ) as Record<string, unknown>;
const records = [input('HospitalAMSP:v-0'), input('HospitalAMSP:v-1')];
const batch = JSON.parse(leanBatchWrites(header, records)[0]?.value ?? '{}') as StoredBatch;
const marker = (leafIndex: number): BatchMarker => ({
  batchId: TX,
  leafIndex,
  leafHash: recordLeafHash(records[leafIndex]).toString('hex'),
});
const locator = batchedRecordLocator(batch, 'HospitalAMSP:v-1', marker(1));
const expected = batchedInteractionView(header, { ...marker(1), record: records[1] as never });

/** The org's peer, counting the transactions it is asked for. */
function peer(): { ledger: { evaluateSystem: () => Promise<Uint8Array> }; fetched: () => number } {
  let fetched = 0;
  const tx = testProcessedTransaction({
    txId: TX,
    args: [TRANSACTIONS.recordBatch, JSON.stringify(records)],
    writes: leanBatchWrites(header, records),
  });
  return {
    ledger: {
      evaluateSystem: () => {
        fetched++;
        return Promise.resolve(tx);
      },
    },
    fetched: () => fetched,
  };
}

const index =
  (json: string | undefined): IndexedInteraction =>
  () =>
    Promise.resolve(json);

describe('vouchedInteraction of a lean batched record', () => {
  it("answers from the org's index, without fetching the transaction, when the row hashes to the ledger's leaf", async () => {
    const { ledger, fetched } = peer();
    expect(await vouchedInteraction(ledger, CHANNEL, locator, index(sortedKeyJson(expected)))).toEqual(expected);
    expect(fetched()).toBe(0);
  });

  it('takes the record from the transaction when the index row was altered, is missing, or the index is down', async () => {
    const altered = sortedKeyJson({ ...expected, requestModel: 'tampered-model' });
    const down: IndexedInteraction = () => Promise.reject(new Error('connection refused'));
    for (const indexed of [index(altered), index(undefined), down]) {
      const { ledger, fetched } = peer();
      expect(await vouchedInteraction(ledger, CHANNEL, locator, indexed)).toEqual(expected);
      expect(fetched()).toBe(1);
    }
  });
});
