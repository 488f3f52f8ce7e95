import { STATE_KEY_TYPES, ContractError, sortedKeyJson, type ErasureReceipt } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { subjectEntryKey, tombstoneEntryKey } from './subject-registry';

/** Erasure receipts (the contract's `erasureReceiptSchema`) are shared state, one per subject. */

export const receiptKey = (ctx: Context, subjectRef: string): string =>
  ctx.stub.createCompositeKey(STATE_KEY_TYPES.erasureReceipt, [subjectRef]);

export async function readReceipt(ctx: Context, subjectRef: string): Promise<ErasureReceipt | undefined> {
  const bytes = await ctx.stub.getState(receiptKey(ctx, subjectRef));
  return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as ErasureReceipt);
}

export async function writeReceipt(ctx: Context, receipt: ErasureReceipt): Promise<string> {
  const json = sortedKeyJson(receipt);
  await ctx.stub.putState(receiptKey(ctx, receipt.subjectRef), Buffer.from(json));
  return json;
}

/**
 * Checks, with private-data *hashes* that every peer of the channel holds (not only the org's),
 * that the org erased the subject: its tombstone exists and its key does not. So a receipt
 * endorsed by other orgs' peers is evidence they checked, not the org's word.
 */
export async function verifyErased(ctx: Context, collection: string, mspId: string, subjectRef: string): Promise<void> {
  const keyHash = await ctx.stub.getPrivateDataHash(collection, subjectEntryKey(subjectRef));
  if (keyHash.length > 0) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `the key of subject ${subjectRef} is still present in ${collection}: run Subjects:EraseSubject and wait for its commit first`,
      reasons: [{ path: 'subjectRef', reason: `its key is still present in ${collection}` }],
    });
  }
  const tombstoneHash = await ctx.stub.getPrivateDataHash(collection, tombstoneEntryKey(subjectRef));
  if (tombstoneHash.length === 0) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `subject ${subjectRef} has not been erased by ${mspId}: run Subjects:EraseSubject first`,
      reasons: [{ path: 'subjectRef', reason: `has not been erased by ${mspId}` }],
    });
  }
}
