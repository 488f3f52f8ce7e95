import { verifyInclusion } from './merkle-tree';
import { recordLeafHash } from './record-leaf';

/**
 * Verification of a batched record's inclusion proof against what the ledger says about its batch.
 * Pure and offline: the caller reads the batch (transaction id, root, size) from the ledger itself and
 * trusts nothing else — not the proof's root, not the service that handed out the proof.
 */

/** Why a proof was refused; exactly one code per failed check. */
export type RecordProofErrorCode =
  /** The proof is not shaped like a proof (missing fields, bad hex, impossible indexes). */
  | 'PROOF_MALFORMED'
  /** The proof names a different transaction than the one the ledger holds the batch under. */
  | 'TX_MISMATCH'
  /** The proof's root is not the root the ledger stores for the batch. */
  | 'ROOT_MISMATCH'
  /** The proof's tree size is not the batch size on the ledger. */
  | 'TREE_SIZE_MISMATCH'
  /** The record does not hash to the proof's leaf: the record (or the leaf hash) was altered. */
  | 'LEAF_MISMATCH'
  /** The audit path does not lead from the leaf at its index to the ledger's root. */
  | 'PATH_INVALID';

export class RecordProofError extends Error {
  constructor(
    readonly code: RecordProofErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'RecordProofError';
  }
}

/** What `Batches:GetInclusionProof` returns: one record, where it sits in its batch, and the way up. */
export interface RecordInclusionProof {
  /** The record as submitted: the leaf content (see record-leaf.ts). */
  readonly record: unknown;
  /** RFC 6962 leaf hash of the record, lowercase hex. */
  readonly leafHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Sibling hashes from the leaf upwards, lowercase hex (RFC 6962 §2.1.1). */
  readonly auditPath: readonly string[];
  /** The batch's Merkle root as the proof claims it, lowercase hex. */
  readonly root: string;
  /** The transaction that recorded the batch (also the batch id). */
  readonly txId: string;
}

/**
 * An inclusion proof without its record: what the chaincode can compute for the lean layout, where
 * world state holds leaf hashes only. A reader completes it with the record from the recording
 * transaction after checking that record against `leafHash` ({@link verifyLeaf}).
 */
export type LeafInclusionProof = Omit<RecordInclusionProof, 'record'>;

/** The batch as read from the ledger by the verifier, independently of the proof. */
export interface LedgerBatch {
  readonly txId: string;
  readonly root: string;
  readonly size: number;
  /** Where the ledger places the record in the batch, when the verifier looked it up by id. */
  readonly leafIndex?: number;
}

/** What a successful verification established. */
export interface VerifiedRecord {
  readonly txId: string;
  readonly root: string;
  readonly leafIndex: number;
  readonly treeSize: number;
}

const HASH_HEX = /^[0-9a-f]{64}$/;
const isNonNegativeInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Checks that untrusted JSON (a proof file, a service's answer) has the shape of a proof.
 *
 * @throws RecordProofError `PROOF_MALFORMED` naming every problem
 */
export function parseRecordProof(value: unknown): RecordInclusionProof {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new RecordProofError('PROOF_MALFORMED', 'a proof must be a JSON object');
  const proof = value as Record<string, unknown>;
  const problems: string[] = [];
  if (proof.record === null || typeof proof.record !== 'object' || Array.isArray(proof.record))
    problems.push('record must be an object');
  if (typeof proof.leafHash !== 'string' || !HASH_HEX.test(proof.leafHash))
    problems.push('leafHash must be 64 lowercase hex');
  if (!isNonNegativeInteger(proof.treeSize) || proof.treeSize === 0)
    problems.push('treeSize must be a positive integer');
  if (!isNonNegativeInteger(proof.leafIndex)) problems.push('leafIndex must be a non-negative integer');
  else if (isNonNegativeInteger(proof.treeSize) && proof.leafIndex >= proof.treeSize)
    problems.push('leafIndex must be below treeSize');
  if (
    !Array.isArray(proof.auditPath) ||
    !proof.auditPath.every((hash) => typeof hash === 'string' && HASH_HEX.test(hash))
  ) {
    problems.push('auditPath must be an array of 64 lowercase hex');
  }
  if (typeof proof.root !== 'string' || !HASH_HEX.test(proof.root)) problems.push('root must be 64 lowercase hex');
  if (typeof proof.txId !== 'string' || proof.txId === '') problems.push('txId must be a non-empty string');
  if (problems.length > 0) throw new RecordProofError('PROOF_MALFORMED', problems.join('; '));
  return proof as unknown as RecordInclusionProof;
}

/**
 * The proof must be about the transaction the ledger holds the batch under.
 *
 * @throws RecordProofError `TX_MISMATCH`
 */
export function verifyTransaction(proof: RecordInclusionProof, ledger: LedgerBatch): void {
  if (proof.txId !== ledger.txId)
    throw new RecordProofError(
      'TX_MISMATCH',
      `the proof names transaction ${proof.txId}, the ledger recorded the batch in ${ledger.txId}`,
    );
}

/**
 * The proof's root and tree size must be the ones on the ledger; a proof that brings its own root
 * proves nothing.
 *
 * @throws RecordProofError `ROOT_MISMATCH` or `TREE_SIZE_MISMATCH`
 */
export function verifyRoot(proof: RecordInclusionProof, ledger: LedgerBatch): void {
  if (proof.root !== ledger.root.toLowerCase())
    throw new RecordProofError(
      'ROOT_MISMATCH',
      `the proof's root ${proof.root} is not the ledger's root ${ledger.root}`,
    );
  if (proof.treeSize !== ledger.size)
    throw new RecordProofError(
      'TREE_SIZE_MISMATCH',
      `the proof's tree has ${proof.treeSize} leaves, the ledger's batch ${ledger.size}`,
    );
}

/**
 * The record must hash to the proof's leaf (leaf = canonical JSON of the record as submitted).
 *
 * @throws RecordProofError `LEAF_MISMATCH`
 */
export function verifyLeaf(record: unknown, proof: RecordInclusionProof): void {
  const computed = recordLeafHash(record).toString('hex');
  if (computed !== proof.leafHash)
    throw new RecordProofError(
      'LEAF_MISMATCH',
      `the record hashes to leaf ${computed}, the proof is for leaf ${proof.leafHash}`,
    );
}

/**
 * The audit path must lead from the leaf, at its index, to the ledger's root — and the index must
 * be where the ledger places the record, when the verifier knows that.
 *
 * @throws RecordProofError `PATH_INVALID`
 */
export function verifyPath(proof: RecordInclusionProof, ledger: LedgerBatch): void {
  if (ledger.leafIndex !== undefined && ledger.leafIndex !== proof.leafIndex) {
    throw new RecordProofError(
      'PATH_INVALID',
      `the proof is for leaf ${proof.leafIndex}, the ledger places the record at leaf ${ledger.leafIndex}`,
    );
  }
  const path = proof.auditPath.map((hash) => Buffer.from(hash, 'hex'));
  if (
    !verifyInclusion(
      Buffer.from(proof.leafHash, 'hex'),
      proof.leafIndex,
      ledger.size,
      path,
      Buffer.from(ledger.root, 'hex'),
    )
  ) {
    throw new RecordProofError(
      'PATH_INVALID',
      `the audit path (${path.length} hashes) does not lead from leaf ${proof.leafIndex} of ${ledger.size} to the ledger's root`,
    );
  }
}

/**
 * Verifies that `record` is leaf `proof.leafIndex` of the batch the ledger recorded in transaction
 * `ledger.txId` under root `ledger.root`. Checks run cheapest and most specific first, so the error
 * code says what is wrong: the transaction, the root, the record, or the path.
 *
 * @param record the record as the verifier holds it (often `proof.record`)
 * @param proof the untrusted proof (parse it with {@link parseRecordProof} first)
 * @param ledger the batch as read from the ledger by the verifier
 * @throws RecordProofError with the code of the first failed check
 * @example
 * verifyRecordProof(proof.record, proof, { txId, root, size });
 */
export function verifyRecordProof(record: unknown, proof: RecordInclusionProof, ledger: LedgerBatch): VerifiedRecord {
  const checked = parseRecordProof(proof);
  verifyTransaction(checked, ledger);
  verifyRoot(checked, ledger);
  verifyLeaf(record, checked);
  verifyPath(checked, ledger);
  return { txId: ledger.txId, root: ledger.root, leafIndex: checked.leafIndex, treeSize: ledger.size };
}
