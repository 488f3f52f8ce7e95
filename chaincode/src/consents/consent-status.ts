import type { StoredConsent } from './consent-schema';

/** A consent's state at a moment; derived, never stored, because time alone changes it. */
export type ConsentStatus = 'pending' | 'active' | 'expired' | 'revoked';

/**
 * The status of a consent at `at` (RFC 3339). Revocation counts from its transaction time, so a
 * question about a moment before the revocation is answered as it stood then; `period.end` is
 * inclusive, `period.start` too.
 */
export function consentStatusAt(consent: StoredConsent, at: string): ConsentStatus {
  const moment = Date.parse(at);
  if (consent.revokedAt !== undefined && Date.parse(consent.revokedAt) <= moment) return 'revoked';
  if (moment < Date.parse(consent.period.start)) return 'pending';
  if (consent.period.end !== undefined && moment > Date.parse(consent.period.end)) return 'expired';
  return 'active';
}
