import type { Generated } from 'kysely';

/**
 * The audit index's tables as the query builder types them; the migrations (migrations.ts) create
 * exactly these, on SQLite and PostgreSQL alike. Booleans are 0/1 integers (SQLite has none); the
 * `bigint` columns read back as numbers on both (postgres-dialect.ts).
 */
export interface AuditIndexDatabase {
  interactions: InteractionRowTable;
  checkpoints: CheckpointTable;
  time_anomalies: TimeAnomalyTable;
  batches: BatchRowTable;
  consents: ConsentRowTable;
  consent_versions: ConsentVersionTable;
  consent_paths: ConsentPathTable;
  consent_readers: ConsentReaderTable;
  annotations: AnnotationRowTable;
  artifacts: ArtifactRowTable;
  training_runs: TrainingRunRowTable;
  erasure_receipts: ErasureReceiptRowTable;
  usage_rollup: UsageRollupTable;
  batch_paths: BatchPathTable;
  schema_migrations: SchemaMigrationTable;
}

/** Every table that holds what the index derived from blocks (all but `schema_migrations`). */
export const DERIVED_TABLES = [
  'interactions',
  'checkpoints',
  'time_anomalies',
  'batches',
  'consents',
  'consent_versions',
  'consent_paths',
  'consent_readers',
  'annotations',
  'artifacts',
  'training_runs',
  'erasure_receipts',
  'usage_rollup',
  'batch_paths',
] as const satisfies readonly Exclude<keyof AuditIndexDatabase, 'schema_migrations'>[];

/** One committed interaction, whatever its write path (single, gathered or in a Merkle batch). */
export interface InteractionRowTable {
  /** Ledger order of ingestion (block, transaction, leaf): the keyset of exports and scans. */
  seq: Generated<number>;
  channel: string;
  record_id: string;
  org: string;
  tx_id: string;
  block_number: number;
  /** The transaction's position in its block. */
  tx_index: number;
  batch_id: string | null;
  leaf_index: number | null;
  tx_time: string;
  request_model: string;
  actor_ref: string | null;
  application_id: string | null;
  subject_ref: string | null;
  consent_id: string | null;
  is_error: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  reasoning_tokens: number;
  /** Null for an unpriced call (counted apart, never as 0). */
  cost_currency: string | null;
  cost_amount_minor: number | null;
  /** The ledger's consent verdict at commit: 1 allowed, 0 refused, null none. */
  consent_allowed: number | null;
  /** The stored record as readers see it (sorted-key JSON). */
  record_json: string;
}

/** Where a record sits on the ledger: every row of migration 2 on carries it. */
interface LedgerPlaceColumns {
  channel: string;
  tx_id: string;
  block_number: number;
  /** The transaction's position in its block. */
  tx_index: number;
  tx_time: string;
  /** The record as the ledger stores it (sorted-key JSON). */
  record_json: string;
}

/**
 * Usage pre-aggregated at ingestion (migration 5): one row per channel, UTC hour and distinct
 * combination of the fields usage summaries filter and group by, with the sums of its interaction
 * rows, written in the block's transaction. It grows with the number of groups per hour, not with
 * the number of records. Key columns are never null (unique keys treat nulls as distinct):
 * {@link ROLLUP_NONE} stands for an absent field, and for the currency of an unpriced call.
 */
export interface UsageRollupTable {
  channel: string;
  /** The UTC hour of the calls' txTime, `YYYY-MM-DDTHH` (the first 13 characters of the stored form). */
  hour: string;
  org: string;
  request_model: string;
  actor_ref: string;
  application_id: string;
  subject_ref: string;
  /** {@link ROLLUP_NONE} for unpriced calls (their amount is never added). */
  cost_currency: string;
  calls: number;
  error_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  reasoning_tokens: number;
  cost_amount_minor: number;
}

/** The key value of an absent field in {@link UsageRollupTable}: no record id or currency is empty. */
export const ROLLUP_NONE = '';

/**
 * A value of a record field among a Merkle batch's records (migration 5), so that a batch listing by
 * a record's field reads batches in time order from one index instead of joining every record.
 */
export interface BatchPathTable {
  channel: string;
  /** The query path (requestModel, actorRef, applicationId, subjectRef, consentId). */
  path: string;
  value: string;
  /** The batch's transaction time, as in `batches`. */
  tx_time: string;
  batch_id: string;
}

/** One Merkle batch header (`batch ∘ batchId`); its records are rows of `interactions`. */
export interface BatchRowTable extends LedgerPlaceColumns {
  batch_id: string;
  org: string;
  recorded_by: string;
  root: string;
  size: number;
}

/**
 * A consent's current state: its grant (the indexed fields never change) and, once revoked, the
 * revocation's columns (set by the later transaction, with its block, so a read at an earlier
 * height still sees the consent unrevoked).
 */
export interface ConsentRowTable extends LedgerPlaceColumns {
  consent_id: string;
  controller: string;
  subject_ref: string;
  decision: string;
  period_start: string;
  period_end: string | null;
  revoked_at: string | null;
  revocation_reason: string | null;
  revocation_tx_id: string | null;
  revocation_block_number: number | null;
  /** The consent as revoked (sorted-key JSON); `record_json` stays the grant. */
  revoked_json: string | null;
}

/** Every version of every consent the ledger wrote (grant, revocation): its history. */
export interface ConsentVersionTable extends LedgerPlaceColumns {
  consent_id: string;
  /** `grant` or `revocation`. */
  change: string;
}

/** A consent's query paths, as the chaincode indexes them: subjectRef, each grantee, each purpose. */
export interface ConsentPathTable {
  channel: string;
  path: string;
  value: string;
  consent_id: string;
}

/** The orgs that may read a consent besides auditors: its controller and each grantee's org. */
export interface ConsentReaderTable {
  channel: string;
  consent_id: string;
  org: string;
}

export interface AnnotationRowTable extends LedgerPlaceColumns {
  interaction_id: string;
  annotation_id: string;
  org: string;
  kind: string;
  severity: string | null;
}

export interface ArtifactRowTable extends LedgerPlaceColumns {
  artifact_id: string;
  kind: string;
  name: string;
  version: string;
  sha256: string;
  registered_by: string;
}

export interface TrainingRunRowTable extends LedgerPlaceColumns {
  run_id: string;
  org: string;
  model_artifact_id: string;
}

/** A subject's erasure receipt: pseudonym, org and time only, as on the ledger. */
export interface ErasureReceiptRowTable extends LedgerPlaceColumns {
  subject_ref: string;
  org: string;
  erased_at: string;
}

/** The last block of a channel whose rows are in the index (committed with them). */
export interface CheckpointTable {
  channel: string;
  block_number: number;
  /**
   * Fabric's header hash of that block (hex), which the next block's previous_hash must equal; by
   * the hash chain it commits to every block before it. Null for a checkpoint written before migration 3.
   */
  header_hash: string | null;
  /** The newest transaction time up to that block (ISO), its transaction and block: the time rule's state. */
  newest_tx_time: string | null;
  newest_tx_id: string | null;
  newest_tx_block: number | null;
}

/** A transaction dated more than the endorsers' skew before one of an earlier block (see transaction-times.ts). */
export interface TimeAnomalyTable {
  channel: string;
  block_number: number;
  tx_index: number;
  tx_id: string;
  tx_time: string;
  earlier_tx_id: string;
  earlier_block_number: number;
  earlier_tx_time: string;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
}
