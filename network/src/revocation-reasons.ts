/**
 * The reasons Fabric CA accepts for revoking a certificate (RFC 5280 CRLReason names, as
 * `fabric-ca-client revoke --revoke.reason` spells them).
 */
export const REVOCATION_REASONS = [
  'unspecified',
  'keycompromise',
  'cacompromise',
  'affiliationchange',
  'superseded',
  'cessationofoperation',
  'certificatehold',
  'privilegewithdrawn',
  'aacompromise',
] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** `value` as a revocation reason (case-insensitive); throws naming the accepted ones. */
export function parseRevocationReason(value: string): RevocationReason {
  const reason = REVOCATION_REASONS.find((candidate) => candidate === value.toLowerCase());
  if (reason === undefined)
    throw new Error(`unknown revocation reason '${value}'; one of ${REVOCATION_REASONS.join(', ')}`);
  return reason;
}
