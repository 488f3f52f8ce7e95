/**
 * The consent-status rule is the contract's (the REST app's audit index derives statuses with it
 * too); re-exported here for the chaincode's own modules.
 */
export { consentStatus, momentTime, type ConsentMoment } from '@aal/ledger-contract';
