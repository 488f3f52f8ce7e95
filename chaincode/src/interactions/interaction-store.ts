import { STATE_KEY_TYPES, sortedKeyJson, type StoredInteraction } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { INDEX_MARKER } from '../ledger/index-keys';
import { stateBatchOf, type StateEntry } from '../ledger/peer-state-batch';
import { interactionIndexKeys } from './interaction-indexes';

/**
 * Interactions live under a composite key per id (range queries never touch composite keys, so the
 * records stay out of the simple-key index ranges), written once with their index entries.
 */
const RECORD_TYPE = STATE_KEY_TYPES.interaction;

export function interactionKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(RECORD_TYPE, [id]);
}

/** A stored interaction's value (from getState or a multi-key read), or `undefined` when absent. */
export function decodeInteraction(data: Uint8Array): StoredInteraction | undefined {
  return data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as StoredInteraction);
}

/** The committed interaction with this id, or `undefined`. */
export async function readInteraction(ctx: Context, id: string): Promise<StoredInteraction | undefined> {
  return decodeInteraction(await ctx.stub.getState(interactionKey(ctx, id)));
}

/**
 * Writes new interactions (canonical JSON) and every index entry pointing at them — ~15 keys per
 * record — in as few messages to the peer as it takes (1000 keys each; see peer-state-batch.ts)
 * instead of one round trip per key.
 */
export async function writeInteractions(ctx: Context, records: readonly StoredInteraction[]): Promise<void> {
  const entries: StateEntry[] = [];
  for (const record of records) {
    entries.push({ key: interactionKey(ctx, record.id), value: Buffer.from(sortedKeyJson(record)) });
    for (const key of interactionIndexKeys(record)) entries.push({ key, value: INDEX_MARKER });
  }
  await stateBatchOf(ctx).putStates(entries);
}
