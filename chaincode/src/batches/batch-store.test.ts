import { sortedKeyJson, type InteractionInput } from '@aal/ledger-contract';
import { interactionInput, testReference } from '../testing/interaction-fixture';
import { entryJson, type BatchEntry } from './batch-store';

describe('entryJson', () => {
  const record = interactionInput('e-1', {
    actorRef: testReference('actorRef', 'actor-1'),
  }) as unknown as InteractionInput;

  it('is sortedKeyJson of the entry, with and without a consent verdict', () => {
    const plain: BatchEntry = { record, batchId: 'a'.repeat(64), leafIndex: 7 };
    const flagged: BatchEntry = {
      ...plain,
      leafIndex: 0,
      consentCheck: { allowed: false, reason: 'no consent', consentId: 'c-1' },
    };
    for (const entry of [plain, flagged]) expect(entryJson(entry)).toBe(sortedKeyJson(entry));
  });
});
