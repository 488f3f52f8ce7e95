import { ValidationError, granteesJudgedFor, type ConsentVerdict, type StoredConsent } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';
import { readReceipt } from '../subjects/erasure-receipt';
import { subjectErasedReason } from '../subjects/subject-ownership';
import { requireMayAskAboutConsent } from './consent-access';
import { consentStatus, momentTime, type ConsentMoment } from './consent-status';
import { consentsOfSubject, readConsent } from './consent-store';

/**
 * What a caller asks: may the use on behalf of `grantees` (an org, and that org's application —
 * the contract's `recordingGrantees` / `granteesJudgedFor`) of the subject's data, or of data under
 * `consentId`, for `purpose` happen at `moment`?
 */
export interface ConsentRequest {
  readonly subjectRef?: string | undefined;
  readonly consentId?: string | undefined;
  readonly purpose: string;
  readonly grantees: readonly string[];
  readonly moment: ConsentMoment;
}

/**
 * Judges a use of a data subject's data against the consents on the ledger. An erased subject (its
 * erasure receipt exists) allows nothing. With `consentId`, that consent must exist, belong to the
 * subject (when named), cover purpose and a grantee, be active and permit; without it, the
 * subject's consents are searched. Either way a matching active deny of the subject wins over any
 * permit. A consent names an org by MSP id and an application as `<MSP id>:<applicationId>`; only
 * those exact names match.
 *
 * @example
 * const verdict = await evaluateConsent(ctx, { subjectRef: 'HospitalAMSP:sub_1', purpose: 'ai-inference', grantees: ['AIProviderMSP'], moment: { now: txTime(ctx) } });
 */
export async function evaluateConsent(ctx: Context, request: ConsentRequest): Promise<ConsentVerdict> {
  const time = momentTime(request.moment);
  if (Number.isNaN(Date.parse(time)))
    throw new ValidationError([{ path: 'at', rule: 'must be an RFC 3339 date-time' }]);
  const who = request.grantees.join(' or ');
  const named = request.consentId === undefined ? undefined : await readConsent(ctx, request.consentId);
  const subjectRef = request.subjectRef ?? named?.subjectRef;
  const receipt = subjectRef === undefined ? undefined : await readReceipt(ctx, subjectRef);
  if (receipt !== undefined)
    return {
      allowed: false,
      ...(request.consentId === undefined ? {} : { consentId: request.consentId }),
      reason: subjectErasedReason(receipt),
    };

  // The subject's denies count whether the request names the subject or only one of its consents.
  const subjectConsents = subjectRef === undefined ? [] : await consentsOfSubject(ctx, subjectRef);
  const denial = subjectConsents.find((consent) => consent.decision === 'deny' && appliesAt(consent, request));
  if (denial !== undefined)
    return {
      allowed: false,
      consentId: denial.id,
      reason: `consent ${denial.id} denies ${request.purpose} for ${who}`,
    };
  if (request.consentId !== undefined) return judgeNamedConsent(request, request.consentId, named, who);
  if (request.subjectRef === undefined) return { allowed: false, reason: 'neither subjectRef nor consentId was given' };

  const permit = subjectConsents.find((consent) => consent.decision === 'permit' && appliesAt(consent, request));
  if (permit !== undefined)
    return {
      allowed: true,
      consentId: permit.id,
      reason: `consent ${permit.id} permits ${request.purpose} for ${who}`,
    };
  const covering = subjectConsents.filter((consent) => covers(consent, request));
  if (covering.length === 0)
    return { allowed: false, reason: `no consent of the subject covers ${request.purpose} for ${who}` };
  const states = covering
    .map((consent) => `${consent.id} is ${consentStatus(consent, request.moment, false)}`)
    .join(', ');
  return {
    allowed: false,
    reason: `no active consent of the subject covers ${request.purpose} for ${who} (${states})`,
  };
}

/** A `CheckConsent` question: the subject, the purpose, the one grantee asked about, and when. */
export interface ConsentQuestion {
  readonly subjectRef: string;
  readonly purpose: string;
  /** An MSP id, or an application as `<MSP id>:<applicationId>` (judged as {@link granteesJudgedFor}). */
  readonly grantee: string;
  readonly moment: ConsentMoment;
}

/**
 * `CheckConsent`'s answer to `caller`: the verdict of {@link evaluateConsent}, with the deciding
 * consent and the detailed reason. Refused with ACCESS_DENIED, before anything is read, unless the
 * caller may ask ({@link requireMayAskAboutConsent}: configured auditors, the subject's owner, or an
 * org asking for itself); so the refusal is the same whether the subject exists or not, and every
 * caller answered may read every consent the reason can name.
 */
export async function checkConsentFor(
  ctx: Context,
  caller: Caller,
  question: ConsentQuestion,
): Promise<ConsentVerdict> {
  requireMayAskAboutConsent(caller, question.subjectRef, question.grantee);
  return evaluateConsent(ctx, {
    subjectRef: question.subjectRef,
    purpose: question.purpose,
    grantees: granteesJudgedFor(question.grantee),
    moment: question.moment,
  });
}

function judgeNamedConsent(
  request: ConsentRequest,
  consentId: string,
  consent: StoredConsent | undefined,
  who: string,
): ConsentVerdict {
  if (consent === undefined) return { allowed: false, consentId, reason: `consent ${consentId} does not exist` };
  if (request.subjectRef !== undefined && consent.subjectRef !== request.subjectRef) {
    return { allowed: false, consentId, reason: `consent ${consentId} is for another subject` };
  }
  if (!consent.purposes.includes(request.purpose))
    return { allowed: false, consentId, reason: `consent ${consentId} does not cover ${request.purpose}` };
  if (!namesAnyGrantee(consent, request.grantees))
    return { allowed: false, consentId, reason: `consent ${consentId} does not name ${who}` };
  const status = consentStatus(consent, request.moment, false);
  if (status !== 'active')
    return { allowed: false, consentId, reason: `consent ${consentId} is ${status} at ${momentTime(request.moment)}` };
  if (consent.decision === 'deny')
    return { allowed: false, consentId, reason: `consent ${consentId} denies ${request.purpose} for ${who}` };
  return { allowed: true, consentId, reason: `consent ${consentId} permits ${request.purpose} for ${who}` };
}

function namesAnyGrantee(consent: StoredConsent, grantees: readonly string[]): boolean {
  return grantees.some((grantee) => consent.grantees.includes(grantee));
}

function covers(consent: StoredConsent, request: ConsentRequest): boolean {
  return consent.purposes.includes(request.purpose) && namesAnyGrantee(consent, request.grantees);
}

function appliesAt(consent: StoredConsent, request: ConsentRequest): boolean {
  return covers(consent, request) && consentStatus(consent, request.moment, false) === 'active';
}
