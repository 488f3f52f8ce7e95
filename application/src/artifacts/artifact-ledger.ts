import {
  TRANSACTIONS,
  type ArtifactFilter,
  type ArtifactInput,
  type StoredArtifact,
  type StoredTrainingRun,
  type TrainingRunInput,
} from '@aal/ledger-contract';
import type { LedgerPage, Submitted } from '../ledger/ledger-answers';
import type { LedgerClient } from '../ledger/ledger-client';

/**
 * The Artifacts contract as the application calls it (docs/chaincode-api.md "Contract Artifacts"):
 * datasets and models by digest, and training runs. JSON in, JSON out, nothing about HTTP.
 */

/** The comparison of a presented digest with the registered one. */
export interface ArtifactVerification {
  readonly id: string;
  readonly match: boolean;
  readonly registeredSha256: string;
}

/** Registers an artifact (write-once by id, so the submit is safe to repeat). */
export async function registerArtifact(
  ledger: LedgerClient,
  channel: string,
  artifact: ArtifactInput,
): Promise<Submitted<StoredArtifact>> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.registerArtifact, [JSON.stringify(artifact)], {
    idempotent: true,
  });
  return {
    record: JSON.parse(submitted.result) as StoredArtifact,
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

export async function queryArtifacts(
  ledger: LedgerClient,
  channel: string,
  filter: ArtifactFilter,
): Promise<LedgerPage<StoredArtifact>> {
  return JSON.parse(
    await ledger.evaluate(channel, TRANSACTIONS.queryArtifacts, [JSON.stringify(filter)]),
  ) as LedgerPage<StoredArtifact>;
}

export async function getArtifact(ledger: LedgerClient, channel: string, id: string): Promise<StoredArtifact> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getArtifact, [id])) as StoredArtifact;
}

export async function verifyArtifact(
  ledger: LedgerClient,
  channel: string,
  id: string,
  sha256: string,
): Promise<ArtifactVerification> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.verifyArtifact, [id, sha256])) as ArtifactVerification;
}

/**
 * Declares a training run (write-once by id). The chaincode refuses it with `PRECONDITION_FAILED`,
 * one reason per failing artifact, unless every dataset's consents cover model training.
 */
export async function recordTrainingRun(
  ledger: LedgerClient,
  channel: string,
  run: TrainingRunInput,
): Promise<Submitted<StoredTrainingRun>> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.recordTrainingRun, [JSON.stringify(run)], {
    idempotent: true,
  });
  return {
    record: JSON.parse(submitted.result) as StoredTrainingRun,
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

export async function getTrainingRun(ledger: LedgerClient, channel: string, id: string): Promise<StoredTrainingRun> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getTrainingRun, [id])) as StoredTrainingRun;
}
