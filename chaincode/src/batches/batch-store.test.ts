import { recordLeafHash, sortedKeyJson, type InteractionInput } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { interactionInput, testReference } from '../testing/interaction-fixture';
import { batchWrites, decodeEntry, entryLeafHash, type StoredBatch } from './batch-store';

/** Just enough of a context for key building: Fabric's composite key format. */
const ctx = {
  stub: { createCompositeKey: (type: string, parts: string[]) => `\u0000${type}\u0000${parts.join('\u0000')}\u0000` },
} as unknown as Context;

describe('batchWrites', () => {
  const record = interactionInput('HospitalAMSP:e-1', {
    actorRef: testReference('actorRef', 'actor-1'),
  }) as unknown as InteractionInput;
  const batch: StoredBatch = {
    batchId: 'a'.repeat(64),
    org: 'HospitalAMSP',
    recordedBy: 'app-recorder',
    txTime: '2026-01-01T00:00:00.000Z',
    size: 1,
    root: 'b'.repeat(64),
    ids: [record.id],
  };

  it('writes the header and, per record, a sorted-key marker with its place, leaf hash and verdict — never the record', () => {
    const verdict = { allowed: false, reason: 'no consent', consentId: 'HospitalAMSP:c-1' };
    const [header, marker] = batchWrites(ctx, batch, [
      { record, consentCheck: verdict, leafHash: recordLeafHash(record) },
    ]);
    expect(header?.key).toBe(`\u0000batch\u0000${'a'.repeat(64)}\u0000`);
    expect(Buffer.from(header?.value ?? []).toString()).toBe(sortedKeyJson(batch));
    expect(marker?.key).toBe('\u0000batched-interaction\u0000HospitalAMSP:e-1\u0000');
    expect(Buffer.from(marker?.value ?? []).toString()).toBe(
      sortedKeyJson({
        batchId: 'a'.repeat(64),
        consentCheck: verdict,
        leafHash: recordLeafHash(record).toString('hex'),
        leafIndex: 0,
      }),
    );
  });

  it('reads the leaf hash of either layout: stored by the lean one, computed from the record of the previous one', () => {
    const expected = recordLeafHash(record).toString('hex');
    const previous = decodeEntry(Buffer.from(sortedKeyJson({ batchId: batch.batchId, leafIndex: 0, record })));
    const lean = decodeEntry(Buffer.from(sortedKeyJson({ batchId: batch.batchId, leafIndex: 0, leafHash: expected })));
    expect(previous && entryLeafHash(previous)).toBe(expected);
    expect(lean && entryLeafHash(lean)).toBe(expected);
    expect(decodeEntry(new Uint8Array())).toBeUndefined();
  });
});
