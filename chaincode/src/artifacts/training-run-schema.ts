import { array, check, dateTime, id, object, optional, string, type ObjectOf } from '../validation/rules';

export const MAX_TRAINING_RUN_BYTES = 16 * 1024;

/** The purpose every dataset's consents must cover before a model may be trained on it. */
export const TRAINING_PURPOSE = 'model-training';

const trainingRunShape = {
  id: id(),
  modelArtifactId: id(),
  datasetArtifactIds: array(id(), { minItems: 1, maxItems: 100, unique: true }),
  /** When training is planned to start, as declared by the client. */
  startTime: optional(dateTime()),
  /** Free text on the shared ledger: must never hold personal data. */
  notes: optional(string({ pattern: /^[^\p{Cc}]+$/u, maxLength: 1024, describe: 'must not contain control characters' })),
};

/** A training run as a client declares it, before training. */
export type TrainingRunInput = ObjectOf<typeof trainingRunShape>;

export const TRAINING_RUN_INPUT_FIELDS = Object.keys(trainingRunShape) as (keyof TrainingRunInput)[];

/** Which consents covered one dataset when the run was accepted. */
export interface DatasetConsentCoverage {
  readonly datasetArtifactId: string;
  readonly consentIds: readonly string[];
}

/** A training run as stored: accepted only with every dataset's consents covering training. */
export interface StoredTrainingRun extends TrainingRunInput {
  /** MSP id of the org that declared the run (the consents' grantee), from its certificate. */
  readonly org: string;
  readonly recordedBy: string;
  readonly txId: string;
  readonly txTime: string;
  readonly consentCoverage: readonly DatasetConsentCoverage[];
}

export function checkTrainingRunInput(value: unknown): TrainingRunInput {
  return check(object(trainingRunShape), value);
}
