import { z } from 'zod';
import { commitment, dateTime, issueAt, label, list, oneOf, recordId } from './fields';
import { newRecordId } from './record-id';
import { orgNamespaced, orgNamespaceOf } from './org-namespace';
import { DATA_CATEGORIES, PURPOSES, dataCategory, purpose, storedVocabularyValue, type Purpose } from './vocabularies';

/** The purpose every dataset's consents must cover before a model may be trained on it. */
export const TRAINING_PURPOSE = 'model-training' satisfies Purpose;

export const CONSENT_DECISIONS = ['permit', 'deny'] as const;

/** ISO 3166-1 alpha-2 country (or `EU`), optionally with an ISO 3166-2 subdivision, e.g. `DE`, `US-CA`. */
const jurisdiction = () =>
  z
    .string({ error: 'must be a string' })
    .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be an ISO 3166 code such as DE or US-CA');

export const consentPeriodSchema = z.strictObject({ start: dateTime(), end: dateTime().optional() });

const consentFields = {
  id: newRecordId(),
  subjectRef: recordId().describe('pseudonymous subject reference (from the subject registry)'),
  grantees: list(recordId(), { minItems: 1, maxItems: 32, unique: true }).describe(
    "who the consent allows or forbids: an org by MSP id (`AIProviderMSP`), one org's application as `<MSP id>:<applicationId>` (`HospitalAMSP:triage-app`); a bare application id matches nothing",
  ),
  decision: oneOf(CONSENT_DECISIONS),
  purposes: list(purpose(), { minItems: 1, maxItems: 16, unique: true }),
  dataCategories: list(dataCategory(), { maxItems: 32, unique: true }).optional(),
  period: consentPeriodSchema,
  policyCommitment: commitment().describe('commitment to the signed consent document kept off-chain'),
  jurisdiction: jurisdiction().optional(),
  collectionMethod: label(64).optional(),
};

/** A consent as its controller submits it (`GrantConsent`); the period's end, when given, comes after its start. */
export const consentInputSchema = z
  .strictObject(consentFields)
  .superRefine((consent, context) => {
    if (consent.period.end !== undefined && Date.parse(consent.period.end) <= Date.parse(consent.period.start)) {
      issueAt(context, 'period.end', 'must be after period.start');
    }
  })
  // JSON Schema cannot compare two date-times: the rule is stated in words.
  .meta({ 'x-rules': ['`period.end`, when given, must be after `period.start`'] });
export type ConsentInput = z.output<typeof consentInputSchema>;

/** The field names a client supplies: the part of a stored consent that idempotency compares. */
export const CONSENT_INPUT_FIELDS = Object.keys(consentFields) as (keyof ConsentInput)[];

/**
 * Why a consent was revoked: a code from a closed list, never free text (the ledger is shared by
 * every member and cannot forget; an explanation belongs in the controller's own records).
 */
export const REVOCATION_REASONS = [
  'subject-request',
  'withdrawn-by-controller',
  'expired-policy',
  'entered-in-error',
  'legal-requirement',
  'other',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** `RevokeConsent`'s reason. */
export const revocationReasonSchema = oneOf(REVOCATION_REASONS);

/**
 * The grantees a use is judged for when org `mspId` uses data through its application
 * `applicationId`: the org itself and that org's application, both from the caller's certificate
 * org — never the application id alone, which any member could claim.
 *
 * @example
 * recordingGrantees('HospitalAMSP', 'triage-app') // ['HospitalAMSP', 'HospitalAMSP:triage-app']
 */
export function recordingGrantees(mspId: string, applicationId: string): [string, string] {
  return [mspId, orgNamespaced(mspId, applicationId)];
}

/**
 * The grantees a `CheckConsent` question about `grantee` is judged for: an application grantee
 * (`<MSP id>:<applicationId>`) is covered by its org's consents too, exactly as a recording is.
 *
 * @example
 * granteesJudgedFor('HospitalAMSP:triage-app') // ['HospitalAMSP', 'HospitalAMSP:triage-app']
 * granteesJudgedFor('AIProviderMSP')           // ['AIProviderMSP']
 */
export function granteesJudgedFor(grantee: string): string[] {
  const org = orgNamespaceOf(grantee);
  return org === undefined ? [grantee] : [org, grantee];
}

/** A consent as stored and returned. */
export const storedConsentSchema = z.object({
  ...consentFields,
  // Consents granted before the vocabularies were closed keep their labels.
  purposes: z.array(storedVocabularyValue(PURPOSES)),
  dataCategories: z.array(storedVocabularyValue(DATA_CATEGORIES)).optional(),
  controller: z.string().describe('granting org (MSP id), from the certificate'),
  grantedBy: z.string(),
  grantedAt: z.string(),
  txId: z.string(),
  revokedAt: z.string().optional(),
  revokedBy: z.string().optional(),
  revocationReason: oneOf(REVOCATION_REASONS).optional(),
  revocationTxId: z.string().optional(),
});
/** A stored consent; its labels are plain strings, since consents granted before the vocabularies may hold any. */
export type StoredConsent = Omit<ConsentInput, 'purposes' | 'dataCategories'> & {
  readonly purposes: string[];
  readonly dataCategories?: string[] | undefined;
  readonly controller: string;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly txId: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  readonly revocationReason?: RevocationReason;
  readonly revocationTxId?: string;
};
