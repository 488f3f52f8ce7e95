import type { Role } from './roles';
import { ROLES } from './roles';
import type { TransactionName } from './transactions';

const ANY_ROLE = ROLES;
const RECORDERS = ['recorder', 'admin'] as const satisfies readonly Role[];

/**
 * The roles (certificate attribute `role`) that may call each transaction. The chaincode refuses
 * every other caller; the REST app gives a route that calls a transaction the same roles, so an API
 * key never gets further than its Fabric identity would. Reads are open to every role, scoped by org
 * in the chaincode; no transaction accepts an identity without a role.
 */
export const TRANSACTION_ROLES = {
  'Subjects:InitOrgKeys': ['admin'],
  'Subjects:GetOrgContentKey': ANY_ROLE,
  'Subjects:RegisterSubject': ['recorder', 'consent-manager', 'admin'],
  'Subjects:LookupSubject': ANY_ROLE,
  'Subjects:GetSubjectKey': ANY_ROLE,
  'Subjects:EraseSubject': ['admin'],
  'Subjects:RecordErasureReceipt': ['admin'],
  'Subjects:GetErasureReceipt': ANY_ROLE,

  'Consents:GrantConsent': ['consent-manager'],
  'Consents:RevokeConsent': ['consent-manager'],
  'Consents:GetConsent': ANY_ROLE,
  'Consents:GetConsentHistory': ANY_ROLE,
  'Consents:QueryConsents': ANY_ROLE,
  'Consents:CheckConsent': ANY_ROLE,
  'Consents:ExportConsentFHIR': ANY_ROLE,

  'Artifacts:RegisterArtifact': RECORDERS,
  'Artifacts:GetArtifact': ANY_ROLE,
  'Artifacts:QueryArtifacts': ANY_ROLE,
  'Artifacts:VerifyArtifact': ANY_ROLE,
  'Artifacts:RecordTrainingRun': RECORDERS,
  'Artifacts:GetTrainingRun': ANY_ROLE,

  'Interactions:RecordInteraction': RECORDERS,
  'Interactions:RecordInteractions': RECORDERS,
  'Interactions:GetInteraction': ANY_ROLE,
  'Interactions:QueryInteractions': ANY_ROLE,
  'Interactions:AnnotateInteraction': RECORDERS,
  'Interactions:GetAnnotations': ANY_ROLE,

  'Batches:RecordBatch': RECORDERS,
  'Batches:GetBatch': ANY_ROLE,
  'Batches:GetBatchedInteraction': ANY_ROLE,
  'Batches:GetInclusionProof': ANY_ROLE,
  'Batches:QueryBatches': ANY_ROLE,

  // The org's app anchors its auditor-read log with its admin identity: auditors never write.
  'ReadLog:AnchorReads': ['admin'],
  'ReadLog:GetLatestReadAnchor': ANY_ROLE,
  'ReadLog:QueryReadAnchors': ANY_ROLE,
} as const satisfies Record<TransactionName, readonly Role[]>;
