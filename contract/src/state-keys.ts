/**
 * The object types of the chaincode's composite world-state keys that hold records. The chaincode
 * writes records under them; clients that read records out of blocks' write sets (the audit index,
 * the proof verifier) recognise them by the same names.
 */
export const STATE_KEY_TYPES = {
  /** A single (or gathered) interaction: `interaction ∘ id`, the stored record (no query index entries since the lean layout). */
  interaction: 'interaction',
  /** A Merkle batch's header: `batch ∘ batchId`. */
  batch: 'batch',
  /**
   * One record of a Merkle batch: `batched-interaction ∘ id`. Lean layout: a marker `{ batchId, leafIndex,
   * leafHash, consentCheck? }` (the record stays in the transaction's arguments); previous layout: the
   * record with its batch and leaf, still read.
   */
  batchedInteraction: 'batched-interaction',
  /** A consent: `consent ∘ id`, rewritten by its revocation (its key history is the consent's history). */
  consent: 'consent',
  /** An annotation of an interaction: `annotation ∘ interactionId ∘ annotationId`. */
  annotation: 'annotation',
  /** A registered artifact (dataset, model…): `artifact ∘ id`. */
  artifact: 'artifact',
  /** A declared training run: `training-run ∘ id`. */
  trainingRun: 'training-run',
  /** A subject's erasure receipt: `erasure-receipt ∘ subjectRef`. */
  erasureReceipt: 'erasure-receipt',
} as const;

/** Fabric's composite-key delimiter (`shim.createCompositeKey`): before the type and after each part. */
const DELIMITER = '\u0000';

/**
 * A composite key's type and attributes, as Fabric builds them (`U+0000 type U+0000 a U+0000 b U+0000`);
 * `undefined` for a simple key.
 *
 * @example
 * compositeKeyParts('\u0000batch\u0000abc\u0000') // { type: 'batch', attributes: ['abc'] }
 */
export function compositeKeyParts(key: string): { type: string; attributes: string[] } | undefined {
  if (!key.startsWith(DELIMITER) || !key.endsWith(DELIMITER) || key.length < 2) return undefined;
  const [type, ...attributes] = key.slice(1, -1).split(DELIMITER);
  return type === undefined ? undefined : { type, attributes };
}
