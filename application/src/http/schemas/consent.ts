import {
  consentFilterSchema,
  consentViewSchema,
  dateTime,
  label,
  recordId,
  revocationReasonSchema,
} from '@aal/ledger-contract';
import { z } from 'zod';
import { pageQueryShape } from './paging';

/** A consent as the ledger answers it: the stored consent plus its status at the time of the read. */
export const consentResponseSchema = consentViewSchema.describe('a consent as stored on the ledger');

export const consentHistorySchema = z.object({
  records: z.array(
    z.looseObject({
      txId: z.string(),
      txTime: z.string(),
      blockNumber: z.string().describe('the block that committed this version'),
      change: z.enum(['grant', 'revocation']).describe('what this version recorded'),
      isDelete: z.boolean(),
      consent: consentResponseSchema.nullable().optional(),
    }),
  ),
});

export const revokeConsentRequestSchema = z.strictObject({
  reason: revocationReasonSchema.describe('why, as a reason code (no free text: the ledger is shared)'),
});

export const consentCheckQuerySchema = z.strictObject({
  subjectRef: recordId(),
  purpose: label(64),
  grantee: recordId().describe(
    "who wants to use the data: an MSP id, or an org's application as <MSP id>:<applicationId>",
  ),
  at: dateTime().optional().describe('the moment to judge (default: the time of the query)'),
});

export const consentCheckSchema = z.object({
  allowed: z.boolean(),
  consentId: z.string().optional().describe('the consent that decided'),
  reason: z.string(),
});

/** `GET …/consents`: the contract's filter, paged by `pageSize` and `cursor` query parameters. */
export const consentQuerySchema = z.strictObject({
  by: consentFilterSchema.shape.by,
  value: consentFilterSchema.shape.value,
  status: consentFilterSchema.shape.status,
  ...pageQueryShape,
});

export const fhirConsentSchema = z
  .looseObject({ resourceType: z.literal('Consent') })
  .describe('HL7 FHIR R5 Consent resource');
