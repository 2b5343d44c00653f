import { createHash } from 'node:crypto';

/**
 * An append-only Merkle tree over the log (RFC 6962 / RFC 9162 §2.1): leaves hashed with a 0x00
 * prefix, interior nodes with 0x01, a tree of n leaves split at the largest power of two below n.
 * Inclusion proofs show one event is in a tree; consistency proofs show a tree is an append-only
 * extension of an earlier one. Hashes are 32-byte Buffers.
 */
const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const leafHash = (leaf: Buffer | string): Buffer => sha256(LEAF, Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf));
export const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(NODE, left, right);

/** The largest power of two smaller than n (n > 1). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH(D[start:end]) over leaf hashes. */
export const treeHash = (leaves: readonly Buffer[], start = 0, end = leaves.length): Buffer => {
  const n = end - start;
  if (n === 0) return sha256();
  if (n === 1) return leaves[start];
  const k = split(n);
  return nodeHash(treeHash(leaves, start, start + k), treeHash(leaves, start + k, end));
};

/** The root of a growing tree kept as its "frontier" (one hash per set bit of the size): O(log n) memory. */
export class MerkleFrontier {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(leaf: Buffer): void {
    let node = { size: 1, hash: leaf };
    while (this.stack.length && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.count++;
  }

  /** What a restart needs to go on: the size and the frontier's hashes. */
  toJSON(): { size: number; nodes: { size: number; hash: string }[] } {
    return { size: this.count, nodes: this.stack.map((n) => ({ size: n.size, hash: n.hash.toString('base64') })) };
  }

  static fromJSON(j: { size: number; nodes: { size: number; hash: string }[] }): MerkleFrontier {
    const f = new MerkleFrontier();
    for (const n of j.nodes) f.stack.push({ size: n.size, hash: Buffer.from(n.hash, 'base64') });
    f.count = j.size;
    if (f.stack.reduce((s, n) => s + n.size, 0) !== j.size) throw new Error('a Merkle frontier whose nodes do not add up to its size');
    return f;
  }

  root(): Buffer {
    if (!this.stack.length) return sha256();
    let hash = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = nodeHash(this.stack[i].hash, hash);
    return hash;
  }
}

/** PATH(m, D[start:end]): the audit path of leaf `index` (RFC 6962 §2.1.1). */
export const inclusionProof = (leaves: readonly Buffer[], index: number, start = 0, end = leaves.length): Buffer[] => {
  const n = end - start;
  if (n <= 1) return [];
  const k = split(n);
  return index < k
    ? [...inclusionProof(leaves, index, start, start + k), treeHash(leaves, start + k, end)]
    : [...inclusionProof(leaves, index - k, start + k, end), treeHash(leaves, start, start + k)];
};

/** RFC 9162 §2.1.3.2: does `proof` put `leaf` at `index` of a tree of `size` with root `root`? */
export const verifyInclusion = (index: number, size: number, leaf: Buffer, proof: readonly Buffer[], root: Buffer): boolean => {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
};

/** PROOF(m, D[n]) (RFC 6962 §2.1.2): the tree of the first m leaves is a prefix of the tree of all of them. */
export const consistencyProof = (leaves: readonly Buffer[], m: number): Buffer[] => {
  const sub = (m0: number, start: number, end: number, whole: boolean): Buffer[] => {
    const n = end - start;
    if (m0 === n) return whole ? [] : [treeHash(leaves, start, end)];
    const k = split(n);
    return m0 <= k
      ? [...sub(m0, start, start + k, whole), treeHash(leaves, start + k, end)]
      : [...sub(m0 - k, start + k, end, false), treeHash(leaves, start, start + k)];
  };
  return m === 0 || m === leaves.length ? [] : sub(m, 0, leaves.length, true);
};

/** RFC 9162 §2.1.4.2: does `proof` show the tree (size2, root2) extends the tree (size1, root1)? */
export const verifyConsistency = (size1: number, size2: number, root1: Buffer, root2: Buffer, proof: readonly Buffer[]): boolean => {
  if (size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  // Every tree extends the empty one, whose root is the hash of nothing.
  if (size1 === 0) return proof.length === 0 && root1.equals(sha256());
  if (proof.length === 0) return false;
  const path = [...proof];
  // A size1 that is a power of two is itself a node of the tree: the proof omits it.
  if ((size1 & (size1 - 1)) === 0) path.unshift(root1);
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else sr = nodeHash(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
};

/**
 * A whole tree held as its levels of complete, aligned subtrees (2n hashes): any node of the RFC
 * 6962 tree is a level entry or, on the right edge, a few of them combined, so a proof costs
 * O(log n) once the tree is built. For exports and proof endpoints over many events.
 */
export class MerkleTree {
  private readonly levels: Buffer[][];

  constructor(leaves: readonly Buffer[]) {
    this.levels = [[...leaves]];
    for (let level = this.levels[0]; level.length > 1;) {
      const up: Buffer[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
      this.levels.push(up);
      level = up;
    }
  }

  get size(): number {
    return this.levels[0].length;
  }

  /** MTH(D[start:end]). */
  hash(start = 0, end = this.size): Buffer {
    const n = end - start;
    if (n === 0) return createHash('sha256').digest();
    const height = Math.log2(n);
    if (Number.isInteger(height) && start % n === 0) return this.levels[height][start / n];
    const k = split(n);
    return nodeHash(this.hash(start, start + k), this.hash(start + k, end));
  }

  root(): Buffer {
    return this.hash();
  }

  inclusionProof(index: number, start = 0, end = this.size): Buffer[] {
    if (start === 0 && end === this.size && !(Number.isSafeInteger(index) && index >= 0 && index < end))
      throw new RangeError(`no leaf ${index} in a tree of ${end}`);
    const n = end - start;
    if (n <= 1) return [];
    const k = split(n);
    return index < k
      ? [...this.inclusionProof(index, start, start + k), this.hash(start + k, end)]
      : [...this.inclusionProof(index - k, start + k, end), this.hash(start, start + k)];
  }
}
