import {
  LIMITS,
  TRAINING_PURPOSE,
  type DatasetConsentCoverage,
  type RefusalReason,
  type TrainingRunInput,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { evaluateConsent } from '../consents/consent-check';
import { readConsent } from '../consents/consent-store';
import { readArtifact } from './artifact-store';

/**
 * Either the consents that cover every dataset, or every failed precondition, each naming the run's
 * input it is about: `modelArtifactId`, `datasetArtifactIds[2]`, or `''` for the run as a whole.
 */
export type TrainingVerdict =
  | { readonly accepted: true; readonly coverage: DatasetConsentCoverage[] }
  | { readonly accepted: false; readonly reasons: RefusalReason[] };

/**
 * Verify before use: the model and every dataset must be registered with the right kind, and each
 * dataset's consents must all permit `model-training` for the training org now (a dataset with no
 * consents is not covered). Each consent is judged together with its subject's other consents, so a
 * later deny by the subject wins over the listed permit; a consent of an erased subject covers
 * nothing. A consent the training org controls itself never counts: it would be the trainer's own
 * word (any org can register a subject of its own and grant itself model-training). Since a dataset
 * lists only its registering org's consents (RegisterArtifact), a trainer trains only on datasets
 * another org registered under its own consents. At most
 * `LIMITS.consentChecksPerTrainingRun` consents are judged (each costs a few ledger reads).
 *
 * @param trainer the training org (the caller's MSP id): the grantee, and never the controller
 * @param now the transaction time; grants and revocations count as the state says (see ConsentMoment)
 */
export async function judgeTrainingRun(
  ctx: Context,
  run: TrainingRunInput,
  trainer: string,
  now: string,
): Promise<TrainingVerdict> {
  const reasons: RefusalReason[] = [];
  const model = await readArtifact(ctx, run.modelArtifactId);
  if (model === undefined)
    reasons.push({ path: 'modelArtifactId', reason: `model ${run.modelArtifactId} is not registered` });
  else if (model.kind !== 'model')
    reasons.push({
      path: 'modelArtifactId',
      reason: `model ${run.modelArtifactId} is registered as ${model.kind}, not model`,
    });

  const coverage: DatasetConsentCoverage[] = [];
  let checks = 0;
  for (const [index, datasetId] of run.datasetArtifactIds.entries()) {
    const path = `datasetArtifactIds[${index}]`;
    const dataset = await readArtifact(ctx, datasetId);
    if (dataset === undefined) {
      reasons.push({ path, reason: `dataset ${datasetId} is not registered` });
      continue;
    }
    if (dataset.kind !== 'dataset') {
      reasons.push({ path, reason: `dataset ${datasetId} is registered as ${dataset.kind}, not dataset` });
      continue;
    }
    const consentIds = dataset.consentIds ?? [];
    if (consentIds.length === 0) {
      reasons.push({ path, reason: `dataset ${datasetId} lists no consents, so nothing covers ${TRAINING_PURPOSE}` });
      continue;
    }
    checks += consentIds.length;
    if (checks > LIMITS.consentChecksPerTrainingRun) {
      return {
        accepted: false,
        reasons: [
          {
            path: '',
            reason: `the datasets list more than ${LIMITS.consentChecksPerTrainingRun} consents: split the run`,
          },
        ],
      };
    }
    let covered = true;
    for (const consentId of consentIds) {
      const consent = await readConsent(ctx, consentId);
      if (consent?.controller === trainer) {
        covered = false;
        reasons.push({
          path,
          reason: `dataset ${datasetId}: consent ${consentId} is controlled by ${trainer}, the training org itself: a trainer cannot attest its own consents`,
        });
        continue;
      }
      const verdict = await evaluateConsent(ctx, {
        consentId,
        subjectRef: consent?.subjectRef,
        purpose: TRAINING_PURPOSE,
        grantees: [trainer],
        moment: { now },
      });
      if (!verdict.allowed) {
        covered = false;
        reasons.push({ path, reason: `dataset ${datasetId}: ${verdict.reason}` });
      }
    }
    if (covered) coverage.push({ datasetArtifactId: datasetId, consentIds });
  }
  return reasons.length > 0 ? { accepted: false, reasons } : { accepted: true, coverage };
}
