/**
 * Every size and count limit the chaincode enforces, and clients check before they submit. Each
 * limit keeps one transaction's arguments, write set and endorsement work bounded (the channel's
 * block limit is 10 MB).
 */
export const LIMITS = {
  /** One interaction record's canonical JSON: metadata and commitments only, never content. */
  interactionBytes: 16 * 1024,
  /** `Interactions:RecordInteractions`: records per call and bytes of the `records` argument. */
  interactionBatchRecords: 500,
  interactionBatchBytes: 1024 * 1024,
  /** `Batches:RecordBatch` (Merkle batch): records per call and bytes of the `records` argument. */
  merkleBatchRecords: 1000,
  merkleBatchBytes: 2 * 1024 * 1024,
  /**
   * One call's token counts (each of input, output, cache-read, reasoning) and its cost in minor
   * units. Far above any real call, yet low enough that the audit index's sums (usage totals, the
   * hourly rollup) of millions of calls stay exact: without a bound a member could write counts near
   * 2^53 and push every total over a channel's range past what a JSON number states exactly.
   */
  tokensPerCall: 1_000_000_000,
  costMinorPerCall: 1_000_000_000,
  /** A consent is metadata only, never the signed document. */
  consentBytes: 16 * 1024,
  /** An artifact (a thousand consent ids fit comfortably). */
  artifactBytes: 64 * 1024,
  trainingRunBytes: 16 * 1024,
  /** Consent checks one training run may cost (each is a few ledger reads). */
  consentChecksPerTrainingRun: 5000,
  annotationBytes: 4 * 1024,
  /** A query filter argument (`QueryInteractions`, `QueryConsents`, `QueryArtifacts`, `QueryBatches`). */
  filterBytes: 8 * 1024,
  /** Records per query page. */
  pageSize: 1000,
  /** A patient identifier passed (transiently) to the Subjects contract. */
  identifierLength: 256,
  /**
   * How far (ms, either way) a write proposal's timestamp may be from each endorsing peer's clock.
   * The timestamp is the client's; without a bound a member could date its records and consent
   * verdicts at will. Changing it is a chaincode upgrade, approved by the lifecycle policy (majority).
   */
  txTimeSkewMs: 60_000,
  /** `ReadLog:AnchorReads`: one anchor of an auditor-read log, and the data owners it may count. */
  readAnchorBytes: 16 * 1024,
  readAnchorOwners: 100,
  /**
   * A refusal's encoded payload crosses the peer's gateway in gRPC trailers (once per endorser it
   * asked): named failing fields or reasons kept, and characters of its message and of each entry's
   * text. Past them the payload says how many were left out: a refusal naming each of a thousand
   * inputs overflowed the trailers and reset the app's connection to its peer.
   */
  refusalEntries: 20,
  refusalMessageChars: 1500,
  refusalEntryChars: 320,
} as const;
