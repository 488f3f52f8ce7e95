import { PURPOSES } from '@aal/ledger-contract';
import { BatchesContract } from '../batches/batch-contract';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { interactionInput, testReference } from '../testing/interaction-fixture';
import { refusalOf } from '../testing/refusal';
import { InteractionContract } from './interaction-contract';

/**
 * Names spelled into the fields that describe people (issue 10, class 9): a member's own identity
 * calling the chaincode directly, bypassing its app, is refused with INVALID_ARGUMENT naming the
 * field, and nothing is written.
 */
const interactions = new InteractionContract();
const batches = new BatchesContract();
const recorder: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder' };
const COMMITMENT_RULE = "must be 'hmac-sha256:' followed by 64 lowercase hex characters";

const clearValues: [string, Record<string, unknown>, { path: string; rule: string }][] = [
  ['a clear actorRef', { actorRef: 'Jane-Doe' }, { path: 'actorRef', rule: COMMITMENT_RULE }],
  ['a clear conversationId', { conversationId: 'jane-doe-visit' }, { path: 'conversationId', rule: COMMITMENT_RULE }],
  ['a clear tag', { tags: ['patient-jane'] }, { path: 'tags[0]', rule: COMMITMENT_RULE }],
  [
    'a purpose outside the vocabulary',
    { purpose: 'jane-doe' },
    { path: 'purpose', rule: `must be one of ${PURPOSES.join(', ')}` },
  ],
];

describe('clear references and labels outside the vocabularies', () => {
  it.each(clearValues)('RecordInteraction refuses %s and writes nothing', async (_case, override, violation) => {
    const ledger = new InMemoryLedger();
    const refusal = await refusalOf(
      ledger.submit(recorder, (ctx) =>
        interactions.RecordInteraction(ctx, JSON.stringify(interactionInput('HospitalAMSP:i-1', override))),
      ),
    );
    expect(refusal.code).toBe('INVALID_ARGUMENT');
    expect(refusal.violations).toEqual([violation]);
    expect(ledger.keys()).toEqual([]);
  });

  it.each(clearValues)(
    'RecordInteractions and RecordBatch refuse the whole batch for %s in one record, naming it',
    async (_case, override, violation) => {
      const records = [
        interactionInput('HospitalAMSP:b-0', { actorRef: testReference('actorRef', 'nurse-1') }),
        interactionInput('HospitalAMSP:b-1', override),
      ];
      for (const submit of [
        (ledger: InMemoryLedger) =>
          ledger.submit(recorder, (ctx) => interactions.RecordInteractions(ctx, JSON.stringify(records))),
        (ledger: InMemoryLedger) => ledger.submit(recorder, (ctx) => batches.RecordBatch(ctx, JSON.stringify(records))),
      ]) {
        const ledger = new InMemoryLedger();
        const refusal = await refusalOf(submit(ledger));
        expect(refusal.code).toBe('INVALID_ARGUMENT');
        expect(refusal.violations).toEqual([{ path: `[1].${violation.path}`, rule: violation.rule }]);
        expect(ledger.keys()).toEqual([]);
      }
    },
  );

  it('accepts the same record with keyed commitments and vocabulary values', async () => {
    const ledger = new InMemoryLedger();
    const input = interactionInput('HospitalAMSP:i-1', {
      actorRef: testReference('actorRef', 'Jane-Doe'),
      conversationId: testReference('conversationId', 'jane-doe-visit'),
      tags: [testReference('tags', 'patient-jane')],
      purpose: 'ai-inference',
      dataCategories: ['labs'],
    });
    await ledger.submit(recorder, (ctx) => interactions.RecordInteraction(ctx, JSON.stringify(input)));
    expect(JSON.parse(ledger.get('\u0000interaction\u0000HospitalAMSP:i-1\u0000') ?? '{}')).toMatchObject(input);
  });
});
