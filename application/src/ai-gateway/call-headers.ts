import { clearReferenceFields, interactionFields } from '@aal/ledger-contract';
import { z } from 'zod';
import { HttpProblem } from '../http/problem';

/**
 * The optional request headers that carry the interaction's references, each validated with the
 * contract's rule for the record field it fills (an invalid one is a 400 before anything goes upstream).
 */
export const CALL_HEADERS = {
  subjectRef: 'x-aal-subject-ref',
  purpose: 'x-aal-purpose',
  actorRef: 'x-aal-actor-ref',
  consentId: 'x-aal-consent-id',
  conversationId: 'x-aal-conversation-id',
} as const;

const callHeadersSchema = z.strictObject({
  subjectRef: interactionFields.subjectRef,
  purpose: interactionFields.purpose,
  actorRef: clearReferenceFields.actorRef,
  consentId: interactionFields.consentId,
  conversationId: clearReferenceFields.conversationId,
});
/** The references a call names; absent headers are absent fields. */
export type CallReferences = z.output<typeof callHeadersSchema>;

/**
 * Reads the `x-aal-*` headers into record fields.
 *
 * @throws HttpProblem 400 naming each invalid header, or `x-aal-purpose` when a subject or consent is named without it
 */
export function callReferences(headers: Readonly<Record<string, string | string[] | undefined>>): CallReferences {
  const raw: Record<string, string> = {};
  const errors: { field: string; message: string }[] = [];
  for (const [field, header] of Object.entries(CALL_HEADERS)) {
    const value = headers[header];
    if (value === undefined) continue;
    if (Array.isArray(value)) errors.push({ field: header, message: 'must be given once' });
    else raw[field] = value;
  }
  const parsed = callHeadersSchema.safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      errors.push({ field: CALL_HEADERS[issue.path[0] as keyof typeof CALL_HEADERS], message: issue.message });
  const references = parsed.success ? parsed.data : {};
  // The contract's rule between fields (checkInteractionRelations): a subject or consent needs a purpose.
  if (
    errors.length === 0 &&
    (references.subjectRef !== undefined || references.consentId !== undefined) &&
    references.purpose === undefined
  )
    errors.push({
      field: CALL_HEADERS.purpose,
      message: `is required with ${CALL_HEADERS.subjectRef} or ${CALL_HEADERS.consentId}`,
    });
  if (errors.length > 0)
    throw new HttpProblem(400, 'Invalid request headers', 'one or more x-aal-* headers are invalid', { errors });
  return references;
}
