import { createHash } from 'node:crypto';
import {
  allInclusionPaths,
  inclusionPath,
  inclusionPathOfLeafHashes,
  leafHash,
  merkleRoot,
  merkleRootOfLeafHashes,
  nodeHash,
  verifyInclusion,
} from './merkle-tree';

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`record-${i}`));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('RFC 6962 Merkle tree', () => {
  it('matches the RFC definitions for the empty tree, one leaf and an unbalanced tree', () => {
    expect(hex(merkleRoot([]))).toBe(createHash('sha256').digest('hex'));
    // MTH({d0}) = SHA-256(0x00 || d0); for the empty string this is the well-known CT value.
    expect(hex(merkleRoot([Buffer.alloc(0)]))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const [a, b, c] = leaves(3) as [Buffer, Buffer, Buffer];
    // MTH of 3 leaves splits at k = 2: node(node(a, b), c).
    expect(hex(merkleRoot([a, b, c]))).toBe(hex(nodeHash(nodeHash(leafHash(a), leafHash(b)), leafHash(c))));
  });

  it('proves every leaf of trees of size 1 to 33 against the root', () => {
    for (let n = 1; n <= 33; n++) {
      const data = leaves(n);
      const root = merkleRoot(data);
      const all = allInclusionPaths(data);
      for (let i = 0; i < n; i++) {
        const path = inclusionPath(i, data);
        expect(all[i]?.map(hex)).toEqual(path.map(hex));
        expect(verifyInclusion(leafHash(data[i] as Buffer), i, n, path, root)).toBe(true);
      }
    }
  });

  it('rejects a tampered record, a wrong index, a wrong path, a wrong size and a wrong root', () => {
    const data = leaves(10);
    const root = merkleRoot(data);
    const path = inclusionPath(6, data);
    const leaf = leafHash(data[6] as Buffer);
    expect(verifyInclusion(leafHash(Buffer.from('record-6 tampered')), 6, 10, path, root)).toBe(false);
    expect(verifyInclusion(leaf, 5, 10, path, root)).toBe(false);
    expect(verifyInclusion(leaf, 6, 10, [...path.slice(0, -1), Buffer.alloc(32)], root)).toBe(false);
    expect(verifyInclusion(leaf, 6, 10, path.slice(1), root)).toBe(false);
    // A size that changes the tree's shape breaks the proof (the root binds the content, the size the shape).
    expect(verifyInclusion(leaf, 6, 7, path, root)).toBe(false);
    expect(verifyInclusion(leaf, 6, 10, path, merkleRoot(leaves(9)))).toBe(false);
    expect(verifyInclusion(leaf, 10, 10, path, root)).toBe(false);
  });
});

describe('trees over leaf hashes (the lean layout stores leaf hashes, not leaves)', () => {
  it('give the same root and audit paths as the leaves themselves, and refuse an index outside the tree', () => {
    for (let size = 1; size <= 9; size++) {
      const tree = Array.from({ length: size }, (_, index) => Buffer.from(`leaf-${index}`));
      const hashes = tree.map(leafHash);
      expect(merkleRootOfLeafHashes(hashes)).toEqual(merkleRoot(tree));
      for (let index = 0; index < size; index++)
        expect(inclusionPathOfLeafHashes(index, hashes)).toEqual(inclusionPath(index, tree));
      expect(() => inclusionPathOfLeafHashes(size, hashes)).toThrow(RangeError);
    }
  });
});
