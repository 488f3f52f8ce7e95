import { STATE_KEY_TYPES, sortedKeyJson, type StoredInteraction } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { stateBatchOf } from '../ledger/peer-state-batch';

/**
 * Interactions live under a composite key per id (range queries never touch composite keys, so the
 * records stay out of the simple-key index ranges), written once. No query index entries are written
 * any more (the audit index answers queries from the blocks); those of records written before are
 * still read by `QueryInteractions`.
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
 * Writes new interactions (canonical JSON), one key per record, in as few messages to the peer as it
 * takes (1000 keys each; see peer-state-batch.ts). The record stays in state because validation reads
 * it: replays compare content, annotations check the org, and readers check a record against the
 * transaction's write set.
 */
export async function writeInteractions(ctx: Context, records: readonly StoredInteraction[]): Promise<void> {
  await stateBatchOf(ctx).putStates(
    records.map((record) => ({ key: interactionKey(ctx, record.id), value: Buffer.from(sortedKeyJson(record)) })),
  );
}
