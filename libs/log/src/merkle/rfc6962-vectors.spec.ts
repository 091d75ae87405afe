import { consistencyProofFromLeaves, inclusionProofFromLeaves } from './proof-paths';
import {
  VECTOR_CONSISTENCY_PROOFS,
  VECTOR_EMPTY_ROOT,
  VECTOR_ENTRIES,
  VECTOR_INCLUSION_PROOFS,
  VECTOR_ROOTS,
} from './rfc6962-vectors';
import { EMPTY_ROOT, leafHash, rootOfLeaves } from './tree-hash';
import { verifyConsistency, verifyInclusion } from './verify';

const hex = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString('hex'));
const unhex = (hashes: readonly string[]) => hashes.map((h) => Buffer.from(h, 'hex'));
const leaves = VECTOR_ENTRIES.map((entry) => leafHash(Buffer.from(entry, 'hex')));
const root = (size: number) => Buffer.from(VECTOR_ROOTS[size - 1]!, 'hex');

describe('RFC 6962 published vectors (transparency-dev/merkle)', () => {
  it('gives the empty tree the hash of the empty string', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(VECTOR_EMPTY_ROOT);
    expect(rootOfLeaves([]).toString('hex')).toBe(VECTOR_EMPTY_ROOT);
  });

  it.each(VECTOR_ROOTS.map((expected, i) => [i + 1, expected]))(
    'root of %i leaves is %s',
    (size, expected) => {
      expect(rootOfLeaves(leaves.slice(0, size)).toString('hex')).toBe(expected);
    },
  );

  describe.each(VECTOR_INCLUSION_PROOFS)('inclusion of leaf $index in $size', ({ index, size, proof }) => {
    it('generates the published proof', () => {
      expect(hex(inclusionProofFromLeaves(leaves, index, size))).toEqual(proof);
    });

    it('verifies the published proof, and not at another index or in a larger tree', () => {
      const path = unhex(proof);
      expect(verifyInclusion(leaves[index]!, index, size, path, root(size))).toBe(true);
      expect(verifyInclusion(leaves[index]!, index + 1, size, path, root(size))).toBe(false);
      if (size < 8)
        expect(verifyInclusion(leaves[index]!, index, size + 1, path, root(size + 1))).toBe(false);
    });
  });

  describe.each(VECTOR_CONSISTENCY_PROOFS)('consistency of $size1 with $size2', ({ size1, size2, proof }) => {
    it('generates the published proof', () => {
      expect(hex(consistencyProofFromLeaves(leaves, size1, size2))).toEqual(proof);
    });

    it('verifies the published proof, and not with swapped roots or a different first size', () => {
      const path = unhex(proof);
      expect(verifyConsistency(size1, size2, path, root(size1), root(size2))).toBe(true);
      if (size1 !== size2) {
        expect(verifyConsistency(size1, size2, path, root(size2), root(size1))).toBe(false);
        expect(verifyConsistency(size1 + 1, size2, path, root(size1), root(size2))).toBe(false);
      }
    });
  });
});
