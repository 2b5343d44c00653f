import { createHash } from 'node:crypto';
import {
  MerkleFrontier,
  MerkleTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`event ${i}`));
const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === 0 ? x ^ 1 : x)));

describe('the Merkle tree over the log (RFC 6962)', () => {
  it('hashes as RFC 6962 does: empty, one leaf, and the split at the largest power of two', () => {
    expect(treeHash([]).toString('hex')).toBe(createHash('sha256').digest('hex'));
    const d = leaves(3);
    expect(treeHash(d.slice(0, 1))).toEqual(d[0]);
    expect(treeHash(d)).toEqual(nodeHash(nodeHash(d[0], d[1]), d[2]));
    // The leaf prefix: a leaf can never pass for a node.
    expect(leafHash('x')).toEqual(
      createHash('sha256')
        .update(Buffer.from([0]))
        .update('x')
        .digest(),
    );
  });

  it('keeps the same root as a frontier of O(log n) hashes', () => {
    const d = leaves(37);
    const f = new MerkleFrontier();
    d.forEach((l, i) => {
      f.push(l);
      expect(f.root()).toEqual(treeHash(d, 0, i + 1));
    });
  });

  it('answers the same hashes and proofs from its levels as from the leaves', () => {
    for (let n = 1; n <= 40; n++) {
      const d = leaves(n);
      const tree = new MerkleTree(d);
      expect(tree.root()).toEqual(treeHash(d));
      for (let i = 0; i < n; i++) expect(tree.inclusionProof(i)).toEqual(inclusionProof(d, i));
    }
  });

  it('proves every leaf of every tree up to 40 leaves in, and nothing else', () => {
    for (let n = 1; n <= 40; n++) {
      const d = leaves(n);
      const root = treeHash(d);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(d, i);
        expect(verifyInclusion(i, n, d[i], proof, root)).toBe(true);
        expect(verifyInclusion(i, n, flip(d[i]), proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion((i + 1) % n, n, d[i], proof, root)).toBe(false);
      }
    }
  });

  it('proves every earlier tree a prefix of every later one, and refuses a changed or reordered history', () => {
    for (let n = 1; n <= 40; n++) {
      const d = leaves(n);
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(d, m);
        const old = treeHash(d, 0, m);
        expect(verifyConsistency(m, n, old, treeHash(d), proof)).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, flip(old), treeHash(d), proof)).toBe(false);
          const changed = [...d];
          changed[m - 1] = flip(changed[m - 1]);
          expect(verifyConsistency(m, n, old, treeHash(changed), consistencyProof(changed, m))).toBe(false);
        }
      }
    }
    const d = leaves(8);
    const swapped = [d[1], d[0], ...d.slice(2)];
    expect(verifyConsistency(4, 8, treeHash(d, 0, 4), treeHash(swapped), consistencyProof(swapped, 4))).toBe(false);
  });
});
