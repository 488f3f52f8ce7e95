import {
  TRANSACTIONS,
  batchedInteractionView,
  batchedRecordLocator,
  recordLeafHash,
  sortedKeyJson,
  type BatchMarker,
  type StoredBatch,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { interactionWrites, leanBatchWrites, testProcessedTransaction } from '../testing/block-builder';
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

/** The org's peer holding `tx` (default: the lean batch's transaction), counting the transactions it is asked for. */
function peer(tx = batchTransaction()): {
  ledger: { evaluateSystem: () => Promise<Uint8Array> };
  fetched: () => number;
} {
  let fetched = 0;
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

function batchTransaction(): Uint8Array {
  return testProcessedTransaction({
    txId: TX,
    args: [TRANSACTIONS.recordBatch, JSON.stringify(records)],
    writes: leanBatchWrites(header, records),
  });
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

describe('vouchedInteraction of a record written alone', () => {
  const single = {
    ...input('HospitalAMSP:s-0'),
    org: 'HospitalAMSP',
    recordedBy: 'app-recorder',
    txId: 'd'.repeat(64),
    txTime: '2026-01-01T10:00:00.000Z',
  } as unknown as StoredInteraction;
  /** The org's peer holding the single record's transaction. */
  const singlePeer = () =>
    peer(
      testProcessedTransaction({
        txId: single.txId,
        args: [TRANSACTIONS.recordInteraction, JSON.stringify(single)],
        writes: interactionWrites([single]),
      }),
    );

  it("answers without fetching the transaction when the org's index holds the same record", async () => {
    const { ledger, fetched } = singlePeer();
    expect(await vouchedInteraction(ledger, CHANNEL, single, index(JSON.stringify(single)))).toEqual(single);
    expect(fetched()).toBe(0);
  });

  it('checks the transaction when the index differs, lacks the record or is down; a world state the block disagrees with is refused', async () => {
    const altered = sortedKeyJson({ ...single, latencyMs: 99_999 });
    const down: IndexedInteraction = () => Promise.reject(new Error('connection refused'));
    for (const indexed of [index(altered), index(undefined), down, undefined]) {
      const { ledger, fetched } = singlePeer();
      expect(await vouchedInteraction(ledger, CHANNEL, single, indexed)).toEqual(single);
      expect(fetched()).toBe(1);
    }
    // World state altered under the peer, the index still as the block: neither vouches for the answer.
    const { ledger } = singlePeer();
    const tampered = { ...single, latencyMs: 1 };
    await expect(vouchedInteraction(ledger, CHANNEL, tampered, index(JSON.stringify(single)))).rejects.toMatchObject({
      code: 'WRITE_SET_MISMATCH',
    });
  });
});
