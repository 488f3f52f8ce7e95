import type { Contract } from '@hyperledger/fabric-gateway';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  LIMITS,
  TRANSACTIONS,
  type ConsentVerdict,
  type StoredConsent,
  type StoredInteraction,
} from '@aal/ledger-contract';
import { AI_PROVIDER, CHAINCODE_NAME, HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { eventually } from '../support/eventually';
import { enrolledIdentity, type TestGateway } from '../support/gateway';
import { handBuiltProposal, type HandBuiltProposal } from '../support/hand-built-proposal';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Client-chosen time: the proposal's timestamp is the client's, and the chaincode reads it as the
 * transaction's time. The AIProvider builds proposals by hand (the gateway's offline-signing flow),
 * rewrites the channel header's timestamp and signs with its own recorder key. Every endorser
 * refuses a timestamp more than LIMITS.txTimeSkewMs off its own clock; within the skew, a date before
 * a revocation already in state does not revive the consent.
 */
const run = runSuffix();
const clients = new MemberClients();
let provider: TestGateway;
let providerContract: Contract;
let auditor: Contract;

/** The AIProvider recorder's proposal for `name`, dated `timestamp`, signed by hand. */
function proposalDated(
  name: string,
  args: string[],
  timestamp: Date,
  endorsingOrganizations?: string[],
): HandBuiltProposal {
  const { privateKey } = enrolledIdentity(clients.layout.appUserIdentity(AI_PROVIDER, 'recorder'));
  return handBuiltProposal(
    provider.gateway,
    providerContract,
    name,
    { arguments: args, ...(endorsingOrganizations === undefined ? {} : { endorsingOrganizations }) },
    timestamp,
    privateKey,
  );
}

beforeAll(() => {
  provider = clients.gateway(AI_PROVIDER, 'recorder');
  providerContract = provider.gateway.getNetwork(HOSPITAL_A_CHANNEL).getContract(CHAINCODE_NAME);
  auditor = clients.contract(REGULATOR, 'auditor');
});

afterAll(() => clients.close());

describe('client-chosen time (hand-built proposals)', () => {
  it('the hand-built flow itself works: with the correct timestamp the proposal is endorsed, committed, and dated as built', async () => {
    const id = `AIProviderMSP:adv-time-${run}-now`;
    const built = proposalDated(TRANSACTIONS.recordInteraction, [JSON.stringify(interactionRecord(id))], new Date());
    const transaction = await built.proposal.endorse();
    const status = await (await transaction.submit()).getStatus();
    expect([status.successful, status.transactionId]).toEqual([true, built.transactionId]);
    // Committed at the AIProvider's peer; the auditor reads at the Regulator's.
    expect(
      await eventually('the record at the Regulator', () =>
        evaluateJsonArgs<StoredInteraction>(auditor, TRANSACTIONS.getInteraction, id),
      ),
    ).toMatchObject({
      id,
      txId: built.transactionId,
      txTime: built.timestamp.toISOString(),
    });
  });

  it.each([
    ['5 minutes in the past', -300_000],
    ['5 minutes in the future', 300_000],
  ])(
    'every endorser refuses a proposal dated %s (PRECONDITION_FAILED), and nothing is written',
    async (_, offsetMs) => {
      const id = `AIProviderMSP:adv-time-${run}-${offsetMs < 0 ? 'past' : 'future'}`;
      const record = JSON.stringify(interactionRecord(id));
      // Asked one org at a time, so each endorser's own answer is seen (not just the first refusal).
      for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
        const refusal = await codedRefusal(
          proposalDated(TRANSACTIONS.recordInteraction, [record], new Date(Date.now() + offsetMs), [
            org.mspId,
          ]).proposal.endorse(),
        );
        expect({ org: org.mspId, code: refusal.code, paths: refusal.reasons?.map((reason) => reason.path) }).toEqual({
          org: org.mspId,
          code: 'PRECONDITION_FAILED',
          paths: ['timestamp'],
        });
        expect(refusal.reasons?.[0]?.reason).toContain(`at most ${LIMITS.txTimeSkewMs} ms`);
      }
      // The gateway's own choice of endorsers refuses it too.
      expect(
        (
          await codedRefusal(
            proposalDated(TRANSACTIONS.recordInteraction, [record], new Date(Date.now() + offsetMs)).proposal.endorse(),
          )
        ).code,
      ).toBe('PRECONDITION_FAILED');
      expect(await readRefusalCode(auditor, TRANSACTIONS.getInteraction, id)).toBe('NOT_FOUND');
    },
  );

  it('a use dated (within the skew) before a revocation already in state is judged revoked', async () => {
    const subjectRef = `HospitalAMSP:adv-time-${run}`;
    const consentId = `HospitalAMSP:adv-time-${run}`;
    await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
    const manager = clients.contract(HOSPITAL_A, 'consent-manager');
    const granted = await submitJson<StoredConsent>(
      manager,
      TRANSACTIONS.grantConsent,
      JSON.stringify(consentRecord(consentId, subjectRef)),
    );
    // A gap between grant and revocation, so the back-dated use falls while the consent was in force.
    await sleep(4000);
    const revoked = await submitJson<StoredConsent>(manager, TRANSACTIONS.revokeConsent, consentId, 'subject-request');
    const revokedAt = Date.parse(revoked.revokedAt ?? '');
    const dated = new Date(revokedAt - 2000);
    expect(dated.getTime()).toBeGreaterThan(Date.parse(granted.grantedAt));
    expect(Date.now() - dated.getTime()).toBeLessThan(LIMITS.txTimeSkewMs);

    const id = `AIProviderMSP:adv-time-${run}-revoked`;
    const built = proposalDated(
      TRANSACTIONS.recordInteraction,
      [JSON.stringify(interactionRecord(id, { subjectRef, purpose: 'ai-inference' }))],
      dated,
    );
    const status = await (await (await built.proposal.endorse()).submit()).getStatus();
    expect(status.successful).toBe(true);

    const stored = await eventually('the record at the Regulator', () =>
      evaluateJsonArgs<StoredInteraction>(auditor, TRANSACTIONS.getInteraction, id),
    );
    expect(stored.txTime).toBe(dated.toISOString());
    expect(Date.parse(stored.txTime)).toBeLessThan(revokedAt);
    expect(stored.consentCheck?.allowed).toBe(false);
    expect(stored.consentCheck?.reason).toContain(`${consentId} is revoked`);
    // The same moment asked about as history is still answered by the ledger's times of grant and revocation.
    expect(
      await evaluateJsonArgs<ConsentVerdict>(
        auditor,
        TRANSACTIONS.checkConsent,
        subjectRef,
        'ai-inference',
        'AIProviderMSP',
        dated.toISOString(),
      ),
    ).toMatchObject({ allowed: true, consentId });
  });
});
