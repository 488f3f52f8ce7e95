import { ValidationError, orgNamespaceOf, type ConsentVerdict, type StoredConsent } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { readsEverything, type Caller } from '../access/caller';
import { readReceipt } from '../subjects/erasure-receipt';
import { subjectErasedReason, subjectOwnerOf } from '../subjects/subject-ownership';
import { mayReadConsent } from './consent-access';
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
  return (await judgeConsent(ctx, request)).verdict;
}

/**
 * `CheckConsent`'s answer to `caller`: the verdict of {@link evaluateConsent}, with `consentId` and
 * the detailed reason only when the caller may read every consent that reason names (GetConsent's
 * rule, {@link mayReadConsent}), or may read every consent that could decide the question (auditors
 * of the configured auditor orgs, the subject's owner — the controller of all its consents — and the
 * org of the grantee asked about). Anyone else learns only `allowed`, with one generic reason per
 * outcome that names no consent and does not tell a deny, an inactive consent and no consent apart.
 * An erasure is answered as is: its receipt is public (GetErasureReceipt).
 */
export async function checkConsentFor(
  ctx: Context,
  caller: Caller,
  request: ConsentRequest & { readonly subjectRef: string },
): Promise<ConsentVerdict> {
  const { verdict, named, erased } = await judgeConsent(ctx, request);
  if (erased || answersEverythingFor(caller, request)) return verdict;
  if (named.length > 0 && named.every((consent) => mayReadConsent(caller, consent))) return verdict;
  const who = request.grantees.join(' or ');
  return verdict.allowed
    ? { allowed: true, reason: `a consent permits ${request.purpose} for ${who}` }
    : { allowed: false, reason: `no active consent covers ${request.purpose} for ${who}` };
}

/**
 * Whether the caller may read every consent that could decide the request, whatever the ledger
 * holds: the rule depends on who asks and what, never on which consents exist, so the detail it
 * unlocks cannot tell an outsider whether an unreadable consent is there.
 */
function answersEverythingFor(caller: Caller, request: ConsentRequest & { readonly subjectRef: string }): boolean {
  return (
    readsEverything(caller) ||
    // Only the owner org grants consents about its subjects, so it controls every one of them.
    subjectOwnerOf(request.subjectRef) === caller.mspId ||
    // A deciding consent names a judged grantee; its org reads every consent naming it (mayReadConsent).
    request.grantees.some((grantee) => (orgNamespaceOf(grantee) ?? grantee) === caller.mspId)
  );
}

/** A verdict with the consents its reason names (by id), and whether the subject's erasure decided it. */
interface Judgement {
  readonly verdict: ConsentVerdict;
  readonly named: readonly StoredConsent[];
  readonly erased: boolean;
}

async function judgeConsent(ctx: Context, request: ConsentRequest): Promise<Judgement> {
  const time = momentTime(request.moment);
  if (Number.isNaN(Date.parse(time)))
    throw new ValidationError([{ path: 'at', rule: 'must be an RFC 3339 date-time' }]);
  const who = request.grantees.join(' or ');
  const named = request.consentId === undefined ? undefined : await readConsent(ctx, request.consentId);
  const subjectRef = request.subjectRef ?? named?.subjectRef;
  const receipt = subjectRef === undefined ? undefined : await readReceipt(ctx, subjectRef);
  if (receipt !== undefined)
    return {
      verdict: {
        allowed: false,
        ...(request.consentId === undefined ? {} : { consentId: request.consentId }),
        reason: subjectErasedReason(receipt),
      },
      named: [],
      erased: true,
    };

  // The subject's denies count whether the request names the subject or only one of its consents.
  const subjectConsents = subjectRef === undefined ? [] : await consentsOfSubject(ctx, subjectRef);
  const denial = subjectConsents.find((consent) => consent.decision === 'deny' && appliesAt(consent, request));
  if (denial !== undefined) {
    return decided(
      { allowed: false, consentId: denial.id, reason: `consent ${denial.id} denies ${request.purpose} for ${who}` },
      [denial],
    );
  }
  if (request.consentId !== undefined)
    return decided(judgeNamedConsent(request, request.consentId, named, who), named === undefined ? [] : [named]);
  if (request.subjectRef === undefined)
    return decided({ allowed: false, reason: 'neither subjectRef nor consentId was given' }, []);

  const permit = subjectConsents.find((consent) => consent.decision === 'permit' && appliesAt(consent, request));
  if (permit !== undefined) {
    return decided(
      { allowed: true, consentId: permit.id, reason: `consent ${permit.id} permits ${request.purpose} for ${who}` },
      [permit],
    );
  }
  const covering = subjectConsents.filter((consent) => covers(consent, request));
  if (covering.length === 0)
    return decided({ allowed: false, reason: `no consent of the subject covers ${request.purpose} for ${who}` }, []);
  const states = covering
    .map((consent) => `${consent.id} is ${consentStatus(consent, request.moment, false)}`)
    .join(', ');
  return decided(
    { allowed: false, reason: `no active consent of the subject covers ${request.purpose} for ${who} (${states})` },
    covering,
  );
}

function decided(verdict: ConsentVerdict, named: readonly StoredConsent[]): Judgement {
  return { verdict, named, erased: false };
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
