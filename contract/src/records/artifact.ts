import { z } from 'zod';
import { commitment, dateTime, issueAt, label, list, oneOf, recordId, sha256Hex } from './fields';
import { newRecordId } from './record-id';

export const ARTIFACT_KINDS = ['dataset', 'model', 'other'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/**
 * Where the artifact can be fetched: an absolute URI with a scheme, no whitespace. The whitespace is
 * ECMAScript's `\s`, spelled out: Python's `re` reads `\s` differently (it adds U+001C–U+001F and
 * U+0085, lacks U+FEFF), and the pattern is published in the OpenAPI document.
 */
const uri = () =>
  z
    .string({ error: 'must be a string' })
    .max(2048, 'must be 1 to 2048 characters')
    .regex(
      /^[A-Za-z][A-Za-z0-9+.-]*:[^\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+$/,
      'must be an absolute URI such as s3://bucket/key',
    );

const artifactFields = {
  id: newRecordId(),
  kind: oneOf(ARTIFACT_KINDS),
  name: label(128),
  version: label(64),
  sha256: sha256Hex(),
  uri: uri().optional(),
  parents: list(recordId(), { maxItems: 100, unique: true })
    .optional()
    .describe("lineage: artifacts this one was derived from (a fine-tuned model's base model), by qualified id"),
  consentIds: list(recordId(), { maxItems: 1000, unique: true })
    .optional()
    .describe("consents (qualified ids) under which a dataset's subjects' data may be used; checked by training runs"),
};

/** The rule between fields that JSON Schema cannot state, in words for the OpenAPI document. */
export const ARTIFACT_RELATION_RULES = [
  "`parents` must not contain the artifact's own `id` (a bare id names the registering org's artifact: `ds-1` and `<its MSP id>:ds-1` are one)",
] as const;

/** An artifact as a client registers it; an artifact cannot be its own parent. */
export const artifactInputSchema = z
  .strictObject(artifactFields)
  .superRefine((artifact, context) => {
    if (artifact.parents?.includes(artifact.id) === true)
      issueAt(context, 'parents', "must not contain the artifact's own id");
  })
  .meta({ 'x-rules': [...ARTIFACT_RELATION_RULES] });
export type ArtifactInput = z.output<typeof artifactInputSchema>;
export const ARTIFACT_INPUT_FIELDS = Object.keys(artifactFields) as (keyof ArtifactInput)[];

export const storedArtifactSchema = z.object({
  ...artifactFields,
  registeredBy: z.string().describe('registering org (MSP id), from the certificate'),
  registeredByUser: z.string(),
  txId: z.string(),
  txTime: z.string(),
});
export type StoredArtifact = ArtifactInput & {
  readonly registeredBy: string;
  readonly registeredByUser: string;
  readonly txId: string;
  readonly txTime: string;
};

const trainingRunFields = {
  id: newRecordId(),
  modelArtifactId: recordId().describe("the model's qualified artifact id ('<MSP id>:<local>')"),
  datasetArtifactIds: list(recordId(), { minItems: 1, maxItems: 100, unique: true }).describe(
    "the datasets' qualified artifact ids, e.g. another org's 'HospitalAMSP:ds-1'",
  ),
  startTime: dateTime().optional().describe('when training is planned to start, as declared by the client'),
  notesCommitment: commitment()
    .optional()
    .describe('commitment to notes kept off-chain (no free text on the shared ledger)'),
};

/** A training run as a client declares it, before training. */
export const trainingRunInputSchema = z.strictObject(trainingRunFields);
export type TrainingRunInput = z.output<typeof trainingRunInputSchema>;
export const TRAINING_RUN_INPUT_FIELDS = Object.keys(trainingRunFields) as (keyof TrainingRunInput)[];

export const datasetConsentCoverageSchema = z.object({
  datasetArtifactId: z.string(),
  consentIds: z.array(z.string()),
});
export type DatasetConsentCoverage = z.output<typeof datasetConsentCoverageSchema>;

export const storedTrainingRunSchema = z.object({
  ...trainingRunFields,
  org: z.string().describe('declaring org (MSP id), from the certificate'),
  recordedBy: z.string(),
  txId: z.string(),
  txTime: z.string(),
  consentCoverage: z.array(datasetConsentCoverageSchema),
});
export type StoredTrainingRun = TrainingRunInput & {
  readonly org: string;
  readonly recordedBy: string;
  readonly txId: string;
  readonly txTime: string;
  readonly consentCoverage: readonly DatasetConsentCoverage[];
};
