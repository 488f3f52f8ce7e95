import { AUDITOR_ORGS_ENV, formatAuditorOrgs } from '@aal/ledger-contract';
import { REGULATOR, type OrgSpec } from './topology';

/**
 * Orgs whose auditors read every org's records on a channel: the regulator. Every org's CA can
 * issue `role=auditor`, so the chaincode grants channel-wide reads by org, not by role alone.
 */
export const AUDITOR_ORGS: readonly OrgSpec[] = [REGULATOR];

/** The {@link AUDITOR_ORGS_ENV} value every chaincode server and REST app is given. */
export function auditorOrgsValue(): string {
  return formatAuditorOrgs(AUDITOR_ORGS.map((auditorOrg) => auditorOrg.mspId));
}

/** The environment of an org's chaincode server process (the same auditor orgs on every org's server). */
export function chaincodeServerEnv(org: OrgSpec, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    // Warnings and errors only: at info the shim writes a line per transaction it serves.
    CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
    CORE_CHAINCODE_LOGGING_SHIM: 'warn',
    // The shim's getMspID() reads this: the chaincode refuses private-data work for another org's
    // callers when it knows which org's peer it serves (a ccaas server does not inherit it).
    CORE_PEER_LOCALMSPID: org.mspId,
    [AUDITOR_ORGS_ENV]: auditorOrgsValue(),
  };
}
