import type { Context } from 'fabric-contract-api';
import { ValidationError } from '../errors';
import type { StoredConsent } from './consent-schema';
import { consentStatusAt } from './consent-status';
import { consentsOfSubject, readConsent } from './consent-store';

/** What a caller asks: may `grantee` use the subject's data (or data under `consentId`) for `purpose` at `at`? */
export interface ConsentRequest {
  subjectRef?: string;
  consentId?: string;
  purpose: string;
  grantee: string;
  /** RFC 3339; normally the transaction time. */
  at: string;
}

/** The ledger's answer; `consentId` names the consent that decided it, when one did. */
export interface ConsentVerdict {
  allowed: boolean;
  consentId?: string;
  reason: string;
}

/** As {@link ConsentRequest}, for a use that any of several grantees (an org and its application) may be named for. */
export interface ConsentRequestForAny extends Omit<ConsentRequest, 'grantee'> {
  grantees: readonly string[];
}

/**
 * Judges a use of a data subject's data against the consents on the ledger. With `consentId`, that
 * consent must exist, belong to the subject (when named), cover purpose and grantee, be active at
 * `at` and permit; without it, the subject's consents are searched. Either way a matching active
 * deny of the subject wins over any permit.
 *
 * @example
 * const verdict = await evaluateConsent(ctx, { subjectRef: 's-1', purpose: 'ai-inference', grantee: 'AIProviderMSP', at: txTime(ctx) });
 */
export async function evaluateConsent(
  ctx: Context,
  request: { subjectRef?: string; consentId?: string; purpose: string; grantee: string; at: string },
): Promise<{ allowed: boolean; consentId?: string; reason: string }> {
  const { grantee, ...rest } = request;
  return evaluateConsentForAny(ctx, { ...rest, grantees: [grantee] });
}

/**
 * {@link evaluateConsent} for a use on behalf of any of several grantees: a consent naming one of
 * them covers the use, and a deny naming one of them forbids it.
 */
export async function evaluateConsentForAny(ctx: Context, request: ConsentRequestForAny): Promise<ConsentVerdict> {
  if (Number.isNaN(Date.parse(request.at))) throw new ValidationError([{ path: 'at', rule: 'must be an RFC 3339 date-time' }]);
  const who = request.grantees.join(' or ');
  const subjectConsents = request.subjectRef === undefined ? [] : await consentsOfSubject(ctx, request.subjectRef);
  const denial = subjectConsents.find((consent) => consent.decision === 'deny' && appliesAt(consent, request));
  if (denial !== undefined) {
    return { allowed: false, consentId: denial.id, reason: `consent ${denial.id} denies ${request.purpose} for ${who}` };
  }
  if (request.consentId !== undefined) return judgeNamedConsent(ctx, { ...request, consentId: request.consentId }, who);
  if (request.subjectRef === undefined) return { allowed: false, reason: 'neither subjectRef nor consentId was given' };

  const permit = subjectConsents.find((consent) => consent.decision === 'permit' && appliesAt(consent, request));
  if (permit !== undefined) {
    return { allowed: true, consentId: permit.id, reason: `consent ${permit.id} permits ${request.purpose} for ${who}` };
  }
  const covering = subjectConsents.filter((consent) => covers(consent, request));
  if (covering.length === 0) return { allowed: false, reason: `no consent of the subject covers ${request.purpose} for ${who}` };
  const states = covering.map((consent) => `${consent.id} is ${consentStatusAt(consent, request.at)}`).join(', ');
  return { allowed: false, reason: `no active consent of the subject covers ${request.purpose} for ${who} (${states})` };
}

async function judgeNamedConsent(ctx: Context, request: ConsentRequestForAny & { consentId: string }, who: string): Promise<ConsentVerdict> {
  const consentId = request.consentId;
  const consent = await readConsent(ctx, consentId);
  if (consent === undefined) return { allowed: false, consentId, reason: `consent ${consentId} does not exist` };
  if (request.subjectRef !== undefined && consent.subjectRef !== request.subjectRef) {
    return { allowed: false, consentId, reason: `consent ${consentId} is for another subject` };
  }
  if (!consent.purposes.includes(request.purpose)) return { allowed: false, consentId, reason: `consent ${consentId} does not cover ${request.purpose}` };
  if (!namesAnyGrantee(consent, request.grantees)) return { allowed: false, consentId, reason: `consent ${consentId} does not name ${who}` };
  const status = consentStatusAt(consent, request.at);
  if (status !== 'active') return { allowed: false, consentId, reason: `consent ${consentId} is ${status} at ${request.at}` };
  if (consent.decision === 'deny') return { allowed: false, consentId, reason: `consent ${consentId} denies ${request.purpose} for ${who}` };
  return { allowed: true, consentId, reason: `consent ${consentId} permits ${request.purpose} for ${who}` };
}

function namesAnyGrantee(consent: StoredConsent, grantees: readonly string[]): boolean {
  return grantees.some((grantee) => consent.grantees.includes(grantee));
}

function covers(consent: StoredConsent, request: ConsentRequestForAny): boolean {
  return consent.purposes.includes(request.purpose) && namesAnyGrantee(consent, request.grantees);
}

function appliesAt(consent: StoredConsent, request: ConsentRequestForAny): boolean {
  return covers(consent, request) && consentStatusAt(consent, request.at) === 'active';
}
