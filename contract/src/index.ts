/**
 * What the AI Audit Ledger chaincode and its clients agree on. Every fact here is declared once:
 * the chaincode validates with these schemas and throws these errors, and the REST app, the
 * verifier and the tests import the same definitions.
 *
 * @packageDocumentation
 */
export { ROLES, isRole, type Role } from './roles';
export { AUDITOR_ORGS_ENV, MSP_ID_PATTERN, formatAuditorOrgs, parseAuditorOrgs } from './auditor-orgs';
export { CHANNEL_NAME_PATTERN } from './channel-name';
export { CONTRACTS, TRANSACTIONS, type TransactionName } from './transactions';
export { TRANSACTION_ROLES } from './transaction-roles';
export { LIMITS } from './limits';
export {
  CONTRACT_ERROR_CODES,
  ContractError,
  ValidationError,
  decodeContractError,
  encodeContractError,
  type ContractErrorCode,
  type ContractErrorPayload,
  type FieldViolation,
  type RefusalReason,
} from './errors/contract-error';
export { sortedKeyJson, sortedKeyJsonOnce } from './sorted-key-json';
export { withSortedKeyFields } from './sorted-key-json-fields';
export {
  CanonicalContentError,
  canonicalContent,
  canonicalContentJson,
  nfcKeyCollisionOf,
  type NfcKeyCollision,
  type ChatMessage,
  type Content,
  type JsonValue,
} from './canonical-content';
export { COMMITMENT_PREFIX, contentCommitment, recordSalt } from './commitment';
export { COMMITTED_REFERENCE_FIELDS, referenceCommitment, type CommittedReferenceField } from './reference-commitment';
export {
  allInclusionPaths,
  inclusionPath,
  inclusionPathOfLeafHashes,
  leafHash,
  merkleRoot,
  merkleRootOfLeafHashes,
  nodeHash,
  verifyInclusion,
  type Hash,
} from './merkle/merkle-tree';
export { recordLeafBytes, recordLeafHash } from './merkle/record-leaf';
export {
  RecordProofError,
  parseRecordProof,
  verifyLeaf,
  verifyPath,
  verifyRecordProof,
  verifyRoot,
  verifyTransaction,
  type LeafInclusionProof,
  type LedgerBatch,
  type RecordInclusionProof,
  type RecordProofErrorCode,
  type VerifiedRecord,
} from './merkle/record-proof';
export * from './http-limits';
export * from './records/fields';
export * from './records/vocabularies';
export * from './records/interaction';
export * from './records/consent';
export * from './records/org-namespace';
export * from './records/record-id';
export * from './records/artifact';
export { checkInput, collectViolations, fieldPath, fieldViolations } from './records/validate';
export { SUBJECT_ERASED_REASON, isSubjectErasedRefusal, subjectErasedRefusal } from './subject-erasure';
export * from './records/consent-status';
export * from './records/queries';
export * from './records/subject';
export { erasureReceiptSchema, type ErasureReceipt } from './records/erasure-receipt';
export { recordJsonSchema } from './records/json-schema';
export * from './records/read-anchor';
export { STATE_KEY_TYPES, compositeKeyParts } from './state-keys';
export { TIME_RANGE_RULE, storedTimeBounds } from './time-bounds';
export {
  batchedInteractionView,
  batchedRecordLocator,
  batchedInteractionViewJson,
  batchedRecordLocatorSchema,
  interactionAnswerSchema,
  isBatchMarker,
  isBatchedRecordLocator,
  type BatchEntry,
  type BatchMarker,
  type BatchedRecord,
  type BatchedRecordLocator,
  type StoredBatch,
  type StoredBatchEntry,
} from './records/batched-interaction';
