import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './tree-hash';

/**
 * An append-only Merkle tree kept as its compact range: one perfect subtree root per set bit of the size,
 * so O(log n) memory, amortised two hashes per push, and O(log n) hashes per root.
 */
export class MerkleAccumulator {
  // peaks[level] is the root of a perfect subtree of 2^level leaves, meaningful while bit `level` of size is set.
  // One buffer per level, overwritten in place.
  private readonly peaks: Buffer[] = [];
  private count = 0;

  /** The number of leaves pushed. */
  get size(): number {
    return this.count;
  }

  /** Appends the next leaf hash. */
  push(leafHash: Buffer): void {
    if (leafHash.length !== HASH_SIZE) {
      throw new RangeError(`a leaf hash has ${HASH_SIZE} bytes, got ${leafHash.length}`);
    }
    let hash = leafHash;
    let level = 0;
    // Each trailing one bit of the old size is a peak the new leaf completes a pair with (carry propagation).
    for (let n = this.count; n % 2 === 1; n = (n - 1) / 2) {
      hash = nodeHash(this.peaks[level]!, hash);
      level++;
    }
    // Copied into the level's own buffer, so a caller may reuse theirs for the next leaf.
    (this.peaks[level] ??= Buffer.alloc(HASH_SIZE)).set(hash);
    this.count++;
  }

  /**
   * Appends 2^level leaves at once, given the root of the perfect subtree they form: the same tree as
   * pushing them one by one, for a size that is a multiple of 2^level (a verifier that hashed an aligned
   * range of leaves elsewhere hands over its root).
   */
  pushPerfect(subtreeRoot: Buffer, level: number): void {
    const leaves = 2 ** level;
    if (subtreeRoot.length !== HASH_SIZE) {
      throw new RangeError(`a subtree root has ${HASH_SIZE} bytes, got ${subtreeRoot.length}`);
    }
    if (!Number.isSafeInteger(leaves) || this.count % leaves !== 0) {
      throw new RangeError(`a perfect subtree of 2^${level} leaves cannot follow ${this.count} leaves`);
    }
    let hash = subtreeRoot;
    for (let n = this.count / leaves; n % 2 === 1; n = (n - 1) / 2) {
      hash = nodeHash(this.peaks[level]!, hash);
      level++;
    }
    (this.peaks[level] ??= Buffer.alloc(HASH_SIZE)).set(hash);
    this.count += leaves;
  }

  /** The Merkle Tree Hash of the leaves pushed so far. */
  root(): Buffer {
    if (this.count === 0) return Buffer.from(EMPTY_ROOT);
    let level = 0;
    let n = this.count;
    while (n % 2 === 0) {
      n /= 2;
      level++;
    }
    // Fold the peaks from the smallest (rightmost) to the largest, each new one on the left.
    let root: Buffer = Buffer.from(this.peaks[level]!);
    for (n = (n - 1) / 2, level++; n > 0; n = Math.floor(n / 2), level++) {
      if (n % 2 === 1) root = nodeHash(this.peaks[level]!, root);
    }
    return root;
  }
}
