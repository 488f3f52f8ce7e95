import type { FieldError } from './problem';

/** The run fields a refusal can name, so each reason points at the input that caused it. */
export interface TrainingRunArtifacts {
  readonly modelArtifactId: string;
  readonly datasetArtifactIds: readonly string[];
}

const REASON = /^(model|dataset) (\S+): (.+)$/s;

/**
 * Splits the chaincode's refusal of a training run — `training run r refused: model m: is not
 * registered; dataset d: consent c1 is revoked at …` — into one error per failing artifact, each
 * naming the input field (`modelArtifactId`, `datasetArtifactIds[2]`). A reason that names no
 * artifact (e.g. too many consents) is reported against the whole body (`field` empty).
 */
export function trainingRunRefusals(message: string, run: TrainingRunArtifacts): FieldError[] {
  const marker = ' refused: ';
  const start = message.indexOf(marker);
  const reasons = (start < 0 ? message : message.slice(start + marker.length)).split('; ').filter((reason) => reason !== '');
  return reasons.map((reason) => {
    const named = REASON.exec(reason);
    if (named?.[1] === 'model' && named[2] === run.modelArtifactId) return { field: 'modelArtifactId', message: reason };
    if (named?.[1] === 'dataset' && named[2] !== undefined) {
      const index = run.datasetArtifactIds.indexOf(named[2]);
      if (index >= 0) return { field: `datasetArtifactIds[${index}]`, message: reason };
    }
    return { field: '', message: reason };
  });
}
