// Test support: RFC 9162 §2.1 transcribed literally, recursive and slow, as an independent oracle for the
// library's iterative code. Not exported from the package.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** SHA-256(0x00 ‖ entry). */
export const naiveLeaf = (entry: Uint8Array): Buffer => sha256(Buffer.from([0]), entry);

/** MTH(D[n]) over leaf hashes. */
export function naiveRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const split = k(leaves.length);
  return sha256(Buffer.from([1]), naiveRoot(leaves.slice(0, split)), naiveRoot(leaves.slice(split)));
}

/** PATH(m, D[n]). */
export function naivePath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const split = k(leaves.length);
  return m < split
    ? [...naivePath(m, leaves.slice(0, split)), naiveRoot(leaves.slice(split))]
    : [...naivePath(m - split, leaves.slice(split)), naiveRoot(leaves.slice(0, split))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function naiveProof(m: number, leaves: readonly Buffer[], whole = true): Buffer[] {
  if (m === leaves.length) return whole ? [] : [naiveRoot(leaves)];
  const split = k(leaves.length);
  return m <= split
    ? [...naiveProof(m, leaves.slice(0, split), whole), naiveRoot(leaves.slice(split))]
    : [...naiveProof(m - split, leaves.slice(split), false), naiveRoot(leaves.slice(0, split))];
}

/** n deterministic pseudo-random leaf hashes, as the ledger makes them from event hashes. */
export function sampleLeaves(n: number, seed = 'tracelode'): Buffer[] {
  return Array.from({ length: n }, (_, i) => naiveLeaf(createHash('sha256').update(`${seed}:${i}`).digest()));
}

/** A copy of `proof` with one bit of element `i` flipped. */
export function flipBit(proof: readonly Buffer[], i: number, bit = 0): Buffer[] {
  return proof.map((p, j) => {
    const copy = Buffer.from(p);
    if (j === i) copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  });
}
