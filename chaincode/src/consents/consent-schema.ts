import { ValidationError } from '../errors';
import { array, check, commitment, dateTime, id, label, object, oneOf, optional, string, type ObjectOf } from '../validation/rules';

/** Largest accepted `consent` argument: a consent is metadata only, never the signed document. */
export const MAX_CONSENT_BYTES = 16 * 1024;

/** Longest accepted revocation reason: enough for a short explanation, too short for a document. */
export const MAX_REVOCATION_REASON_LENGTH = 256;

/** Purposes the ecosystem uses; the vocabulary stays open (any label), these are just the common ones. */
export const WELL_KNOWN_PURPOSES = ['treatment', 'ai-inference', 'model-training', 'research'] as const;

/** ISO 3166-1 alpha-2 country (or `EU`), optionally with an ISO 3166-2 subdivision, e.g. `DE`, `US-CA`. */
const jurisdiction = string({ pattern: /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, maxLength: 6, describe: 'must be an ISO 3166 code such as DE or US-CA' });

const consentShape = {
  id: id(),
  subjectRef: id(),
  /** MSP ids (`AIProviderMSP`) or application ids that the consent allows or forbids. */
  grantees: array(id(), { minItems: 1, maxItems: 32, unique: true }),
  decision: oneOf(['permit', 'deny'] as const),
  purposes: array(label(64), { minItems: 1, maxItems: 16, unique: true }),
  dataCategories: optional(array(label(64), { maxItems: 32, unique: true })),
  period: object({ start: dateTime(), end: optional(dateTime()) }),
  policyCommitment: commitment(),
  jurisdiction: optional(jurisdiction),
  collectionMethod: optional(label(64)),
};

/** A consent as its controller submits it (`GrantConsent`). */
export type ConsentInput = ObjectOf<typeof consentShape>;

const consentRule = object(consentShape);

/**
 * Checks a consent strictly (unknown fields refused, every failing field named); the period's end,
 * when given, must come after its start.
 */
export function checkConsentInput(value: unknown): ConsentInput {
  const consent = check(consentRule, value);
  if (consent.period.end !== undefined && Date.parse(consent.period.end) <= Date.parse(consent.period.start)) {
    throw new ValidationError([{ path: 'period.end', rule: 'must be after period.start' }]);
  }
  return consent;
}

/** The field names a client supplies: the part of a stored consent that idempotency compares. */
export const CONSENT_INPUT_FIELDS = Object.keys(consentShape) as (keyof ConsentInput)[];

/** A consent as stored on the ledger: the input plus what only the ledger can say. */
export interface StoredConsent extends ConsentInput {
  /** The granting org's MSP id, from the caller's certificate. */
  readonly controller: string;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly txId: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  readonly revocationReason?: string;
  readonly revocationTxId?: string;
}

/** Revocation reasons: bounded, printable text (no control characters). */
export const revocationReason = string({
  pattern: /^[^\p{Cc}]+$/u,
  maxLength: MAX_REVOCATION_REASON_LENGTH,
  describe: 'must not contain control characters',
});
