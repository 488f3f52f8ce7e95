/**
 * Public entry of the AI Audit Ledger REST application for other workspaces (network tooling and
 * integration tests). The REST service itself starts from `main.ts`; only what other workspaces
 * need is exported here.
 *
 * @packageDocumentation
 */
export { ApiKeyStore } from './auth/api-key-store';
export { ORG_FILES } from './org-files';
export type { GatewayProfile } from './config';
export { LedgerBatchReader } from './verifier/ledger-batch-reader';
export {
  MAX_SUBJECT_REFS,
  verifyAuditorReadLog,
  type AnchorPosition,
  type AuditorReadEntry,
  type AuditorReadLogVerification,
  type ReadLogGap,
} from './audit-log/auditor-read-log';
export { defaultReadLogKeyPath, readReadLogKey } from './audit-log/read-log-key';
export { decodeTransactionProof, type TransactionProof } from './ledger/transaction-proof';
export { decodeRecordedTransaction, type RecordedTransaction } from './ledger/recorded-transaction';
export { AuditIndex } from './audit-index/audit-index';
export { AuditIndexStore } from './audit-index/index-store';
export { openAuditIndexStore } from './audit-index/store-factory';
export { batchPage, consentPage, interactionPage } from './audit-index/index-queries';
export { decodeBlock, type DecodedBlock } from './audit-index/block-decoder';
export { runAuditIndexCli, type CliOutput } from './audit-index-cli';
export {
  AUDIT_INDEX_LOCATION_FILE,
  readAuditIndexLocation,
  writeAuditIndexLocation,
  type AuditIndexLocation,
} from './audit-index/store-location';
export { gatewayConfigSchema, type GatewayConfig } from './ai-gateway/gateway-config';
