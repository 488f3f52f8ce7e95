import { STATE_KEY_TYPES, sortedKeyJson, type ConsentQueryPath, type StoredConsent } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { INDEX_MARKER, indexKey, indexRange, indexedId } from '../ledger/index-keys';
import { stateBatchOf } from '../ledger/peer-state-batch';

/**
 * Where consents live: one record per consent under a composite key (its history is the consent's
 * history), plus simple-key index entries for the query paths. Index entries never change after the
 * grant because the indexed fields never do; revocation rewrites only the record.
 */
const RECORD_TYPE = STATE_KEY_TYPES.consent;

/** One index per query path (`CONSENT_QUERY_PATHS`): `consent-by-<path> ∘ value ∘ consentId`. */
const indexName = (path: ConsentQueryPath): string => `consent-by-${path}`;

/** The ledger key of a consent record. */
export function consentKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(RECORD_TYPE, [id]);
}

/** The committed consent with this id, or `undefined`. */
export async function readConsent(ctx: Context, id: string): Promise<StoredConsent | undefined> {
  return decodeConsent(await ctx.stub.getState(consentKey(ctx, id)));
}

/** The consents with these ids that exist, in the given order, read in one message to the peer. */
export async function readConsents(ctx: Context, ids: readonly string[]): Promise<StoredConsent[]> {
  const values = await stateBatchOf(ctx).getStates(ids.map((id) => consentKey(ctx, id)));
  return values.flatMap((data) => decodeConsent(data) ?? []);
}

function decodeConsent(data: Uint8Array): StoredConsent | undefined {
  return data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as StoredConsent);
}

/** Writes the consent record (canonical JSON) and, on its first write, its index entries. */
export async function writeConsent(
  ctx: Context,
  consent: StoredConsent,
  options: { withIndexes: boolean },
): Promise<void> {
  await ctx.stub.putState(consentKey(ctx, consent.id), Buffer.from(sortedKeyJson(consent)));
  if (!options.withIndexes) return;
  for (const key of consentIndexKeys(consent)) await ctx.stub.putState(key, INDEX_MARKER);
}

/** Every index entry of a consent, sorted so the write order is the same on every peer. */
export function consentIndexKeys(consent: StoredConsent): string[] {
  const keys = [
    indexKey(indexName('subjectRef'), [consent.subjectRef, consent.id]),
    ...consent.grantees.map((grantee) => indexKey(indexName('grantee'), [grantee, consent.id])),
    ...consent.purposes.map((purpose) => indexKey(indexName('purpose'), [purpose, consent.id])),
  ];
  return keys.sort();
}

/** The key range of one value of one index (every consent of one subject, say). */
export function consentIndexRange(path: ConsentQueryPath, value: string): { startKey: string; endKey: string } {
  return indexRange(indexName(path), [value]);
}

/** The consent id an index entry points to. */
export const consentIdOfIndexKey = indexedId;

/** Every consent of a subject, in id order (a subject has few; read without pagination). */
export async function consentsOfSubject(ctx: Context, subjectRef: string): Promise<StoredConsent[]> {
  const { startKey, endKey } = consentIndexRange('subjectRef', subjectRef);
  const ids: string[] = [];
  const iterator = await ctx.stub.getStateByRange(startKey, endKey);
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      ids.push(indexedId(next.value.key));
  } finally {
    await iterator.close();
  }
  return readConsents(ctx, ids);
}
