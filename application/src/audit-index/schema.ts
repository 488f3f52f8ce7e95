import type { Generated } from 'kysely';

/**
 * The audit index's tables as the query builder types them; the migrations (migrations.ts) create
 * exactly these. Booleans are 0/1 integers (SQLite has none).
 */
export interface AuditIndexDatabase {
  interactions: InteractionRowTable;
  checkpoints: CheckpointTable;
  schema_migrations: SchemaMigrationTable;
}

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

/** The last block of a channel whose rows are in the index (committed with them). */
export interface CheckpointTable {
  channel: string;
  block_number: number;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
}
