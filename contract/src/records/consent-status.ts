import { storedConsentSchema, type StoredConsent } from './consent';
import { oneOf } from './fields';

/**
 * A consent's state at a moment: derived, never stored, because time alone changes it.
 * - `not-granted`: before the ledger's time of the grant (`grantedAt`), whatever `period.start` says;
 * - `pending` before `period.start`, `active` within the period, `expired` after `period.end`;
 * - `revoked` from the revocation on;
 * - `erased`: the subject's erasure receipt exists; the consent can never apply again.
 */
export const CONSENT_STATUSES = ['not-granted', 'pending', 'active', 'expired', 'revoked', 'erased'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** A consent as returned: the stored record, with its status when it was read (`GetConsent`, `QueryConsents`). */
export const consentViewSchema = storedConsentSchema.extend({
  status: oneOf(CONSENT_STATUSES)
    .optional()
    .describe(
      'the status now, when read (grant and revocation as the state says, the period at the reading time); absent in GrantConsent and RevokeConsent answers',
    ),
});

/**
 * When a consent is judged:
 * - `now`: at the judging transaction's own time, against the state it read. The grant and the
 *   revocation count as the state says, whatever the (client-set) timestamp says: a consent revoked
 *   in state is revoked for this transaction even if its `revokedAt` is later than the timestamp,
 *   and one granted in state is granted. MVCC keeps that state current at commit: the consent keys
 *   are in the transaction's read set, so a grant or revocation committed in between invalidates it.
 * - `at`: a moment asked about (`CheckConsent`'s `at`): the consent as it stood then, by the
 *   ledger's times of the grant and the revocation.
 * Only the period is always judged at the time given.
 */
export type ConsentMoment = { readonly now: string } | { readonly at: string };

/** The moment's time (RFC 3339). */
export function momentTime(moment: ConsentMoment): string {
  return 'now' in moment ? moment.now : moment.at;
}

/**
 * The status of a consent at a moment. `erased` (the subject's erasure receipt exists) wins over
 * everything; then, for a past moment, `not-granted` before `grantedAt`; `revoked` from the
 * revocation on; then the period: `pending` before `period.start`, `expired` after `period.end`
 * (both bounds inclusive).
 */
export function consentStatus(consent: StoredConsent, moment: ConsentMoment, subjectErased: boolean): ConsentStatus {
  if (subjectErased) return 'erased';
  const time = Date.parse(momentTime(moment));
  if ('at' in moment && time < Date.parse(consent.grantedAt)) return 'not-granted';
  if (consent.revokedAt !== undefined && ('now' in moment || Date.parse(consent.revokedAt) <= time)) return 'revoked';
  if (time < Date.parse(consent.period.start)) return 'pending';
  if (consent.period.end !== undefined && time > Date.parse(consent.period.end)) return 'expired';
  return 'active';
}
