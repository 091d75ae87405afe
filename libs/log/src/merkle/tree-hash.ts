import { createHash, hash } from 'node:crypto';

/** The size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

// RFC 9162 §2.1.1 domain separation: leaves and interior nodes can never collide.
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = 0x01;

// One-shot hashing of a reused buffer is about twice as fast as a streaming Hash object, and the tree is
// verified a million leaves at a time. Safe because hashing is synchronous.
const leafInput = Buffer.alloc(1 + HASH_SIZE);
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/** The root of the empty tree, SHA-256 of the empty string. Shared: do not mutate. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The leaf hash of an entry: SHA-256(0x00 ‖ entry). In the ledger, the entry is an event hash's 32 bytes. */
export function leafHash(entry: Uint8Array): Buffer {
  if (entry.length !== HASH_SIZE) return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
  leafInput.set(entry, 1);
  return hash('sha256', leafInput, 'buffer');
}

/** The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(
      `node children must be ${HASH_SIZE}-byte hashes, got ${left.length} and ${right.length}`,
    );
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

/** The largest power of two strictly below `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The Merkle Tree Hash (RFC 9162 §2.1.1) of the given leaf hashes, in order. */
export function rootOfLeaves(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return Buffer.from(EMPTY_ROOT);
  return rangeRoot(leafHashes, 0, leafHashes.length);
}

function rangeRoot(leafHashes: readonly Uint8Array[], start: number, end: number): Buffer {
  if (end - start === 1) return Buffer.from(leafHashes[start]!);
  const k = splitPoint(end - start);
  return nodeHash(rangeRoot(leafHashes, start, start + k), rangeRoot(leafHashes, start + k, end));
}

/** Throws a RangeError unless `value` is a non-negative safe integer. */
export function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
