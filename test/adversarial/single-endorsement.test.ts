import { peer } from '@hyperledger/fabric-protos';
import { TRANSACTIONS, type StoredInteraction } from '@aal/ledger-contract';
import { AI_PROVIDER, REGULATOR } from '@aal/network';
import {
  evaluateJsonArgs,
  interactionRecord,
  MemberClients,
  readRefusalCode,
  runSuffix,
} from '../support/deviating-member';

/**
 * A shared write endorsed by one member alone: the AIProvider asks only its own peer to endorse and
 * submits. Fabric cannot refuse that at ordering; every committing peer detects it — the channel's
 * MAJORITY endorsement policy is not met — and marks the transaction invalid, so its writes never
 * reach the state. (Writes to an org's own implicit collection are, by design, endorsed by that
 * org alone; they are that org's own word.)
 */
const run = runSuffix();
const clients = new MemberClients();

afterAll(() => clients.close());

describe('a shared write endorsed by one member alone', () => {
  it('commits as ENDORSEMENT_POLICY_FAILURE and writes nothing; the same record endorsed by the gateway’s choice commits', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    const id = `AIProviderMSP:adv-single-${run}`;
    const record = JSON.stringify(interactionRecord(id));
    const alone = await provider
      .newProposal(TRANSACTIONS.recordInteraction, { arguments: [record], endorsingOrganizations: [AI_PROVIDER.mspId] })
      .endorse();
    const status = await (await alone.submit()).getStatus();
    expect([status.successful, status.code]).toEqual([false, peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE]);
    const auditor = clients.contract(REGULATOR, 'auditor');
    expect(await readRefusalCode(auditor, TRANSACTIONS.getInteraction, id)).toBe('NOT_FOUND');

    const proper = await provider.newProposal(TRANSACTIONS.recordInteraction, { arguments: [record] }).endorse();
    expect((await (await proper.submit()).getStatus()).successful).toBe(true);
    expect(await evaluateJsonArgs<StoredInteraction>(auditor, TRANSACTIONS.getInteraction, id)).toMatchObject({
      id,
      org: AI_PROVIDER.mspId,
      txId: proper.getTransactionId(),
    });
  });
});
