/**
 * Public entry of the AI Audit Ledger REST application for other workspaces (network tooling and
 * integration tests). The REST service itself starts from `main.ts`; only what other workspaces
 * need is exported here.
 *
 * @packageDocumentation
 */
export { ApiKeyStore } from './auth/api-key-store';
export type { GatewayProfile } from './config';
export { LedgerBatchReader } from './verifier/ledger-batch-reader';
export {
  verifyAuditorReadLog,
  type AnchorPosition,
  type AuditorReadEntry,
  type AuditorReadLogVerification,
  type ReadLogGap,
} from './audit-log/auditor-read-log';
export { defaultReadLogKeyPath, readReadLogKey } from './audit-log/read-log-key';
export { decodeTransactionProof, type TransactionProof } from './ledger/transaction-proof';
