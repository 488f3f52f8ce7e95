import type { Contract, Gateway } from '@hyperledger/fabric-gateway';
import {
  ANNOTATION_LABELS,
  PURPOSES,
  referenceCommitment,
  TRANSACTIONS,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { channelHeight, writtenSince } from '../support/channel-blocks';
import {
  expectRefusedUnchanged as refusedUnchanged,
  INTERACTION_WRITE_PATHS,
} from '../support/interaction-write-paths';

/**
 * Free text on the shared ledger (issue 10, class 9): HospitalA's own recorder, straight at the
 * peers without its REST app, writes a person's name into the fields that describe people — a
 * clear `actorRef`, `conversationId` or tag, a purpose, data category or review label of its own
 * choosing — in a single, a gathered and a Merkle-batched interaction, a consent and an annotation.
 * Each is refused INVALID_ARGUMENT naming the field at endorsement, so no transaction is ordered
 * (blocks added meanwhile hold only the apps' background read-log anchors) and the state is
 * unchanged. The same records with keyed commitments and
 * vocabulary values commit (the control).
 */
const run = runSuffix();
const clients = new MemberClients();
const COMMITMENT_RULE = "must be 'hmac-sha256:' followed by 64 lowercase hex characters";
const ORG_KEY = 'ab'.repeat(32);

afterAll(() => clients.close());

const recorder = (): Contract => clients.contract(HOSPITAL_A, 'recorder');
const auditor = (): Contract => clients.contract(REGULATOR, 'auditor');

/** HospitalA's peer, as its recorder reads the channel's blocks. */
const hospitalAPeer = (): Gateway => clients.gateway(HOSPITAL_A, 'recorder').gateway;
const height = (): Promise<number> => channelHeight(hospitalAPeer(), HOSPITAL_A_CHANNEL);
/** Nothing but the apps' background read-log anchors ordered since `before` (see writtenSince). */
async function expectNothingOrderedSince(before: number): Promise<void> {
  expect(await writtenSince(hospitalAPeer(), HOSPITAL_A_CHANNEL, before)).toEqual([]);
}

/** Names spelled into each field; every one was accepted by the field's old pattern. */
const NAMES: [string, Record<string, unknown>, { path: string; rule: string }][] = [
  ['a clear actorRef', { actorRef: 'Jane.Doe' }, { path: 'actorRef', rule: COMMITMENT_RULE }],
  ['a clear conversationId', { conversationId: 'jane-doe-visit' }, { path: 'conversationId', rule: COMMITMENT_RULE }],
  ['a clear tag', { tags: ['patient-jane'] }, { path: 'tags[0]', rule: COMMITMENT_RULE }],
  [
    'a name as purpose',
    { subjectRef: `HospitalAMSP:adv-free-${run}`, purpose: 'jane-doe' },
    { path: 'purpose', rule: `must be one of ${PURPOSES.join(', ')}` },
  ],
];

/** Refused with exactly this violation, and nothing ordered or stored. */
const expectRefusedUnchanged = (
  call: () => Promise<unknown>,
  violation: { path: string; rule: string },
  absent: [string, string],
): Promise<void> => refusedUnchanged({ peer: hospitalAPeer(), reader: auditor() }, call, violation, absent);

describe('a member writing a name into shared state, straight at the peers', () => {
  describe.each(INTERACTION_WRITE_PATHS)('%s', (transaction, submit, prefix) => {
    it.each(NAMES)(
      'refuses %s with INVALID_ARGUMENT naming the field; nothing ordered, state unchanged',
      async (_c, o, v) => {
        const id = `HospitalAMSP:adv-free-${run}-${transaction}-${v.path.replace(/\W/g, '')}`;
        await expectRefusedUnchanged(
          () => submit(recorder(), [interactionRecord(id, o)]),
          { path: `${prefix}${v.path}`, rule: v.rule },
          [TRANSACTIONS.getInteraction, id],
        );
      },
    );
  });

  it('refuses a consent purpose or data category outside the vocabularies', async () => {
    const manager = clients.contract(HOSPITAL_A, 'consent-manager');
    const id = `HospitalAMSP:adv-free-${run}-consent`;
    const subject = `HospitalAMSP:adv-free-${run}`;
    await expectRefusedUnchanged(
      () =>
        manager.submitTransaction(
          TRANSACTIONS.grantConsent,
          JSON.stringify(consentRecord(id, subject, { purposes: ['jane-doe'] })),
        ),
      { path: 'purposes[0]', rule: `must be one of ${PURPOSES.join(', ')}` },
      [TRANSACTIONS.getConsent, id],
    );
  });

  it('refuses an annotation label outside the vocabulary', async () => {
    const target = `HospitalAMSP:adv-free-${run}-annotated`;
    await submitJson(recorder(), TRANSACTIONS.recordInteraction, JSON.stringify(interactionRecord(target)));
    const before = await height();
    const refusal = await codedRefusal(
      recorder().submitTransaction(
        TRANSACTIONS.annotateInteraction,
        target,
        JSON.stringify({ id: `HospitalAMSP:adv-free-${run}-note`, kind: 'flag', labels: ['patient-jane'] }),
      ),
    );
    expect({ code: refusal.code, violations: refusal.violations }).toEqual({
      code: 'INVALID_ARGUMENT',
      violations: [{ path: 'labels[0]', rule: `must be one of ${ANNOTATION_LABELS.join(', ')}` }],
    });
    await expectNothingOrderedSince(before);
    expect(await evaluateJsonArgs(auditor(), TRANSACTIONS.getAnnotations, target)).toEqual({ records: [] });
  });

  it('commits the same record with keyed commitments and vocabulary values (the control)', async () => {
    const id = `HospitalAMSP:adv-free-${run}-control`;
    const record = interactionRecord(id, {
      actorRef: referenceCommitment(ORG_KEY, 'actorRef', 'Jane.Doe'),
      conversationId: referenceCommitment(ORG_KEY, 'conversationId', 'jane-doe-visit'),
      tags: [referenceCommitment(ORG_KEY, 'tags', 'patient-jane')],
      dataCategories: ['labs'],
    });
    await submitJson(recorder(), TRANSACTIONS.recordInteraction, JSON.stringify(record));
    expect(await evaluateJsonArgs<StoredInteraction>(auditor(), TRANSACTIONS.getInteraction, id)).toMatchObject(record);
  });
});
