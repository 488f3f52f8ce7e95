import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseRecordProof,
  RecordProofError,
  verifyRecordProof,
  type LedgerBatch,
  type RecordInclusionProof,
  type RecordProofErrorCode,
} from './record-proof';

/** A proof as `Batches:GetInclusionProof` returned it for leaf 2 of a 5-record batch, with the batch as GetBatch read it. */
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'record-proof.json'), 'utf8')) as {
  ledgerBatch: LedgerBatch;
  proof: RecordInclusionProof;
};
const { proof, ledgerBatch } = fixture;
type Json = Record<string, unknown>;
const record = proof.record as Json;

function codeOf(call: () => unknown): RecordProofErrorCode {
  try {
    call();
  } catch (error) {
    if (error instanceof RecordProofError) return error.code;
    throw error;
  }
  throw new Error('expected verification to fail');
}

const flip = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

describe('verifyRecordProof: a genuine proof', () => {
  it('verifies and says what it established', () => {
    expect(verifyRecordProof(record, proof, ledgerBatch)).toEqual({
      txId: ledgerBatch.txId,
      root: ledgerBatch.root,
      leafIndex: 2,
      treeSize: 5,
    });
  });

  it('the leaf is SHA-256(0x00 ‖ canonical JSON of the record), whatever the key order of the record held', () => {
    expect(proof.leafHash).toBe(
      createHash('sha256')
        .update(Buffer.from([0]))
        .update(JSON.stringify(sortDeep(record)))
        .digest('hex'),
    );
    const reordered = Object.fromEntries(Object.entries(record).reverse());
    expect(verifyRecordProof(reordered, proof, ledgerBatch).leafIndex).toBe(2);
  });

  it('accepts the ledger knowing the leaf index when it agrees', () => {
    expect(verifyRecordProof(record, proof, { ...ledgerBatch, leafIndex: 2 }).leafIndex).toBe(2);
  });
});

describe('verifyRecordProof: tampering', () => {
  it.each([
    ['a changed field', { ...record, latencyMs: 999 }],
    ['a changed nested field', { ...record, usage: { inputTokens: 0, outputTokens: 5, source: 'provider' } }],
    ['an added field', { ...record, tags: ['x'] }],
    ['a removed field', Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'latencyMs'))],
    [
      'another record of the batch',
      { ...record, id: 'fixture-1', usage: { inputTokens: 11, outputTokens: 5, source: 'provider' } },
    ],
  ])('a tampered record (%s) is LEAF_MISMATCH', (_what, tampered) => {
    expect(codeOf(() => verifyRecordProof(tampered, proof, ledgerBatch))).toBe('LEAF_MISMATCH');
  });

  it('a tampered record with a leaf hash recomputed to match is PATH_INVALID: the path no longer reaches the root', () => {
    const tampered = { ...record, latencyMs: 999 };
    const leafHash = createHash('sha256')
      .update(Buffer.from([0]))
      .update(JSON.stringify(sortDeep(tampered)))
      .digest('hex');
    expect(codeOf(() => verifyRecordProof(tampered, { ...proof, record: tampered, leafHash }, ledgerBatch))).toBe(
      'PATH_INVALID',
    );
  });

  it.each([
    ['a flipped sibling', (path: string[]) => path.map((hash, i) => (i === 1 ? flip(hash) : hash))],
    ['siblings swapped', (path: string[]) => [path[1] ?? '', path[0] ?? '', ...path.slice(2)]],
    ['a sibling missing', (path: string[]) => path.slice(0, -1)],
    ['an extra sibling', (path: string[]) => [...path, path[0] ?? '']],
    ['no path at all', () => []],
  ])('a wrong audit path (%s) is PATH_INVALID', (_what, change) => {
    expect(
      codeOf(() => verifyRecordProof(record, { ...proof, auditPath: change([...proof.auditPath]) }, ledgerBatch)),
    ).toBe('PATH_INVALID');
  });

  it('a wrong leaf index is PATH_INVALID, and so is a proof for another index than the ledger says', () => {
    expect(codeOf(() => verifyRecordProof(record, { ...proof, leafIndex: 3 }, ledgerBatch))).toBe('PATH_INVALID');
    expect(codeOf(() => verifyRecordProof(record, proof, { ...ledgerBatch, leafIndex: 1 }))).toBe('PATH_INVALID');
  });

  it("a root that is not the ledger's is ROOT_MISMATCH, even when the proof is consistent with its own root", () => {
    expect(codeOf(() => verifyRecordProof(record, { ...proof, root: flip(proof.root) }, ledgerBatch))).toBe(
      'ROOT_MISMATCH',
    );
    expect(codeOf(() => verifyRecordProof(record, proof, { ...ledgerBatch, root: flip(ledgerBatch.root) }))).toBe(
      'ROOT_MISMATCH',
    );
  });

  it('a tree size that is not the batch size is TREE_SIZE_MISMATCH', () => {
    expect(codeOf(() => verifyRecordProof(record, { ...proof, treeSize: 6 }, ledgerBatch))).toBe('TREE_SIZE_MISMATCH');
  });

  it("a transaction that is not the ledger's batch is TX_MISMATCH", () => {
    expect(codeOf(() => verifyRecordProof(record, { ...proof, txId: 'f'.repeat(64) }, ledgerBatch))).toBe(
      'TX_MISMATCH',
    );
    expect(codeOf(() => verifyRecordProof(record, proof, { ...ledgerBatch, txId: 'e'.repeat(64) }))).toBe(
      'TX_MISMATCH',
    );
  });
});

describe('parseRecordProof', () => {
  it('accepts the fixture', () => {
    expect(parseRecordProof(JSON.parse(JSON.stringify(proof)) as unknown).leafIndex).toBe(2);
  });

  it('names every problem of a malformed proof', () => {
    let message = '';
    try {
      parseRecordProof({ record: [], leafHash: 'XYZ', leafIndex: 7, treeSize: 5, auditPath: ['00'], root: 1 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'PROOF_MALFORMED: record must be an object; leafHash must be 64 lowercase hex; leafIndex must be below treeSize; auditPath must be an array of 64 lowercase hex; root must be 64 lowercase hex; txId must be a non-empty string',
    );
  });

  it.each([null, 'proof', [], 42])('refuses %p', (value) => {
    expect(codeOf(() => parseRecordProof(value))).toBe('PROOF_MALFORMED');
  });
});

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortDeep((value as Json)[key])]),
    );
  }
  return value;
}
