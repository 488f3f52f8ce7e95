import { isBatchedRecordLocator, sortedKeyJson, TRANSACTIONS, type TransactionName } from '@aal/ledger-contract';
import { vouchedInteraction } from '../interactions/vouched-interaction';
import { LedgerEvidenceError } from '../ledger/ledger-evidence-error';
import { common } from '@hyperledger/fabric-protos';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import type { AuditIndexStore } from './index-store';
import type { ReadScope } from './index-reads';
import { SAMPLE_KINDS, sampleRows, type SampledRow, type SampleKind, type SampleSize } from './sample-rows';

/** The point-read transaction of each sampled kind: the one a reader of that record calls. */
const POINT_READS: Readonly<Record<SampleKind, TransactionName>> = {
  interaction: TRANSACTIONS.getInteraction,
  'batched-interaction': TRANSACTIONS.getBatchedInteraction,
  consent: TRANSACTIONS.getConsent,
  artifact: TRANSACTIONS.getArtifact,
};

/** What a consent's revocation adds to it; without them a revoked consent is its grant. */
const REVOCATION_FIELDS = ['revokedAt', 'revokedBy', 'revocationReason', 'revocationTxId'] as const;

/** Point reads in flight at once: enough to hide the round trip, few enough not to load the org's peer. */
const CONCURRENCY = 8;
/** Rows read from the store per page with `--sample all`. */
const PAGE = 500;

/** What the sample found on one channel. */
export interface SampleCheck {
  readonly channel: string;
  /** The checkpoint sampled up to, or undefined when the index holds no block of the channel. */
  readonly checkpoint: number | undefined;
  /** Records compared, per kind. */
  readonly checked: Readonly<Record<SampleKind, number>>;
  /** Consents revoked in a block after the checkpoint: the index has not reached it yet, not a difference. */
  readonly pending: number;
  /** Every difference, one line each (kinds, ids, blocks and field names; never field values). */
  readonly differences: string[];
}

/** The chaincode's answer for a record, as the index would store it: sorted-key JSON, a consent without its read-time `status`. */
function normalised(kind: SampleKind, answer: string): Record<string, unknown> {
  const parsed = JSON.parse(answer) as Record<string, unknown>;
  if (kind === 'consent') delete parsed['status'];
  return parsed;
}

/** The top-level fields whose values differ, in name order. */
function differingFields(stored: Record<string, unknown>, ledger: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(stored), ...Object.keys(ledger)]);
  return [...names].filter((name) => sortedKeyJson(stored[name]) !== sortedKeyJson(ledger[name])).sort();
}

/** The number of the block holding transaction `txId`, from qscc on the org's peer. */
async function blockOfTransaction(reader: PointReader, channel: string, txId: string): Promise<number> {
  const bytes = await reader.evaluateSystem(channel, 'qscc', 'GetBlockByTxID', [channel, txId]);
  return common.Block.deserializeBinary(bytes).getHeader()?.getNumber() ?? -1;
}

/** What the sample reads the ledger through: the org's peer, as one of the org's identities. */
export type PointReader = Pick<LedgerClient, 'evaluate' | 'evaluateSystem'>;

/** One record's comparison: equal, pending (see {@link compareRow}) or a difference line. */
type Comparison = { outcome: 'equal' } | { outcome: 'pending' } | { outcome: 'different'; line: string };

/**
 * Compares one stored record with the chaincode's point read of it: equal, pending (a consent
 * revoked after the checkpoint, otherwise equal to its stored grant), or a difference line.
 */
async function compareRow(
  reader: PointReader,
  channel: string,
  kind: SampleKind,
  row: SampledRow,
  checkpoint: number,
): Promise<Comparison> {
  const where = `${kind} ${row.id} (block ${row.blockNumber})`;
  let answer: string;
  try {
    answer = await reader.evaluate(channel, POINT_READS[kind], [row.id]);
  } catch (error) {
    // A coded refusal is the chaincode's answer about this record; anything else (peer down) stops the check.
    if (error instanceof LedgerError && error.code !== undefined)
      return {
        outcome: 'different',
        line: `${where}: the chaincode refused the point read (${error.code}: ${error.message})`,
      };
    throw error;
  }
  const stored = JSON.parse(row.recordJson) as Record<string, unknown>;
  let ledger = normalised(kind, answer);
  if (isBatchedRecordLocator(ledger)) {
    // Lean layout: world state holds the leaf hash only; the record is the recording transaction's
    // argument, read from the org's peer and checked against that leaf and the batch root.
    try {
      ledger = { ...(await vouchedInteraction(reader, channel, ledger)) };
    } catch (error) {
      if (!(error instanceof LedgerEvidenceError)) throw error;
      return {
        outcome: 'different',
        line: `${where}: the recording transaction does not vouch for it (${error.code})`,
      };
    }
  }
  if (sortedKeyJson(stored) === sortedKeyJson(ledger)) return { outcome: 'equal' };
  const revocationTxId = ledger['revocationTxId'];
  if (kind === 'consent' && !row.revoked && typeof revocationTxId === 'string') {
    const grant = { ...ledger };
    for (const field of REVOCATION_FIELDS) delete grant[field];
    if (sortedKeyJson(grant) === sortedKeyJson(stored)) {
      const revokedIn = await blockOfTransaction(reader, channel, revocationTxId);
      if (revokedIn > checkpoint) return { outcome: 'pending' };
      return {
        outcome: 'different',
        line: `${where}: revoked in block ${revokedIn}, at or before the checkpoint ${checkpoint}, but not in the index`,
      };
    }
  }
  return {
    outcome: 'different',
    line: `${where}: the index and the chaincode differ in ${differingFields(stored, ledger).join(', ')}`,
  };
}

/**
 * Reads a sample of the channel's indexed records — interactions written one at a time or
 * gathered, batched interactions, consents and artifacts, `size` of each spread over the blocks
 * (from `fromBlock`) by `seed`, or all — back
 * through the chaincode's point reads on the org's peer and compares each with the record the
 * index holds (both as sorted-key JSON). Only records the scope may read are sampled, as the
 * chaincode would refuse the others; only rows of blocks up to the checkpoint read first (the app
 * may be ingesting meanwhile).
 */
export async function checkSample(options: {
  readonly store: AuditIndexStore;
  readonly reader: PointReader;
  readonly channel: string;
  readonly scope: ReadScope;
  readonly size: SampleSize;
  /** Chooses which rows a sample takes (see `sampleStrides`): the same seed, the same rows (default 0). */
  readonly seed?: number;
  /** The first block whose records are sampled (default 0): a check of what was written since then. */
  readonly fromBlock?: number;
  readonly progress?: (line: string) => void;
}): Promise<SampleCheck> {
  const { store, reader, channel, scope, size, seed = 0, fromBlock = 0, progress } = options;
  const checked: Record<SampleKind, number> = { interaction: 0, 'batched-interaction': 0, consent: 0, artifact: 0 };
  const differences: string[] = [];
  let pending = 0;
  const checkpoint = await store.checkpoint(channel);
  if (checkpoint === undefined) return { channel, checkpoint, checked, pending, differences };
  let lastReport = Date.now();
  const compareAll = async (kind: SampleKind, rows: readonly SampledRow[]): Promise<void> => {
    for (let start = 0; start < rows.length; start += CONCURRENCY) {
      const outcomes = await Promise.all(
        rows.slice(start, start + CONCURRENCY).map((row) => compareRow(reader, channel, kind, row, checkpoint)),
      );
      for (const outcome of outcomes) {
        if (outcome.outcome === 'pending') pending += 1;
        else if (outcome.outcome === 'different') differences.push(outcome.line);
      }
      checked[kind] += outcomes.length;
      if (progress !== undefined && Date.now() - lastReport > 2_000) {
        progress(`${channel}: compared ${checked[kind]} ${kind} records with the chaincode's point reads`);
        lastReport = Date.now();
      }
    }
  };
  for (const kind of SAMPLE_KINDS) {
    const query = { channel, atBlock: checkpoint, fromBlock, scope };
    if (size !== 'all') {
      if (size > 0) await compareAll(kind, await sampleRows(store.db, kind, { ...query, pick: { seed }, limit: size }));
      continue;
    }
    let afterId: string | undefined;
    for (;;) {
      const page = await sampleRows(store.db, kind, { ...query, pick: { afterId }, limit: PAGE });
      await compareAll(kind, page);
      afterId = page.at(-1)?.id;
      if (page.length < PAGE) break;
    }
  }
  progress?.(
    `${channel}: compared ${Object.values(checked).reduce((a, b) => a + b, 0)} records up to block ${checkpoint}`,
  );
  return { channel, checkpoint, checked, pending, differences };
}
