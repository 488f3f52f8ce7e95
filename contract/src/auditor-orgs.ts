/**
 * Which orgs' auditors read every org's records. Every org's CA can mint a `role=auditor`
 * certificate, so the role alone cannot grant that; each chaincode server is told the auditor orgs
 * in its environment, which the network tool sets and the chaincode reads once at start-up.
 */

/** The chaincode server's environment variable: comma-separated MSP ids; absent or empty = none. */
export const AUDITOR_ORGS_ENV = 'AAL_AUDITOR_ORGS';

/** An MSP id as this consortium names them (e.g. `RegulatorMSP`): letters, digits, `.`, `_`, `-`. */
export const MSP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Parses an {@link AUDITOR_ORGS_ENV} value into its MSP ids (spaces around entries ignored).
 * Throws on an entry that is not an MSP id, so a typo stops the server instead of silently
 * narrowing or widening who reads everything.
 *
 * @example
 * parseAuditorOrgs('RegulatorMSP') // ['RegulatorMSP']
 * parseAuditorOrgs(undefined)      // []
 */
export function parseAuditorOrgs(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !MSP_ID_PATTERN.test(entry));
  if (bad.length > 0) {
    throw new Error(
      `${AUDITOR_ORGS_ENV} must be comma-separated MSP ids matching ${MSP_ID_PATTERN.source}; not: ${bad.map((entry) => JSON.stringify(entry)).join(', ')}`,
    );
  }
  return [...new Set(entries)];
}

/** The {@link AUDITOR_ORGS_ENV} value naming these MSP ids (validated the same way). */
export function formatAuditorOrgs(mspIds: readonly string[]): string {
  const value = mspIds.join(',');
  parseAuditorOrgs(value);
  return value;
}
