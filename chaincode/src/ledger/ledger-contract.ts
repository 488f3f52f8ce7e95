import { Contract, type Context } from 'fabric-contract-api';
import { requireTxTimeNearClock } from './tx-time';

/** What fabric-contract-api's `@Transaction` decorator records per transaction (reflect-metadata). */
interface TransactionMetadata {
  readonly name: string;
  readonly tag?: readonly string[];
}

/** The part of reflect-metadata's API used here (loaded by fabric-contract-api). */
interface MetadataReflect {
  getMetadata(key: string, target: object): unknown;
}

/**
 * Every contract of this chaincode: before any submit transaction (`@Transaction()`, tagged
 * `SUBMIT`), each endorsing peer checks the proposal's timestamp against its own clock, so "now"
 * on the ledger is within `LIMITS.txTimeSkewMs` of real time whoever built the proposal.
 * Evaluate-only transactions (`@Transaction(false)`) are not ordered and write nothing; they are not
 * checked. fabric-contract-api calls `beforeTransaction` after resolving the function and before
 * running it.
 */
export abstract class LedgerContract extends Contract {
  override async beforeTransaction(ctx: Context): Promise<void> {
    // A transaction this contract does not declare (never reached: unknown names go to
    // unknownTransaction) is treated as a submit, so the check fails closed.
    if (this.isSubmit(transactionNameOf(ctx))) requireTxTimeNearClock(ctx, localClockMillis());
    return Promise.resolve();
  }

  private isSubmit(name: string): boolean {
    const transactions = ((Reflect as unknown as MetadataReflect).getMetadata('fabric:transactions', this) ??
      []) as readonly TransactionMetadata[];
    const declared = transactions.find((transaction) => transaction.name === name);
    return declared?.tag?.includes('SUBMIT') ?? true;
  }
}

/** The function name of the proposal, without its `Contract:` prefix (as fabric-shim splits it). */
function transactionNameOf(ctx: Context): string {
  const { fcn } = ctx.stub.getFunctionAndParameters();
  const separator = fcn.indexOf(':');
  return separator < 0 ? fcn : fcn.slice(separator + 1);
}

/** The endorsing peer's clock: read only to refuse a skewed proposal (see requireTxTimeNearClock). */
function localClockMillis(): number {
  return Date.now();
}
