import { AUDITOR_ORGS_ENV } from '@aal/ledger-contract';

// The network tool names the regulator as the auditor org on every chaincode server; unit tests
// load the chaincode the same way. Set before any test file imports it (the value is read once).
process.env[AUDITOR_ORGS_ENV] = 'RegulatorMSP';
