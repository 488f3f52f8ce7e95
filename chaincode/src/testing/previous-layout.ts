import { sortedKeyJson, type BatchEntry, type InteractionInput, type StoredInteraction } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { batchIndexKeys, batchListingValue } from '../batches/batch-indexes';
import { entryKey, readBatch, readEntry } from '../batches/batch-store';
import { interactionIndexKeys } from '../interactions/interaction-indexes';
import { INDEX_MARKER } from '../ledger/index-keys';
import type { InMemoryLedger, TestIdentity } from './in-memory-ledger';

/**
 * Fixtures of the world-state layout the chaincode wrote before the lean layout, built from what the
 * current chaincode wrote: the same keys and bytes the previous version put, so tests show reads and
 * checks still handle ledgers written by it.
 */
const writer: TestIdentity = { mspId: 'HospitalAMSP', role: 'admin' };

const put = (ctx: Context, key: string, value: string | Uint8Array): Promise<void> =>
  ctx.stub.putState(key, typeof value === 'string' ? Buffer.from(value) : value);

/** Adds the query index entries the previous layout wrote with each of these single or gathered interactions. */
export async function addPreviousInteractionIndexes(
  ledger: InMemoryLedger,
  records: readonly StoredInteraction[],
): Promise<void> {
  await ledger.submit(writer, async (ctx) => {
    for (const record of records) for (const key of interactionIndexKeys(record)) await put(ctx, key, INDEX_MARKER);
  });
}

/**
 * Turns a batch written by the current chaincode into the previous layout: each record's marker
 * becomes the record itself with its verdict and place, and the batch-level index entries are added.
 *
 * @param records the batch's records as submitted, in leaf order
 */
export async function toPreviousBatchLayout(
  ledger: InMemoryLedger,
  batchId: string,
  records: readonly InteractionInput[],
): Promise<void> {
  await ledger.submit(writer, async (ctx) => {
    const batch = await readBatch(ctx, batchId);
    if (batch === undefined) throw new Error(`no batch ${batchId}`);
    for (const record of records) {
      const marker = await readEntry(ctx, record.id);
      if (marker === undefined) throw new Error(`no entry for ${record.id}`);
      const entry: BatchEntry = {
        batchId,
        leafIndex: marker.leafIndex,
        record,
        ...(marker.consentCheck === undefined ? {} : { consentCheck: marker.consentCheck }),
      };
      await put(ctx, entryKey(ctx, record.id), sortedKeyJson(entry));
    }
    const listing = batchListingValue(batch);
    for (const key of batchIndexKeys(batch, records)) await put(ctx, key, listing);
  });
}
