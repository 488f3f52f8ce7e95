import type { ConsentStatus, Purpose, StoredConsent } from '@aal/ledger-contract';

/**
 * HL7 FHIR R5 `Consent` for a ledger consent (http://hl7.org/fhir/R5/consent.html). Everything is a
 * logical reference (identifier system + value): the ledger knows subjects only by their pseudonymous
 * `subjectRef` and orgs by MSP id, not by FHIR resource ids. The mapping is documented in
 * docs/data-model.md.
 */
export interface FhirIdentifier {
  system: string;
  value: string;
}
export interface FhirReference {
  type?: string;
  identifier: FhirIdentifier;
}
export interface FhirCoding {
  system: string;
  code: string;
  display?: string;
}
export interface FhirConsent {
  resourceType: 'Consent';
  id?: string;
  meta: { lastUpdated: string };
  identifier: FhirIdentifier[];
  status: 'active' | 'inactive';
  category: { coding: FhirCoding[] }[];
  subject: FhirReference;
  date: string;
  period: { start: string; end?: string };
  grantor: FhirReference[];
  grantee: FhirReference[];
  controller: FhirReference[];
  sourceReference: FhirReference[];
  decision: 'permit' | 'deny';
  provision: {
    period: { start: string; end?: string };
    actor: { role: { coding: FhirCoding[] }; reference: FhirReference }[];
    purpose: FhirCoding[];
    code?: { coding: FhirCoding[] }[];
  }[];
  extension?: ({ url: string; valueCode: string } | { url: string; valueString: string })[];
}

/** Naming systems for the ledger's own identifiers (URNs: they need no resolvable host). */
export const FHIR_SYSTEMS = {
  consentId: 'urn:aal:consent-id',
  subjectRef: 'urn:aal:subject-ref',
  mspId: 'urn:aal:msp-id',
  grantee: 'urn:aal:grantee',
  policyCommitment: 'urn:aal:policy-commitment',
  purpose: 'urn:aal:purpose',
  dataCategory: 'urn:aal:data-category',
  jurisdiction: 'urn:aal:StructureDefinition/jurisdiction',
  collectionMethod: 'urn:aal:StructureDefinition/collection-method',
} as const;

const V3_ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const hl7 = (code: string, display: string): FhirCoding => ({ system: V3_ACT_REASON, code, display });

/** Purposes with a standard HL7 v3 PurposeOfUse code; the AI purposes keep the ledger's own code system. */
// Keyed by string: stored consents from before the vocabulary may hold any purpose.
const HL7_PURPOSES: Readonly<Record<string, FhirCoding>> = {
  treatment: hl7('TREAT', 'treatment'),
  'emergency-treatment': hl7('ETREAT', 'emergency treatment'),
  'care-coordination': hl7('COC', 'coordination of care'),
  payment: hl7('HPAYMT', 'healthcare payment'),
  operations: hl7('HOPERAT', 'healthcare operations'),
  research: hl7('HRESCH', 'healthcare research'),
  'clinical-trial-research': hl7('CLINTRCH', 'clinical trial research'),
  'public-health': hl7('PUBHLTH', 'public health'),
  legal: hl7('HLEGAL', 'legal'),
  'patient-request': hl7('PATRQT', 'patient requested'),
} satisfies Partial<Record<Purpose, FhirCoding>>;

/** FHIR resource ids are `[A-Za-z0-9-.]{1,64}`; ledger ids that do not fit appear only as identifiers. */
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/**
 * Maps a stored consent and its derived status to a FHIR R5 Consent. Revoked, expired, erased
 * (the subject was erased) and not-yet-granted consents are `inactive`; a pending one (period not
 * yet started) is `active` and its period says from when.
 */
export function toFhirConsent(consent: StoredConsent, status: ConsentStatus): FhirConsent {
  const subject: FhirReference = {
    type: 'Patient',
    identifier: { system: FHIR_SYSTEMS.subjectRef, value: consent.subjectRef },
  };
  const period =
    consent.period.end === undefined
      ? { start: consent.period.start }
      : { start: consent.period.start, end: consent.period.end };
  const grantees = consent.grantees.map((grantee): FhirReference => ({
    identifier: { system: FHIR_SYSTEMS.grantee, value: grantee },
  }));
  const extension = [
    ...(consent.jurisdiction === undefined
      ? []
      : [{ url: FHIR_SYSTEMS.jurisdiction, valueCode: consent.jurisdiction }]),
    ...(consent.collectionMethod === undefined
      ? []
      : [{ url: FHIR_SYSTEMS.collectionMethod, valueString: consent.collectionMethod }]),
  ];
  const resource: FhirConsent = {
    resourceType: 'Consent',
    ...(FHIR_ID.test(consent.id) ? { id: consent.id } : {}),
    meta: { lastUpdated: consent.revokedAt ?? consent.grantedAt },
    identifier: [{ system: FHIR_SYSTEMS.consentId, value: consent.id }],
    status: status === 'active' || status === 'pending' ? 'active' : 'inactive',
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    subject,
    // FHIR `date` is a date, not a date-time: the UTC day of the grant.
    date: consent.grantedAt.slice(0, 10),
    period,
    grantor: [subject],
    grantee: grantees,
    controller: [{ type: 'Organization', identifier: { system: FHIR_SYSTEMS.mspId, value: consent.controller } }],
    sourceReference: [
      {
        type: 'DocumentReference',
        identifier: { system: FHIR_SYSTEMS.policyCommitment, value: consent.policyCommitment },
      },
    ],
    decision: consent.decision,
    provision: [
      {
        period,
        actor: grantees.map((reference) => ({
          role: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                code: 'IRCP',
                display: 'information recipient',
              },
            ],
          },
          reference,
        })),
        purpose: consent.purposes.map(
          (purpose) => HL7_PURPOSES[purpose] ?? { system: FHIR_SYSTEMS.purpose, code: purpose },
        ),
        ...(consent.dataCategories === undefined || consent.dataCategories.length === 0
          ? {}
          : {
              code: consent.dataCategories.map((category) => ({
                coding: [{ system: FHIR_SYSTEMS.dataCategory, code: category }],
              })),
            }),
      },
    ],
    ...(extension.length === 0 ? {} : { extension }),
  };
  return resource;
}
