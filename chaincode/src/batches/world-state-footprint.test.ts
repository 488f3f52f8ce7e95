import type { InteractionInput, StoredInteraction } from '@aal/ledger-contract';
import { InteractionContract } from '../interactions/interaction-contract';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { interactionInput, testReference } from '../testing/interaction-fixture';
import { addPreviousInteractionIndexes, toPreviousBatchLayout } from '../testing/previous-layout';
import { BatchesContract } from './batch-contract';

/**
 * Issue 12's measure: keys and bytes (key + value, UTF-8) that world state holds per record, lean
 * layout against the previous one, for a typical record (docs/performance.md, docs/data-model.md).
 */
const recorder: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder', enrollmentId: 'app-recorder' };
const RECORDS = 100;
const typical = (index: number): InteractionInput =>
  interactionInput(`HospitalAMSP:rec-${String(index).padStart(6, '0')}`, {
    actorRef: testReference('actorRef', `actor-${index % 3}`),
    subjectRef: 'HospitalAMSP:subj-1',
    purpose: 'ai-inference',
    outputCommitment: `hmac-sha256:${'e'.repeat(64)}`,
  }) as unknown as InteractionInput;

function footprint(ledger: InMemoryLedger): { keys: number; bytes: number } {
  const keys = ledger.keys();
  const bytes = keys.reduce((sum, key) => sum + Buffer.byteLength(key) + Buffer.byteLength(ledger.get(key) ?? ''), 0);
  return { keys: keys.length, bytes };
}

const perRecord = ({ keys, bytes }: { keys: number; bytes: number }) => ({
  keys: keys / RECORDS,
  bytes: Math.round(bytes / RECORDS),
});

describe('world-state bytes per record', () => {
  it('batched: the lean layout holds ~1 small key per record, about a third of the previous bytes (the record stays in the block)', async () => {
    const ledger = new InMemoryLedger();
    const records = Array.from({ length: RECORDS }, (_, index) => typical(index));
    const { batchId } = JSON.parse(
      await ledger.submit(recorder, (ctx) => new BatchesContract().RecordBatch(ctx, JSON.stringify(records))),
    ) as { batchId: string };
    const lean = perRecord(footprint(ledger));
    await toPreviousBatchLayout(ledger, batchId, records);
    const previous = perRecord(footprint(ledger));
    expect(lean.keys).toBeCloseTo(1.01);
    expect(previous.keys).toBeGreaterThan(lean.keys);
    expect({ lean, previous }).toEqual({ lean: { keys: 1.01, bytes: 379 }, previous: { keys: 1.27, bytes: 1109 } });
  });

  it('single: one key per record, without the 10–22 index entries of the previous layout', async () => {
    const ledger = new InMemoryLedger();
    const contract = new InteractionContract();
    const stored: StoredInteraction[] = [];
    for (let index = 0; index < RECORDS; index++) {
      stored.push(
        JSON.parse(
          await ledger.submit(recorder, (ctx) => contract.RecordInteraction(ctx, JSON.stringify(typical(index)))),
        ) as StoredInteraction,
      );
    }
    const lean = perRecord(footprint(ledger));
    await addPreviousInteractionIndexes(ledger, stored);
    const previous = perRecord(footprint(ledger));
    expect(lean.keys).toBe(1);
    expect(previous.keys).toBe(19);
    expect({ lean, previous }).toEqual({ lean: { keys: 1, bytes: 1023 }, previous: { keys: 19, bytes: 2957 } });
  });
});
