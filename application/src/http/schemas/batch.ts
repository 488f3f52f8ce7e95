import { LIMITS } from '@aal/ledger-contract';
import { z } from 'zod';
import { channelNameSchema } from './channel';
import { recordsOf } from './interaction';

/** `Batches:RecordBatch` (Merkle batch): one transaction, all or nothing, bounded by the contract's limit. */
export const merkleBatchRequestSchema = z.strictObject({ records: recordsOf(LIMITS.merkleBatchRecords) });

export const batchParams = z.strictObject({
  channel: channelNameSchema,
  batchId: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (the recording transaction id)'),
});

export const batchSummarySchema = z.object({
  batchId: z.string().describe('the recording transaction id'),
  org: z.string(),
  txTime: z.string(),
  root: z.string().describe('RFC 6962 Merkle root (hex) over the canonical JSON of the records as submitted'),
  size: z.number().int(),
  alreadyRecorded: z.array(
    z.object({ index: z.number().int(), id: z.string(), batchId: z.string(), leafIndex: z.number().int() }),
  ),
  transactionId: z.string(),
  blockNumber: z.string(),
});

/** A batch in a query page: the header without its ids. */
export const batchListingSchema = z.object({
  batchId: z.string().describe('the recording transaction id'),
  org: z.string(),
  recordedBy: z.string(),
  txTime: z.string(),
  size: z.number().int(),
  root: z.string(),
  txId: z.string().describe('the recording transaction'),
  blockNumber: z.string().describe('the block that committed it'),
});

export const batchHeaderSchema = z.looseObject({
  batchId: z.string(),
  root: z.string(),
  size: z.number().int(),
  ids: z.array(z.string()),
});

export const inclusionProofSchema = z
  .looseObject({
    record: z.record(z.string(), z.unknown()),
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    auditPath: z.array(z.string()),
    root: z.string(),
    txId: z.string(),
    batchId: z.string(),
  })
  .describe('verify offline against the root read from the ledger: npm run verify-proof -- --proof proof.json');
