import { assertCount, rootOfLeaves, splitPoint } from './tree-hash';

/**
 * The hash of the subtree over leaves [start, end). Proof algorithms only ask for ranges whose start is a
 * multiple of the largest power of two not above their length, so a store can answer from perfect subtrees.
 */
export type RangeHasher = (start: number, end: number) => Buffer;

/** RFC 9162 §2.1.3.1 PATH(index, D[treeSize]): the inclusion proof, the leaf's sibling first. */
export function inclusionPath(index: number, treeSize: number, rangeHash: RangeHasher): Buffer[] {
  assertCount('leaf index', index);
  assertCount('tree size', treeSize);
  if (index >= treeSize) throw new RangeError(`leaf index ${index} is not below tree size ${treeSize}`);
  // The recursion appends each sibling after the deeper ones: walk top-down, then reverse.
  const path: Buffer[] = [];
  let start = 0;
  let end = treeSize;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push(rangeHash(start + k, end));
      end = start + k;
    } else {
      path.push(rangeHash(start, start + k));
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(size1, D[size2]): the consistency proof between two tree sizes. */
export function consistencyPath(size1: number, size2: number, rangeHash: RangeHasher): Buffer[] {
  assertCount('first tree size', size1);
  assertCount('second tree size', size2);
  if (size1 === 0)
    throw new RangeError('no consistency proof from the empty tree: it is a prefix of every tree');
  if (size1 > size2) throw new RangeError(`first tree size ${size1} exceeds second tree size ${size2}`);
  const path: Buffer[] = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let whole = true; // SUBPROOF's b: the old tree so far is a whole subtree the verifier already knows.
  while (m < end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      path.push(rangeHash(start + k, end));
      end = start + k;
    } else {
      path.push(rangeHash(start, start + k));
      start += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) path.push(rangeHash(start, end));
  return path.reverse();
}

/** The inclusion proof of leaf `index` in the tree of the first `treeSize` leaf hashes (O(n) work: for tests and small trees). */
export function inclusionProofFromLeaves(
  leafHashes: readonly Uint8Array[],
  index: number,
  treeSize = leafHashes.length,
): Buffer[] {
  assertTreeSize(treeSize, leafHashes.length);
  return inclusionPath(index, treeSize, (start, end) => rootOfLeaves(leafHashes.slice(start, end)));
}

/** The consistency proof between the trees of the first `size1` and `size2` leaf hashes (O(n) work). */
export function consistencyProofFromLeaves(
  leafHashes: readonly Uint8Array[],
  size1: number,
  size2 = leafHashes.length,
): Buffer[] {
  assertTreeSize(size2, leafHashes.length);
  return consistencyPath(size1, size2, (start, end) => rootOfLeaves(leafHashes.slice(start, end)));
}

/** Throws a RangeError unless `treeSize` is a tree size the log of `size` leaves has had. */
export function assertTreeSize(treeSize: number, size: number): void {
  assertCount('tree size', treeSize);
  if (treeSize > size) throw new RangeError(`tree size ${treeSize} exceeds the log size ${size}`);
}
