import type { ContractErrorPayload } from './errors/contract-error';

/**
 * How the chaincode says that a subject was erased (its key destroyed) rather than never
 * registered: both are `NOT_FOUND`, but a client must tell them apart (an erased subject's
 * commitments are unverifiable for good; an unknown one is a wrong reference).
 */
export const SUBJECT_ERASED_REASON = 'erased';

/** The refusal `Subjects:GetSubjectKey` throws for an erased subject. */
export function subjectErasedRefusal(subjectRef: string): ContractErrorPayload {
  return {
    code: 'NOT_FOUND',
    message: `subject ${subjectRef} erased`,
    reasons: [{ path: 'subjectRef', reason: SUBJECT_ERASED_REASON }],
  };
}

/** True when a decoded refusal says the subject was erased. */
export function isSubjectErasedRefusal(payload: Pick<ContractErrorPayload, 'code' | 'reasons'>): boolean {
  return (
    payload.code === 'NOT_FOUND' && (payload.reasons ?? []).some((reason) => reason.reason === SUBJECT_ERASED_REASON)
  );
}
