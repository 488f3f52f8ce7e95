import { storedConsentSchema } from './consent';
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
