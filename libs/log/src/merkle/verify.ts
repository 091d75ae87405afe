import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './tree-hash';

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;
const isHash = (h: Uint8Array) => h.length === HASH_SIZE;
const isOdd = (n: number) => n % 2 === 1;
// Sizes reach past 2^32, where JavaScript's bitwise shifts would truncate.
const half = (n: number) => Math.floor(n / 2);

/**
 * The root that an inclusion proof of `leafHash` at `index` implies for a tree of `treeSize` leaves
 * (RFC 9162 §2.1.3.2), or undefined when the proof's shape does not fit that index and size.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return undefined;
  if (!isHash(leafHash) || !proof.every(isHash)) return undefined;
  let fn = index;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node is a right-edge node with no sibling.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** Whether `proof` shows `leafHash` at `index` in the tree of `treeSize` leaves with root `root` (RFC 9162 §2.1.3.2). */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leafHash, index, treeSize, proof);
  return computed !== undefined && computed.equals(root);
}

/**
 * Whether `proof` shows the tree of `size1` leaves with root `root1` is a prefix of the tree of `size2`
 * leaves with root `root2` (RFC 9162 §2.1.4.2). Equal sizes need equal roots and an empty proof; the empty
 * tree (which RFC 9162 gives no proof for) is a prefix of every tree, with an empty proof.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isCount(size1) || !isCount(size2) || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === 0) return proof.length === 0 && EMPTY_ROOT.equals(root1);
  if (size1 === size2) return proof.length === 0 && Buffer.compare(root1, root2) === 0;
  if (proof.length === 0) return false;
  // When the old tree is a perfect subtree of the new one, its root is the proof's implicit first node.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}
