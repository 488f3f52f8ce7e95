import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../canonical-json';
import { ContractError } from '../errors';
import { subjectEntryKey, tombstoneEntryKey } from './subject-registry';

/**
 * Public proof that an org erased a subject: what, when, by whom — no identifier, no key.
 * `erasedAt` is the time of the receipt's transaction, at which every endorsing peer verified
 * that the subject key was gone.
 */
export interface ErasureReceipt {
  readonly subjectRef: string;
  readonly org: string;
  readonly erasedAt: string;
  /** Enrollment id of the admin user who recorded the receipt. */
  readonly erasedBy: string;
  readonly txId: string;
}

export const receiptKey = (ctx: Context, subjectRef: string): string => ctx.stub.createCompositeKey('erasure-receipt', [subjectRef]);

export async function readReceipt(ctx: Context, subjectRef: string): Promise<ErasureReceipt | undefined> {
  const bytes = await ctx.stub.getState(receiptKey(ctx, subjectRef));
  return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as ErasureReceipt);
}

export async function writeReceipt(ctx: Context, receipt: ErasureReceipt): Promise<string> {
  const json = canonicalJson(receipt);
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
    throw new ContractError('PRECONDITION_FAILED', `the key of subject ${subjectRef} is still present in ${collection}: run Subjects:EraseSubject and wait for its commit first`);
  }
  const tombstoneHash = await ctx.stub.getPrivateDataHash(collection, tombstoneEntryKey(subjectRef));
  if (tombstoneHash.length === 0) {
    throw new ContractError('PRECONDITION_FAILED', `subject ${subjectRef} has not been erased by ${mspId}: run Subjects:EraseSubject first`);
  }
}
