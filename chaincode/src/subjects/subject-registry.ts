import { sortedKeyJson } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';

/**
 * Where a subject lives in its org's implicit collection:
 * - `subject-lookup:<HMAC(pepper, identifier)>` → `{ subjectRef }` (identifier → pseudonym);
 * - `subject:<subjectRef>` → {@link SubjectRecord} (pseudonym → key, and back to the lookup key so
 *   erasure can purge both);
 * - `subject-erased:<subjectRef>` → {@link ErasureTombstone} after erasure.
 * The subject key's entry is named from the public `subjectRef` on purpose: every peer of the
 * channel must be able to check its hash is gone before an erasure receipt is written.
 */
export interface SubjectRecord {
  readonly subjectRef: string;
  readonly subjectKey: string;
  readonly lookupKey: string;
  readonly registeredAt: string;
  readonly registeredBy: string;
}

export interface SubjectLookup {
  readonly subjectRef: string;
}

/** What remains of a subject in the org's collection after erasure: no identifier, no key. */
export interface ErasureTombstone {
  readonly subjectRef: string;
  readonly erasedAt: string;
  readonly erasedBy: string;
}

export const lookupEntryKey = (lookupKey: string): string => `subject-lookup:${lookupKey}`;
export const subjectEntryKey = (subjectRef: string): string => `subject:${subjectRef}`;
export const tombstoneEntryKey = (subjectRef: string): string => `subject-erased:${subjectRef}`;

async function readJson<T>(ctx: Context, collection: string, key: string): Promise<T | undefined> {
  const bytes = await ctx.stub.getPrivateData(collection, key);
  return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as T);
}

export const readLookup = (ctx: Context, collection: string, lookupKey: string): Promise<SubjectLookup | undefined> =>
  readJson<SubjectLookup>(ctx, collection, lookupEntryKey(lookupKey));

export const readSubject = (ctx: Context, collection: string, subjectRef: string): Promise<SubjectRecord | undefined> =>
  readJson<SubjectRecord>(ctx, collection, subjectEntryKey(subjectRef));

export const readTombstone = (
  ctx: Context,
  collection: string,
  subjectRef: string,
): Promise<ErasureTombstone | undefined> => readJson<ErasureTombstone>(ctx, collection, tombstoneEntryKey(subjectRef));

export async function writeSubject(ctx: Context, collection: string, subject: SubjectRecord): Promise<void> {
  const lookup: SubjectLookup = { subjectRef: subject.subjectRef };
  await ctx.stub.putPrivateData(collection, lookupEntryKey(subject.lookupKey), Buffer.from(sortedKeyJson(lookup)));
  await ctx.stub.putPrivateData(collection, subjectEntryKey(subject.subjectRef), Buffer.from(sortedKeyJson(subject)));
}

/** Writes an existing mapping entry again, unchanged (see SubjectsContract.RegisterSubject for why). */
export async function rewriteLookup(
  ctx: Context,
  collection: string,
  lookupKey: string,
  lookup: SubjectLookup,
): Promise<void> {
  await ctx.stub.putPrivateData(collection, lookupEntryKey(lookupKey), Buffer.from(sortedKeyJson(lookup)));
}

/** Writes an existing tombstone again, unchanged (see SubjectsContract.EraseSubject for why). */
export async function rewriteTombstone(ctx: Context, collection: string, tombstone: ErasureTombstone): Promise<void> {
  await ctx.stub.putPrivateData(
    collection,
    tombstoneEntryKey(tombstone.subjectRef),
    Buffer.from(sortedKeyJson(tombstone)),
  );
}

/**
 * Crypto-shredding: purges the mapping and the subject key (state and, at the next purge
 * interval, their private history on the org's peers; the hashes in shared state on every peer),
 * and leaves a tombstone so reads can answer "erased" instead of "unknown".
 */
export async function eraseSubject(
  ctx: Context,
  collection: string,
  subject: SubjectRecord,
  tombstone: ErasureTombstone,
): Promise<void> {
  await ctx.stub.purgePrivateData(collection, lookupEntryKey(subject.lookupKey));
  await ctx.stub.purgePrivateData(collection, subjectEntryKey(subject.subjectRef));
  await ctx.stub.putPrivateData(
    collection,
    tombstoneEntryKey(subject.subjectRef),
    Buffer.from(sortedKeyJson(tombstone)),
  );
}
