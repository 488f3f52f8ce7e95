import { z } from 'zod';
import { oneOf } from './fields';

/**
 * Closed vocabularies for the labels that describe data about people. The ledger is shared by every
 * member and cannot forget, so these fields take a code from a list, never a label a member chose:
 * a name spelled into a purpose, data category or review label is refused (`INVALID_ARGUMENT` in
 * the chaincode, `400` at the REST app), and the message lists the allowed values.
 *
 * Records written before the vocabularies were closed keep whatever label they hold: reads never
 * re-validate stored records.
 */

/**
 * Purposes of use (consent `purposes`, interaction `purpose`), in kebab-case, modelled on HL7 v3
 * PurposeOfUse (`TREAT`, `ETREAT`, `COC`, `HPAYMT`, `HOPERAT`, `HRESCH`, `CLINTRCH`, `PUBHLTH`,
 * `HLEGAL`, `PATRQT`) plus the AI uses this ledger exists for.
 */
export const PURPOSES = [
  'treatment',
  'emergency-treatment',
  'care-coordination',
  'payment',
  'operations',
  'research',
  'clinical-trial-research',
  'public-health',
  'legal',
  'patient-request',
  'ai-inference',
  'model-training',
  'model-evaluation',
] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Categories of the data a consent covers or an interaction used (`dataCategories`). */
export const DATA_CATEGORIES = [
  'demographics',
  'diagnoses',
  'procedures',
  'medications',
  'allergies',
  'immunizations',
  'labs',
  'imaging',
  'vital-signs',
  'clinical-notes',
  'genomics',
  'mental-health',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** Outcomes of reviewing an AI interaction (annotation `labels`). */
export const ANNOTATION_LABELS = [
  'correct',
  'incorrect',
  'incomplete',
  'hallucination',
  'unsafe',
  'bias',
  'privacy-leak',
  'off-topic',
  'outdated',
  'review-needed',
] as const;
export type AnnotationLabel = (typeof ANNOTATION_LABELS)[number];

/** One purpose of {@link PURPOSES}. */
export const purpose = () => oneOf(PURPOSES);

/** One data category of {@link DATA_CATEGORIES}. */
export const dataCategory = () => oneOf(DATA_CATEGORIES);

/** One review label of {@link ANNOTATION_LABELS}. */
export const annotationLabel = () => oneOf(ANNOTATION_LABELS);

/**
 * A vocabulary field as a stored record holds it: a value of `values` for records written since the
 * vocabulary was closed, any label for older ones (reads return stored records as they are).
 */
export const storedVocabularyValue = (values: readonly string[]) =>
  z
    .string()
    .describe(`one of ${values.join(', ')}; a record written before this vocabulary was closed may hold another label`);
