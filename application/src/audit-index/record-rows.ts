import { orgNamespaceOf, sortedKeyJson, type StoredConsent } from '@aal/ledger-contract';
import type { Transaction } from 'kysely';
import type { DecodedBlock, Indexed } from './block-decoder';
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
 * Writes one consent version: its history row, and either the grant (row, query paths, readers) or
 * the revocation's columns on the grant's row. A version seen twice changes nothing.
 */
async function insertConsent(trx: Trx, channel: string, indexed: Indexed<StoredConsent>): Promise<void> {
  const consent = indexed.record;
  const revoked = consent.revokedAt !== undefined;
  // A grant's version is at `grantedAt`, a revocation's at `revokedAt` (each its transaction's time).
  await trx
    .insertInto('consent_versions')
    .values({
      ...placeOf(channel, indexed, consent.revokedAt ?? consent.grantedAt),
      consent_id: consent.id,
      change: revoked ? 'revocation' : 'grant',
    })
    .onConflict((conflict) => conflict.columns(['channel', 'consent_id', 'tx_id']).doNothing())
    .execute();
  const revocation = {
    revoked_at: consent.revokedAt ?? null,
    revocation_reason: consent.revocationReason ?? null,
    revocation_tx_id: revoked ? indexed.txId : null,
    revocation_block_number: revoked ? indexed.blockNumber : null,
    revoked_json: revoked ? (indexed.json ?? sortedKeyJson(consent)) : null,
  };
  await trx
    .insertInto('consents')
    .values({
      ...placeOf(channel, indexed, consent.grantedAt),
      // The grant's own transaction, also when only the revocation is seen.
      tx_id: consent.txId,
      consent_id: consent.id,
      controller: consent.controller,
      subject_ref: consent.subjectRef,
      decision: consent.decision,
      period_start: consent.period.start,
      period_end: consent.period.end ?? null,
      ...revocation,
    })
    .onConflict((conflict) =>
      revoked ? conflict.columns(['channel', 'consent_id']).doUpdateSet(revocation) : conflict.doNothing(),
    )
    .execute();
  const paths = [
    { path: 'subjectRef', value: consent.subjectRef },
    ...consent.grantees.map((value) => ({ path: 'grantee', value })),
    ...consent.purposes.map((value) => ({ path: 'purpose', value })),
  ];
  await trx
    .insertInto('consent_paths')
    .values(paths.map((entry) => ({ channel, consent_id: consent.id, ...entry })))
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  await trx
    .insertInto('consent_readers')
    .values(consentReaders(consent).map((org) => ({ channel, consent_id: consent.id, org })))
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
  for (const indexed of block.consents) await insertConsent(trx, channel, indexed);
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
