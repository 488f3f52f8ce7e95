import {
  ARTIFACT_INPUT_FIELDS,
  CONTRACTS,
  ContractError,
  LIMITS,
  TRAINING_RUN_INPUT_FIELDS,
  TRANSACTIONS,
  artifactFilterSchema,
  artifactInputSchema,
  checkInput,
  sortedKeyJson,
  trainingRunInputSchema,
  type ArtifactInput,
  type RefusalReason,
  type StoredArtifact,
  type StoredTrainingRun,
} from '@aal/ledger-contract';
import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { requireTransactionRole } from '../access/caller';
import { requireOwnRecordIds } from '../access/own-record-ids';
import { LedgerContract } from '../ledger/ledger-contract';
import { readConsent } from '../consents/consent-store';
import { emitEvent } from '../ledger/events';
import { txTime } from '../ledger/tx-time';
import { parseJsonArgument } from '../validation/json-argument';
import { queryArtifacts } from './artifact-query';
import { readArtifact, writeArtifact } from './artifact-store';
import { judgeTrainingRun } from './training-preconditions';
import { readTrainingRun, writeTrainingRun } from './training-run-store';
import { PLAIN_ARGUMENTS } from '../validation/plain-arguments';

/** The client-supplied part of a stored record, as canonical JSON: what write-once idempotency compares. */
function inputPart<T extends object>(record: T, fields: readonly (keyof T)[]): string {
  return sortedKeyJson(Object.fromEntries(fields.map((field) => [field, record[field]])));
}

/**
 * The registry of datasets, models and other artifacts by SHA-256 digest, with lineage and the
 * consents a dataset was collected under; and training runs, accepted only when those consents
 * cover model training (verify before use). Everything here is shared state on the channel.
 */
@Info({
  title: 'ArtifactsContract',
  description: 'Registry of dataset and model digests with lineage, and consent-checked training runs',
})
export class ArtifactsContract extends LedgerContract {
  constructor() {
    super(CONTRACTS.artifacts);
  }

  /**
   * Write-once: the same id with the same input returns the stored artifact; different input is a
   * conflict. Every listed consent must exist and be controlled by the registering org: the data
   * controller registers its own dataset under its own consents.
   */
  @Transaction()
  @Param(
    'artifact',
    'string',
    'artifact JSON: id, kind (dataset|model|other), name, version, sha256, uri?, parents?, consentIds?',
  )
  @Returns('ArtifactRecord')
  async RegisterArtifact(ctx: Context, artifact: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.registerArtifact);
    const input = checkInput(artifactInputSchema, parseJsonArgument('artifact', artifact, LIMITS.artifactBytes));
    requireOwnRecordIds(caller.mspId, 'artifact', [{ id: input.id, path: 'id' }]);
    const existing = await readArtifact(ctx, input.id);
    if (existing !== undefined) {
      if (
        existing.registeredBy === caller.mspId &&
        inputPart(existing, ARTIFACT_INPUT_FIELDS) === inputPart(input, ARTIFACT_INPUT_FIELDS)
      ) {
        return sortedKeyJson(existing);
      }
      throw new ContractError({
        code: 'CONFLICT',
        message: `artifact ${input.id} already exists with different content (registered by ${existing.registeredBy})`,
      });
    }
    await this.requireReferencesExist(ctx, input);
    await requireOwnConsents(ctx, input, caller.mspId);
    const stored: StoredArtifact = {
      ...input,
      registeredBy: caller.mspId,
      registeredByUser: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
      txTime: txTime(ctx),
    };
    const json = await writeArtifact(ctx, stored);
    emitEvent(ctx, 'ArtifactRegistered', {
      id: stored.id,
      kind: stored.kind,
      name: stored.name,
      version: stored.version,
      sha256: stored.sha256,
      registeredBy: stored.registeredBy,
    });
    return json;
  }

  @Transaction(false)
  @Param('id', 'string', 'artifact id')
  @Returns('ArtifactRecord')
  async GetArtifact(ctx: Context, id: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.getArtifact);
    return sortedKeyJson(await this.requireArtifact(ctx, id));
  }

  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by: kind|name|registeredBy, value, pageSize?, bookmark? }')
  @Returns('string')
  async QueryArtifacts(ctx: Context, filter: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.queryArtifacts);
    const checked = checkInput(artifactFilterSchema, parseJsonArgument('filter', filter, LIMITS.filterBytes));
    return sortedKeyJson(await queryArtifacts(ctx, checked));
  }

  /** Compares a presented digest with the registered one. */
  @Transaction(false)
  @Param('id', 'string', 'artifact id')
  @Param('sha256', 'string', 'SHA-256 of the artifact bytes, 64 lowercase hex characters')
  @Returns('string')
  async VerifyArtifact(ctx: Context, id: string, sha256: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.verifyArtifact);
    const presented = checkInput(PLAIN_ARGUMENTS.sha256Hex, sha256, 'sha256');
    const artifact = await this.requireArtifact(ctx, id);
    return sortedKeyJson({ id: artifact.id, match: artifact.sha256 === presented, registeredSha256: artifact.sha256 });
  }

  /**
   * Declares a training run before training. Refused with PRECONDITION_FAILED, with one reason per
   * failed precondition naming the input it is about (`modelArtifactId`, `datasetArtifactIds[i]`), unless the model and every dataset are registered and each dataset's
   * consents permit `model-training` for the caller's org at the transaction time.
   */
  @Transaction()
  @Param('run', 'string', 'training run JSON: id, modelArtifactId, datasetArtifactIds, startTime?, notesCommitment?')
  @Returns('TrainingRunRecord')
  async RecordTrainingRun(ctx: Context, run: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.recordTrainingRun);
    const input = checkInput(trainingRunInputSchema, parseJsonArgument('run', run, LIMITS.trainingRunBytes));
    requireOwnRecordIds(caller.mspId, 'training run', [{ id: input.id, path: 'id' }]);
    const existing = await readTrainingRun(ctx, input.id);
    if (existing !== undefined) {
      if (
        existing.org === caller.mspId &&
        inputPart(existing, TRAINING_RUN_INPUT_FIELDS) === inputPart(input, TRAINING_RUN_INPUT_FIELDS)
      ) {
        return sortedKeyJson(existing);
      }
      throw new ContractError({
        code: 'CONFLICT',
        message: `training run ${input.id} already exists with different content (recorded by ${existing.org})`,
      });
    }
    const at = txTime(ctx);
    const verdict = await judgeTrainingRun(ctx, input, caller.mspId, at);
    if (!verdict.accepted) {
      const reasons = verdict.reasons.map((reason) => `${reason.path || '(run)'}: ${reason.reason}`).join('; ');
      throw new ContractError({
        code: 'PRECONDITION_FAILED',
        message: `training run ${input.id} refused: ${reasons}`,
        reasons: verdict.reasons,
      });
    }
    const stored: StoredTrainingRun = {
      ...input,
      org: caller.mspId,
      recordedBy: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
      txTime: at,
      consentCoverage: verdict.coverage,
    };
    const json = await writeTrainingRun(ctx, stored);
    emitEvent(ctx, 'TrainingRunRecorded', {
      id: stored.id,
      modelArtifactId: stored.modelArtifactId,
      datasetArtifactIds: stored.datasetArtifactIds,
      org: stored.org,
    });
    return json;
  }

  @Transaction(false)
  @Param('id', 'string', 'training run id')
  @Returns('TrainingRunRecord')
  async GetTrainingRun(ctx: Context, id: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.getTrainingRun);
    const runId = this.checkId(id);
    const stored = await readTrainingRun(ctx, runId);
    if (stored === undefined)
      throw new ContractError({ code: 'NOT_FOUND', message: `training run ${runId} does not exist` });
    return sortedKeyJson(stored);
  }

  private checkId(value: string): string {
    return checkInput(PLAIN_ARGUMENTS.recordId, value, 'id');
  }

  private async requireArtifact(ctx: Context, artifactId: string): Promise<StoredArtifact> {
    const checkedId = this.checkId(artifactId);
    const artifact = await readArtifact(ctx, checkedId);
    if (artifact === undefined)
      throw new ContractError({ code: 'NOT_FOUND', message: `artifact ${checkedId} does not exist` });
    return artifact;
  }

  /** Lineage and consents must point at records on this channel; names every missing one (`parents[1]`, `consentIds[0]`). */
  private async requireReferencesExist(ctx: Context, input: ArtifactInput): Promise<void> {
    const missing: RefusalReason[] = [];
    for (const [index, parent] of (input.parents ?? []).entries()) {
      if ((await readArtifact(ctx, parent)) === undefined)
        missing.push({ path: `parents[${index}]`, reason: `artifact ${parent} does not exist` });
    }
    for (const [index, consentId] of (input.consentIds ?? []).entries()) {
      if ((await readConsent(ctx, consentId)) === undefined)
        missing.push({ path: `consentIds[${index}]`, reason: `consent ${consentId} does not exist` });
    }
    if (missing.length > 0) {
      throw new ContractError({
        code: 'NOT_FOUND',
        message: missing.map((entry) => `${entry.path}: ${entry.reason}`).join('; '),
        reasons: missing,
      });
    }
  }
}

/**
 * A dataset's consents are the registering org's own word that the data was collected under them,
 * so each must be controlled by that org: a trainer listing another org's consent — one granted to
 * it, say — in a dataset of its own would use it as cover for data the controller never vouched
 * for. Refuses with PRECONDITION_FAILED, one reason per foreign consent (`consentIds[i]`).
 */
async function requireOwnConsents(ctx: Context, input: ArtifactInput, registrant: string): Promise<void> {
  const foreign: RefusalReason[] = [];
  for (const [index, consentId] of (input.consentIds ?? []).entries()) {
    const consent = await readConsent(ctx, consentId);
    if (consent !== undefined && consent.controller !== registrant)
      foreign.push({
        path: `consentIds[${index}]`,
        reason: `consent ${consentId} is not controlled by ${registrant}: an org lists only its own consents`,
      });
  }
  if (foreign.length > 0) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `artifact ${input.id} refused: ${foreign.map((entry) => `${entry.path}: ${entry.reason}`).join('; ')}`,
      reasons: foreign,
    });
  }
}
