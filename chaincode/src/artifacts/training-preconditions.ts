import type { Context } from 'fabric-contract-api';
import { evaluateConsent } from '../consents/consent-check';
import { readConsent } from '../consents/consent-store';
import { readArtifact } from './artifact-store';
import { TRAINING_PURPOSE, type DatasetConsentCoverage, type TrainingRunInput } from './training-run-schema';

/** Bounds one endorsement's work: every consent check is a few ledger reads. */
export const MAX_CONSENT_CHECKS_PER_RUN = 5000;

/** Either the consents that cover every dataset, or one reason per failing artifact. */
export type TrainingVerdict =
  | { readonly accepted: true; readonly coverage: DatasetConsentCoverage[] }
  | { readonly accepted: false; readonly reasons: string[] };

/**
 * Verify before use: the model and every dataset must be registered with the right kind, and each
 * dataset's consents must all permit `model-training` for the training org at the transaction
 * time (a dataset with no consents is not covered). Each consent is judged together with its
 * subject's other consents, so a later deny by the subject wins over the listed permit.
 */
export async function judgeTrainingRun(ctx: Context, run: TrainingRunInput, grantee: string, at: string): Promise<TrainingVerdict> {
  const reasons: string[] = [];
  const model = await readArtifact(ctx, run.modelArtifactId);
  if (model === undefined) reasons.push(`model ${run.modelArtifactId}: is not registered`);
  else if (model.kind !== 'model') reasons.push(`model ${run.modelArtifactId}: is registered as ${model.kind}, not model`);

  const coverage: DatasetConsentCoverage[] = [];
  let checks = 0;
  for (const datasetId of run.datasetArtifactIds) {
    const dataset = await readArtifact(ctx, datasetId);
    if (dataset === undefined) {
      reasons.push(`dataset ${datasetId}: is not registered`);
      continue;
    }
    if (dataset.kind !== 'dataset') {
      reasons.push(`dataset ${datasetId}: is registered as ${dataset.kind}, not dataset`);
      continue;
    }
    const consentIds = dataset.consentIds ?? [];
    if (consentIds.length === 0) {
      reasons.push(`dataset ${datasetId}: lists no consents, so nothing covers ${TRAINING_PURPOSE}`);
      continue;
    }
    checks += consentIds.length;
    if (checks > MAX_CONSENT_CHECKS_PER_RUN) {
      return { accepted: false, reasons: [`the datasets list more than ${MAX_CONSENT_CHECKS_PER_RUN} consents: split the run`] };
    }
    const failures: string[] = [];
    for (const consentId of consentIds) {
      const consent = await readConsent(ctx, consentId);
      const verdict = await evaluateConsent(ctx, { consentId, subjectRef: consent?.subjectRef, purpose: TRAINING_PURPOSE, grantee, at });
      if (!verdict.allowed) failures.push(verdict.reason);
    }
    if (failures.length > 0) reasons.push(`dataset ${datasetId}: ${failures.join(', ')}`);
    else coverage.push({ datasetArtifactId: datasetId, consentIds });
  }
  return reasons.length > 0 ? { accepted: false, reasons } : { accepted: true, coverage };
}
