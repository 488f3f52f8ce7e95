/**
 * The roles a caller can hold. Each API key has exactly one, and each maps onto the org's Fabric
 * application user whose certificate carries the same `role` attribute, so the chaincode checks it again.
 */
export const ROLES = ['recorder', 'consent-manager', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `value` names one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
