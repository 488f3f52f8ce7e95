import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { requireRole } from '../access/caller';
import { canonicalJson } from '../canonical-json';
import { readConsent } from '../consents/consent-store';
import { ContractError } from '../errors';
import { emitEvent } from '../ledger/events';
import { txTime } from '../ledger/tx-time';
import { parseJsonArgument } from '../validation/json-argument';
import { check, id, sha256Hex } from '../validation/rules';
import { checkArtifactFilter, MAX_FILTER_BYTES, queryArtifacts } from './artifact-query';
import { ARTIFACT_INPUT_FIELDS, checkArtifactInput, MAX_ARTIFACT_BYTES, type ArtifactInput, type StoredArtifact } from './artifact-schema';
import { readArtifact, writeArtifact } from './artifact-store';
import { judgeTrainingRun } from './training-preconditions';
import { checkTrainingRunInput, MAX_TRAINING_RUN_BYTES, TRAINING_RUN_INPUT_FIELDS, type StoredTrainingRun } from './training-run-schema';
import { readTrainingRun, writeTrainingRun } from './training-run-store';

const ALL_ROLES = ['recorder', 'consent-manager', 'auditor', 'admin'] as const;

/** The client-supplied part of a stored record, as canonical JSON: what write-once idempotency compares. */
function inputPart<T extends object>(record: T, fields: readonly (keyof T)[]): string {
  return canonicalJson(Object.fromEntries(fields.map((field) => [field, record[field]])));
}

/**
 * The registry of datasets, models and other artifacts by SHA-256 digest, with lineage and the
 * consents a dataset was collected under; and training runs, accepted only when those consents
 * cover model training (verify before use). Everything here is shared state on the channel.
 */
@Info({ title: 'ArtifactsContract', description: 'Registry of dataset and model digests with lineage, and consent-checked training runs' })
export class ArtifactsContract extends Contract {
  constructor() {
    super('Artifacts');
  }

  /** Write-once: the same id with the same input returns the stored artifact; different input is a conflict. */
  @Transaction()
  @Param('artifact', 'string', 'artifact JSON: id, kind (dataset|model|other), name, version, sha256, uri?, parents?, consentIds?')
  @Returns('ArtifactRecord')
  async RegisterArtifact(ctx: Context, artifact: string): Promise<string> {
    const caller = requireRole(ctx, 'recorder', 'admin');
    const input = checkArtifactInput(parseJsonArgument('artifact', artifact, MAX_ARTIFACT_BYTES));
    const existing = await readArtifact(ctx, input.id);
    if (existing !== undefined) {
      if (existing.registeredBy === caller.mspId && inputPart(existing, ARTIFACT_INPUT_FIELDS) === inputPart(input, ARTIFACT_INPUT_FIELDS)) {
        return canonicalJson(existing);
      }
      throw new ContractError('CONFLICT', `artifact ${input.id} already exists with different content (registered by ${existing.registeredBy})`);
    }
    await this.requireReferencesExist(ctx, input);
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
    requireRole(ctx, ...ALL_ROLES);
    return canonicalJson(await this.requireArtifact(ctx, id));
  }

  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by: kind|name|registeredBy, value, pageSize?, bookmark? }')
  @Returns('string')
  async QueryArtifacts(ctx: Context, filter: string): Promise<string> {
    requireRole(ctx, ...ALL_ROLES);
    const checked = checkArtifactFilter(parseJsonArgument('filter', filter, MAX_FILTER_BYTES));
    return canonicalJson(await queryArtifacts(ctx, checked));
  }

  /** Compares a presented digest with the registered one. */
  @Transaction(false)
  @Param('id', 'string', 'artifact id')
  @Param('sha256', 'string', 'SHA-256 of the artifact bytes, 64 lowercase hex characters')
  @Returns('string')
  async VerifyArtifact(ctx: Context, id: string, sha256: string): Promise<string> {
    requireRole(ctx, ...ALL_ROLES);
    const presented = check(sha256Hex(), sha256, 'sha256');
    const artifact = await this.requireArtifact(ctx, id);
    return canonicalJson({ id: artifact.id, match: artifact.sha256 === presented, registeredSha256: artifact.sha256 });
  }

  /**
   * Declares a training run before training. Refused with PRECONDITION_FAILED, one reason per
   * failing artifact, unless the model and every dataset are registered and each dataset's
   * consents permit `model-training` for the caller's org at the transaction time.
   */
  @Transaction()
  @Param('run', 'string', 'training run JSON: id, modelArtifactId, datasetArtifactIds, startTime?, notes?')
  @Returns('string')
  async RecordTrainingRun(ctx: Context, run: string): Promise<string> {
    const caller = requireRole(ctx, 'recorder', 'admin');
    const input = checkTrainingRunInput(parseJsonArgument('run', run, MAX_TRAINING_RUN_BYTES));
    const existing = await readTrainingRun(ctx, input.id);
    if (existing !== undefined) {
      if (existing.org === caller.mspId && inputPart(existing, TRAINING_RUN_INPUT_FIELDS) === inputPart(input, TRAINING_RUN_INPUT_FIELDS)) {
        return canonicalJson(existing);
      }
      throw new ContractError('CONFLICT', `training run ${input.id} already exists with different content (recorded by ${existing.org})`);
    }
    const at = txTime(ctx);
    const verdict = await judgeTrainingRun(ctx, input, caller.mspId, at);
    if (!verdict.accepted) {
      throw new ContractError('PRECONDITION_FAILED', `training run ${input.id} refused: ${verdict.reasons.join('; ')}`);
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
  @Returns('string')
  async GetTrainingRun(ctx: Context, id: string): Promise<string> {
    requireRole(ctx, ...ALL_ROLES);
    const runId = this.checkId(id);
    const stored = await readTrainingRun(ctx, runId);
    if (stored === undefined) throw new ContractError('NOT_FOUND', `training run ${runId} does not exist`);
    return canonicalJson(stored);
  }

  private checkId(value: string): string {
    return check(id(), value, 'id');
  }

  private async requireArtifact(ctx: Context, artifactId: string): Promise<StoredArtifact> {
    const checkedId = this.checkId(artifactId);
    const artifact = await readArtifact(ctx, checkedId);
    if (artifact === undefined) throw new ContractError('NOT_FOUND', `artifact ${checkedId} does not exist`);
    return artifact;
  }

  /** Lineage and consents must point at records on this channel; lists every missing one. */
  private async requireReferencesExist(ctx: Context, input: ArtifactInput): Promise<void> {
    const missing: string[] = [];
    for (const [index, parent] of (input.parents ?? []).entries()) {
      if ((await readArtifact(ctx, parent)) === undefined) missing.push(`parents[${index}]: artifact ${parent} does not exist`);
    }
    for (const [index, consentId] of (input.consentIds ?? []).entries()) {
      if ((await readConsent(ctx, consentId)) === undefined) missing.push(`consentIds[${index}]: consent ${consentId} does not exist`);
    }
    if (missing.length > 0) throw new ContractError('NOT_FOUND', missing.join('; '));
  }
}
