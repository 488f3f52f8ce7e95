import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../canonical-json';
import { INDEX_MARKER, interactionIndexKeys } from './interaction-indexes';
import type { StoredInteraction } from './interaction-schema';

/**
 * Interactions live under a composite key per id (range queries never touch composite keys, so the
 * records stay out of the simple-key index ranges), written once with their index entries.
 */
const RECORD_TYPE = 'interaction';

export function interactionKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(RECORD_TYPE, [id]);
}

/** The committed interaction with this id, or `undefined`. */
export async function readInteraction(ctx: Context, id: string): Promise<StoredInteraction | undefined> {
  const data = await ctx.stub.getState(interactionKey(ctx, id));
  return data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as StoredInteraction);
}

/** Writes a new interaction (canonical JSON) and every index entry pointing at it. */
export async function writeInteraction(ctx: Context, record: StoredInteraction): Promise<void> {
  await ctx.stub.putState(interactionKey(ctx, record.id), Buffer.from(canonicalJson(record)));
  for (const key of interactionIndexKeys(record)) await ctx.stub.putState(key, INDEX_MARKER);
}
