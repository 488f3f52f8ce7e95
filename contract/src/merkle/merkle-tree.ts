import { createHash } from 'node:crypto';

/**
 * RFC 6962 (Certificate Transparency) Merkle trees over a batch of records. Leaves and interior
 * nodes are hashed with different prefixes (0x00, 0x01) so a leaf can never pass for a node.
 * Pure functions: the chaincode computes the root it stores, and verifiers recompute it offline.
 */
export type Hash = Buffer;

const sha256 = (...parts: Uint8Array[]): Hash => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(data: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return sha256(NODE_PREFIX, left, right);
}

/** Largest power of two strictly less than n (n ≥ 2): where RFC 6962 splits a tree. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOfHashes(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return hashes[0] as Hash;
  const k = split(hashes.length);
  return nodeHash(rootOfHashes(hashes.slice(0, k)), rootOfHashes(hashes.slice(k)));
}

/**
 * The Merkle Tree Hash of the leaves (RFC 6962 §2.1).
 *
 * @example
 * merkleRoot([Buffer.from('a'), Buffer.from('b')]).toString('hex')
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Hash {
  return rootOfHashes(leaves.map(leafHash));
}

/** The Merkle Tree Hash over leaves given by their leaf hashes (what the lean layout stores per record). */
export function merkleRootOfLeafHashes(hashes: readonly Uint8Array[]): Hash {
  return rootOfHashes(hashes.map((hash) => Buffer.from(hash)));
}

/** The audit path for leaf `index` over leaves given by their leaf hashes. */
export function inclusionPathOfLeafHashes(index: number, hashes: readonly Uint8Array[]): Hash[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length)
    throw new RangeError(`leaf index ${index} is outside 0..${hashes.length - 1}`);
  return pathOfHashes(
    index,
    hashes.map((hash) => Buffer.from(hash)),
  );
}

function pathOfHashes(index: number, hashes: readonly Hash[]): Hash[] {
  if (hashes.length <= 1) return [];
  const k = split(hashes.length);
  return index < k
    ? [...pathOfHashes(index, hashes.slice(0, k)), rootOfHashes(hashes.slice(k))]
    : [...pathOfHashes(index - k, hashes.slice(k)), rootOfHashes(hashes.slice(0, k))];
}

/** The audit path for leaf `index` (RFC 6962 §2.1.1), leaf-side sibling first. */
export function inclusionPath(index: number, leaves: readonly Uint8Array[]): Hash[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError(`leaf index ${index} is outside 0..${leaves.length - 1}`);
  return pathOfHashes(index, leaves.map(leafHash));
}

/** Every leaf's audit path at once, in O(n log n) instead of n separate walks. */
export function allInclusionPaths(leaves: readonly Uint8Array[]): Hash[][] {
  const paths: Hash[][] = leaves.map(() => []);
  const walk = (offset: number, hashes: readonly Hash[]): Hash => {
    if (hashes.length === 0) return sha256();
    if (hashes.length === 1) return hashes[0] as Hash;
    const k = split(hashes.length);
    const left = walk(offset, hashes.slice(0, k));
    const right = walk(offset + k, hashes.slice(k));
    for (let i = offset; i < offset + k; i++) paths[i]?.push(right);
    for (let i = offset + k; i < offset + hashes.length; i++) paths[i]?.push(left);
    return nodeHash(left, right);
  };
  walk(0, leaves.map(leafHash));
  return paths;
}

/**
 * Recomputes the root from a leaf hash, its index, the tree size and the audit path
 * (RFC 9162 §2.1.3.2) and compares it with the expected root.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let hash: Buffer = Buffer.from(leaf);
  for (const sibling of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      hash = nodeHash(sibling, hash);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hash.equals(Buffer.from(root));
}
