import { LIMITS } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { contracts } from '../index';
import { InMemoryLedger } from '../testing/in-memory-ledger';
import { errorOf, refusalOf } from '../testing/refusal';
import { LedgerContract } from './ledger-contract';
import { requireTxTimeNearClock } from './tx-time';

const caller = { mspId: 'HospitalAMSP', role: 'recorder' };

/** The context fabric-shim hands `beforeTransaction`: the in-memory one, with the proposal's function name. */
const proposing = (ctx: Context, fcn: string): Context => ({
  ...ctx,
  stub: { ...ctx.stub, getFunctionAndParameters: () => ({ fcn, params: [] }) },
});

/** Every transaction of a contract with whether it submits, from fabric-contract-api's metadata. */
function transactionsOf(contract: object): { name: string; submit: boolean }[] {
  const reflect = Reflect as unknown as { getMetadata(key: string, target: object): unknown };
  const declared = (reflect.getMetadata('fabric:transactions', contract) ?? []) as { name: string; tag: string[] }[];
  return declared.map((transaction) => ({ name: transaction.name, submit: transaction.tag.includes('SUBMIT') }));
}

describe('requireTxTimeNearClock', () => {
  const clock = Date.parse('2026-06-01T12:00:00.000Z');
  const checkAt = (txTime: string): Promise<void> =>
    new InMemoryLedger().evaluate(caller, (ctx) => Promise.resolve(requireTxTimeNearClock(ctx, clock)), { txTime });

  it(`accepts a timestamp up to ${LIMITS.txTimeSkewMs} ms either side of the endorser's clock`, async () => {
    expect(LIMITS.txTimeSkewMs).toBe(60_000);
    await expect(checkAt('2026-06-01T12:00:00.000Z')).resolves.toBeUndefined();
    await expect(checkAt('2026-06-01T12:01:00.000Z')).resolves.toBeUndefined();
    await expect(checkAt('2026-06-01T11:59:00.000Z')).resolves.toBeUndefined();
  });

  it('refuses one further off with PRECONDITION_FAILED naming the skew', async () => {
    expect(await refusalOf(checkAt('2026-06-01T11:58:59.999Z'))).toEqual({
      code: 'PRECONDITION_FAILED',
      message:
        "the transaction timestamp 2026-06-01T11:58:59.999Z is 60001 ms behind the endorsing peer's clock (at most 60000 ms allowed): check the client's clock and submit again",
      reasons: [
        { path: 'timestamp', reason: "is 60001 ms behind the endorsing peer's clock (at most 60000 ms allowed)" },
      ],
    });
    expect(await errorOf(checkAt('2026-06-01T13:00:00.000Z'))).toMatch(
      /^PRECONDITION_FAILED: .* is 3600000 ms ahead of the endorsing peer's clock/,
    );
  });
});

describe('LedgerContract.beforeTransaction: every endorser checks a write proposal’s timestamp against its own clock', () => {
  const skewed = (): string => new Date(Date.now() - 2 * LIMITS.txTimeSkewMs).toISOString();
  const current = (): string => new Date().toISOString();

  it('is the base of every contract of the chaincode', () => {
    expect(contracts.length).toBeGreaterThan(0);
    for (const Contract of contracts) expect(new Contract()).toBeInstanceOf(LedgerContract);
  });

  it('refuses every submit transaction of every contract with a skewed timestamp, qualified or not, and lets a current one through', async () => {
    const ledger = new InMemoryLedger();
    let submits = 0;
    for (const Contract of contracts) {
      const contract = new Contract();
      for (const { name } of transactionsOf(contract).filter((transaction) => transaction.submit)) {
        submits++;
        for (const fcn of [`${contract.getName()}:${name}`, name]) {
          const refused = ledger.evaluate(caller, (ctx) => contract.beforeTransaction(proposing(ctx, fcn)), {
            txTime: skewed(),
          });
          expect(await errorOf(refused)).toMatch(
            /^PRECONDITION_FAILED: the transaction timestamp .* behind the endorsing peer's clock/,
          );
          await expect(
            ledger.evaluate(caller, (ctx) => contract.beforeTransaction(proposing(ctx, fcn)), { txTime: current() }),
          ).resolves.toBeUndefined();
        }
      }
    }
    // Subjects 4, Consents 2, Artifacts 2, Interactions 3, Batches 1, ReadLog 1: every write path.
    expect(submits).toBe(13);
  });

  it('does not check evaluate-only transactions, which are never ordered', async () => {
    const ledger = new InMemoryLedger();
    let evaluates = 0;
    for (const Contract of contracts) {
      const contract = new Contract();
      for (const { name } of transactionsOf(contract).filter((transaction) => !transaction.submit)) {
        evaluates++;
        await expect(
          ledger.evaluate(
            caller,
            (ctx) => contract.beforeTransaction(proposing(ctx, `${contract.getName()}:${name}`)),
            { txTime: skewed() },
          ),
        ).resolves.toBeUndefined();
      }
    }
    expect(evaluates).toBeGreaterThan(0);
  });
});
