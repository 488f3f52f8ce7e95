import { orgNamespaceOf, sortedKeyJson, type StoredConsent } from '@aal/ledger-contract';
import type { Transaction } from 'kysely';
import type { DecodedBlock, Indexed } from './block-decoder';
import { insertChunks } from './insert-chunks';
import type { AuditIndexDatabase } from './schema';

type Trx = Transaction<AuditIndexDatabase>;

/** The ledger-place columns every row of migration 2 carries. */
function placeOf(channel: string, indexed: Indexed<object>, txTime: string) {
  return {
    channel,
    tx_id: indexed.txId,
    block_number: indexed.blockNumber,
    tx_index: indexed.txIndex,
    tx_time: txTime,
    record_json: indexed.json ?? sortedKeyJson(indexed.record),
  };
}

/** The orgs besides auditors that may read a consent, by the chaincode's rule (`mayReadConsent`). */
export function consentReaders(consent: StoredConsent): string[] {
  const orgs = new Set([consent.controller, ...consent.grantees.map((grantee) => orgNamespaceOf(grantee) ?? grantee)]);
  return [...orgs].sort();
}

/**
 * Writes a block's consent versions, a few multi-row statements for the whole block (a statement
 * per consent made ingestion of consents a twelfth as fast as of interactions): each version's
 * history row, each consent's row (the grant's, or the revoked consent when only its revocation is
 * seen), the revocations' columns on their grants' rows, and the query paths and readers. A version
 * seen twice changes nothing.
 */
async function insertConsents(trx: Trx, channel: string, versions: readonly Indexed<StoredConsent>[]): Promise<void> {
  if (versions.length === 0) return;
  const rows = versions.map((indexed) => {
    const consent = indexed.record;
    const revoked = consent.revokedAt !== undefined;
    return {
      // A grant's version is at `grantedAt`, a revocation's at `revokedAt` (each its transaction's time).
      version: {
        ...placeOf(channel, indexed, consent.revokedAt ?? consent.grantedAt),
        consent_id: consent.id,
        change: revoked ? ('revocation' as const) : ('grant' as const),
      },
      consent: {
        ...placeOf(channel, indexed, consent.grantedAt),
        // The grant's own transaction, also when only the revocation is seen.
        tx_id: consent.txId,
        consent_id: consent.id,
        controller: consent.controller,
        subject_ref: consent.subjectRef,
        decision: consent.decision,
        period_start: consent.period.start,
        period_end: consent.period.end ?? null,
        revoked_at: consent.revokedAt ?? null,
        revocation_reason: consent.revocationReason ?? null,
        revocation_tx_id: revoked ? indexed.txId : null,
        revocation_block_number: revoked ? indexed.blockNumber : null,
        revoked_json: revoked ? (indexed.json ?? sortedKeyJson(consent)) : null,
      },
    };
  });
  for (const chunk of insertChunks(rows.map((row) => row.version)))
    await trx
      .insertInto('consent_versions')
      .values(chunk)
      .onConflict((conflict) => conflict.columns(['channel', 'consent_id', 'tx_id']).doNothing())
      .execute();
  // First every consent's row where it is missing (a later version of the same consent in the block
  // is skipped by the conflict), then the revocations onto their rows: one update per consent, the
  // block's last revocation of it (an upsert may not touch a row twice in one statement).
  for (const chunk of insertChunks(rows.map((row) => row.consent)))
    await trx
      .insertInto('consents')
      .values(chunk)
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  const revocations = new Map(
    rows.filter((row) => row.consent.revoked_at !== null).map((row) => [row.consent.consent_id, row.consent]),
  );
  for (const chunk of insertChunks([...revocations.values()]))
    await trx
      .insertInto('consents')
      .values(chunk)
      .onConflict((conflict) =>
        conflict.columns(['channel', 'consent_id']).doUpdateSet((eb) => ({
          revoked_at: eb.ref('excluded.revoked_at'),
          revocation_reason: eb.ref('excluded.revocation_reason'),
          revocation_tx_id: eb.ref('excluded.revocation_tx_id'),
          revocation_block_number: eb.ref('excluded.revocation_block_number'),
          revoked_json: eb.ref('excluded.revoked_json'),
        })),
      )
      .execute();
  const paths = versions.flatMap(({ record: consent }) => [
    { channel, consent_id: consent.id, path: 'subjectRef', value: consent.subjectRef },
    ...consent.grantees.map((value) => ({ channel, consent_id: consent.id, path: 'grantee', value })),
    ...consent.purposes.map((value) => ({ channel, consent_id: consent.id, path: 'purpose', value })),
  ]);
  for (const chunk of insertChunks(paths))
    await trx
      .insertInto('consent_paths')
      .values(chunk)
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  const readers = versions.flatMap(({ record: consent }) =>
    consentReaders(consent).map((org) => ({ channel, consent_id: consent.id, org })),
  );
  for (const chunk of insertChunks(readers))
    await trx
      .insertInto('consent_readers')
      .values(chunk)
      .onConflict((conflict) => conflict.doNothing())
      .execute();
}

/**
 * Writes the rows of a block's records other than interactions — batch headers, consents,
 * annotations, artifacts, training runs, erasure receipts — inside the block's transaction. Each
 * table's key is the record's ledger key, so a block seen twice adds nothing.
 */
export async function insertRecordRows(trx: Trx, channel: string, block: DecodedBlock): Promise<void> {
  for (const indexed of block.batches) {
    const batch = indexed.record;
    await trx
      .insertInto('batches')
      .values({
        ...placeOf(channel, indexed, batch.txTime),
        batch_id: batch.batchId,
        org: batch.org,
        recorded_by: batch.recordedBy,
        root: batch.root,
        size: batch.size,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  await insertConsents(trx, channel, block.consents);
  for (const indexed of block.annotations) {
    const annotation = indexed.record;
    await trx
      .insertInto('annotations')
      .values({
        ...placeOf(channel, indexed, annotation.txTime),
        interaction_id: annotation.interactionId,
        annotation_id: annotation.id,
        org: annotation.org,
        kind: annotation.kind,
        severity: annotation.severity ?? null,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  for (const indexed of block.artifacts) {
    const artifact = indexed.record;
    await trx
      .insertInto('artifacts')
      .values({
        ...placeOf(channel, indexed, artifact.txTime),
        artifact_id: artifact.id,
        kind: artifact.kind,
        name: artifact.name,
        version: artifact.version,
        sha256: artifact.sha256,
        registered_by: artifact.registeredBy,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  for (const indexed of block.trainingRuns) {
    const run = indexed.record;
    await trx
      .insertInto('training_runs')
      .values({
        ...placeOf(channel, indexed, run.txTime),
        run_id: run.id,
        org: run.org,
        model_artifact_id: run.modelArtifactId,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  for (const indexed of block.erasureReceipts) {
    const receipt = indexed.record;
    await trx
      .insertInto('erasure_receipts')
      .values({
        ...placeOf(channel, indexed, receipt.erasedAt),
        subject_ref: receipt.subjectRef,
        org: receipt.org,
        erased_at: receipt.erasedAt,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
}
