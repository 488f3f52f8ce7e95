/**
 * The chaincode's contracts and their transactions, as clients name them (`Contract:Transaction`).
 * The chaincode registers its contracts under {@link CONTRACTS}; clients call {@link TRANSACTIONS}.
 */
export const CONTRACTS = {
  subjects: 'Subjects',
  consents: 'Consents',
  artifacts: 'Artifacts',
  interactions: 'Interactions',
  batches: 'Batches',
  readLog: 'ReadLog',
} as const;

export const TRANSACTIONS = {
  initOrgKeys: 'Subjects:InitOrgKeys',
  getOrgContentKey: 'Subjects:GetOrgContentKey',
  registerSubject: 'Subjects:RegisterSubject',
  lookupSubject: 'Subjects:LookupSubject',
  getSubjectKey: 'Subjects:GetSubjectKey',
  eraseSubject: 'Subjects:EraseSubject',
  recordErasureReceipt: 'Subjects:RecordErasureReceipt',
  getErasureReceipt: 'Subjects:GetErasureReceipt',

  grantConsent: 'Consents:GrantConsent',
  revokeConsent: 'Consents:RevokeConsent',
  getConsent: 'Consents:GetConsent',
  getConsentHistory: 'Consents:GetConsentHistory',
  queryConsents: 'Consents:QueryConsents',
  checkConsent: 'Consents:CheckConsent',
  exportConsentFhir: 'Consents:ExportConsentFHIR',

  registerArtifact: 'Artifacts:RegisterArtifact',
  getArtifact: 'Artifacts:GetArtifact',
  queryArtifacts: 'Artifacts:QueryArtifacts',
  verifyArtifact: 'Artifacts:VerifyArtifact',
  recordTrainingRun: 'Artifacts:RecordTrainingRun',
  getTrainingRun: 'Artifacts:GetTrainingRun',

  recordInteraction: 'Interactions:RecordInteraction',
  recordInteractions: 'Interactions:RecordInteractions',
  getInteraction: 'Interactions:GetInteraction',
  queryInteractions: 'Interactions:QueryInteractions',
  annotateInteraction: 'Interactions:AnnotateInteraction',
  getAnnotations: 'Interactions:GetAnnotations',

  recordBatch: 'Batches:RecordBatch',
  getBatch: 'Batches:GetBatch',
  getBatchedInteraction: 'Batches:GetBatchedInteraction',
  getInclusionProof: 'Batches:GetInclusionProof',
  queryBatches: 'Batches:QueryBatches',

  anchorReads: 'ReadLog:AnchorReads',
  getLatestReadAnchor: 'ReadLog:GetLatestReadAnchor',
  queryReadAnchors: 'ReadLog:QueryReadAnchors',
} as const;

export type TransactionName = (typeof TRANSACTIONS)[keyof typeof TRANSACTIONS];
