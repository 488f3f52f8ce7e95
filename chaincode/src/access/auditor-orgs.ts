import { AUDITOR_ORGS_ENV, parseAuditorOrgs } from '@aal/ledger-contract';

/**
 * The orgs whose auditors read every org's records, from the chaincode server's
 * `AAL_AUDITOR_ORGS` (comma-separated MSP ids; absent or empty = none). Read once, when the server
 * loads the chaincode: a malformed value stops the server at start-up rather than at the first read.
 * Only auditor reads depend on it, so orgs configured differently still endorse writes alike.
 */
export const AUDITOR_ORGS: ReadonlySet<string> = new Set(parseAuditorOrgs(process.env[AUDITOR_ORGS_ENV]));
