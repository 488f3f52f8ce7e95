/**
 * Roles each org's Fabric CA issues as the `role` certificate attribute. The chaincode reads the
 * role from the signed certificate; the REST app issues API keys of the same roles and signs with
 * the Fabric identity of the key's role, so the chaincode checks every call again.
 */
export const ROLES = ['recorder', 'consent-manager', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Narrows an attribute value or a configuration string to a {@link Role}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
