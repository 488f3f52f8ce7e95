import type { Contract } from '@hyperledger/fabric-gateway';
import { LIMITS, TRANSACTIONS, type StoredInteraction } from '@aal/ledger-contract';
import { HOSPITAL_A, REGULATOR } from '@aal/network';
import { evaluateJsonArgs, interactionRecord, MemberClients, runSuffix, submitJson } from '../support/deviating-member';
import { expectRefusedUnchanged, INTERACTION_WRITE_PATHS } from '../support/interaction-write-paths';

/**
 * Counts past the per-call limits: HospitalA's own recorder, straight at the peers without its REST
 * app, records a call of 2^53 − 1 input tokens, or costing 2^53 − 1 minor units, alone, gathered and
 * in a Merkle batch. Two such records would push every usage total over the channel past what a
 * JSON number states exactly. Each is refused INVALID_ARGUMENT naming the field at endorsement:
 * nothing ordered, nothing stored. A call at the limits commits (the control).
 */
const run = runSuffix();
const clients = new MemberClients();
afterAll(() => clients.close());

const recorder = (): Contract => clients.contract(HOSPITAL_A, 'recorder');
const auditor = (): Contract => clients.contract(REGULATOR, 'auditor');
const on = () => ({ peer: clients.gateway(HOSPITAL_A, 'recorder').gateway, reader: auditor() });

const HUGE = Number.MAX_SAFE_INTEGER;
const OVERSIZED: [string, Record<string, unknown>, { path: string; rule: string }][] = [
  [
    'input tokens',
    { usage: { inputTokens: HUGE, outputTokens: 1, source: 'provider' } },
    { path: 'usage.inputTokens', rule: `must be at most ${LIMITS.tokensPerCall}` },
  ],
  [
    'a cost',
    { cost: { status: 'provider', amountMinor: HUGE, currency: 'EUR' } },
    { path: 'cost.amountMinor', rule: `must be at most ${LIMITS.costMinorPerCall}` },
  ],
];

describe('a member recording counts past the per-call limits, straight at the peers', () => {
  describe.each(INTERACTION_WRITE_PATHS)('%s', (transaction, submit, prefix) => {
    it.each(OVERSIZED)(
      'refuses %s of 2^53 − 1 with INVALID_ARGUMENT naming the field; nothing ordered',
      async (_c, o, v) => {
        const id = `HospitalAMSP:adv-count-${run}-${transaction}-${v.path.replace(/\W/g, '')}`;
        await expectRefusedUnchanged(
          on(),
          () => submit(recorder(), [interactionRecord(id, o)]),
          { path: `${prefix}${v.path}`, rule: v.rule },
          [TRANSACTIONS.getInteraction, id],
        );
      },
    );
  });

  it('commits a call at the limits (the control)', async () => {
    const id = `HospitalAMSP:adv-count-${run}-control`;
    const max = LIMITS.tokensPerCall;
    const record = interactionRecord(id, {
      usage: { inputTokens: max, outputTokens: max, cacheReadTokens: max, reasoningTokens: max, source: 'provider' },
      cost: { status: 'provider', amountMinor: LIMITS.costMinorPerCall, currency: 'EUR' },
    });
    await submitJson(recorder(), TRANSACTIONS.recordInteraction, JSON.stringify(record));
    expect(await evaluateJsonArgs<StoredInteraction>(auditor(), TRANSACTIONS.getInteraction, id)).toMatchObject(record);
  });
});
