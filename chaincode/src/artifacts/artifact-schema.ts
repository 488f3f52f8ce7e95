import { ValidationError } from '../errors';
import { array, check, id, label, object, oneOf, optional, sha256Hex, string, type ObjectOf } from '../validation/rules';

/** Largest accepted `artifact` argument (a thousand consent ids fit comfortably). */
export const MAX_ARTIFACT_BYTES = 64 * 1024;

export const ARTIFACT_KINDS = ['dataset', 'model', 'other'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Where the artifact can be fetched: an absolute URI with a scheme, no whitespace. */
const uri = string({ pattern: /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, maxLength: 2048, describe: 'must be an absolute URI such as s3://bucket/key' });

const artifactShape = {
  id: id(),
  kind: oneOf(ARTIFACT_KINDS),
  name: label(128),
  version: label(64),
  sha256: sha256Hex(),
  uri: optional(uri),
  /** Lineage: artifacts this one was derived from (a fine-tuned model's base model, a dataset's source). */
  parents: optional(array(id(), { maxItems: 100, unique: true })),
  /** Consents under which a dataset's subjects' data may be used; checked by training runs. */
  consentIds: optional(array(id(), { maxItems: 1000, unique: true })),
};

/** An artifact as a client registers it. */
export type ArtifactInput = ObjectOf<typeof artifactShape>;

/** The fields a client supplies: what write-once idempotency compares. */
export const ARTIFACT_INPUT_FIELDS = Object.keys(artifactShape) as (keyof ArtifactInput)[];

/** An artifact as stored: the input plus what only the ledger can say. */
export interface StoredArtifact extends ArtifactInput {
  /** MSP id of the registering org, from the caller's certificate. */
  readonly registeredBy: string;
  /** Enrollment id of the registering application user. */
  readonly registeredByUser: string;
  readonly txId: string;
  readonly txTime: string;
}

/** Checks an artifact strictly; an artifact cannot be its own parent. */
export function checkArtifactInput(value: unknown): ArtifactInput {
  const artifact = check(object(artifactShape), value);
  if (artifact.parents?.includes(artifact.id)) throw new ValidationError([{ path: 'parents', rule: "must not contain the artifact's own id" }]);
  return artifact;
}
