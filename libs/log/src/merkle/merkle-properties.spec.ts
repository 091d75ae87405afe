import { MerkleAccumulator } from './merkle-accumulator';
import { naivePath, naiveProof, naiveRoot, flipBit, naiveLeaf, sampleLeaves } from './naive-merkle-tree';
import {
  consistencyPath,
  consistencyProofFromLeaves,
  inclusionPath,
  inclusionProofFromLeaves,
} from './proof-paths';
import { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, rootOfLeaves } from './tree-hash';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify';

const SIZES = [...Array.from({ length: 70 }, (_, i) => i + 1), 127, 128, 129, 255, 1000, 1025];
const leaves = sampleLeaves(1025);
const roots = [EMPTY_ROOT, ...leaves.map((_, i) => naiveRoot(leaves.slice(0, i + 1)))];
const otherRoot = naiveLeaf(Buffer.from('not a root'));

describe('hashing', () => {
  it('prefixes leaves with 0x00 and nodes with 0x01, for 32-byte and other entries', () => {
    const entry = Buffer.alloc(HASH_SIZE, 7);
    expect(leafHash(entry)).toEqual(naiveLeaf(entry));
    expect(leafHash(Buffer.from('abc'))).toEqual(naiveLeaf(Buffer.from('abc')));
    expect(nodeHash(leaves[0]!, leaves[1]!)).toEqual(naiveRoot(leaves.slice(0, 2)));
  });

  it('refuses node children that are not 32-byte hashes', () => {
    expect(() => nodeHash(Buffer.alloc(31), leaves[0]!)).toThrow(RangeError);
  });
});

describe('roots', () => {
  it.each(SIZES)('rootOfLeaves matches the recursive MTH at size %i', (size) => {
    expect(rootOfLeaves(leaves.slice(0, size))).toEqual(roots[size]);
  });

  it('MerkleAccumulator gives the same root as rootOfLeaves at every size up to 1025', () => {
    const accumulator = new MerkleAccumulator();
    expect(accumulator.root()).toEqual(EMPTY_ROOT);
    for (const [i, leaf] of leaves.entries()) {
      accumulator.push(leaf);
      expect(accumulator.size).toBe(i + 1);
      expect(accumulator.root()).toEqual(roots[i + 1]);
    }
  });

  it('MerkleAccumulator keeps no reference to the buffers pushed into it or handed out', () => {
    const accumulator = new MerkleAccumulator();
    const scratch = Buffer.alloc(HASH_SIZE);
    for (const leaf of leaves.slice(0, 37)) {
      leaf.copy(scratch);
      accumulator.push(scratch);
      accumulator.root().fill(0);
    }
    expect(accumulator.root()).toEqual(roots[37]);
  });

  it('MerkleAccumulator refuses a leaf hash of the wrong length', () => {
    expect(() => new MerkleAccumulator().push(Buffer.alloc(33))).toThrow(RangeError);
  });
});

describe('inclusion proofs', () => {
  it.each(SIZES)(
    'every leaf of a tree of %i has the RFC proof, which verifies and resists tampering',
    (size) => {
      const tree = leaves.slice(0, size);
      const root = roots[size]!;
      const indices = size <= 129 ? tree.keys() : [0, 1, size >> 1, size - 2, size - 1];
      for (const index of indices) {
        const proof = inclusionProofFromLeaves(tree, index);
        expect(proof).toEqual(naivePath(index, tree));
        const leaf = tree[index]!;
        expect(rootFromInclusionProof(leaf, index, size, proof)).toEqual(root);
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);

        for (let i = 0; i < proof.length; i++) {
          expect(verifyInclusion(leaf, index, size, flipBit(proof, i, 3), root)).toBe(false);
        }
        expect(verifyInclusion(flipBit([leaf], 0, 5)[0]!, index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, otherRoot)).toBe(false);
        if (index > 0) expect(verifyInclusion(leaf, index - 1, size, proof, root)).toBe(false);
        if (index + 1 < size) expect(verifyInclusion(leaf, index + 1, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size * 2, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, size, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
        }
      }
    },
  );

  it('rejects proofs whose tree size changes their shape', () => {
    // Sizes with the same path length: only the size's bits tell the verifier where siblings sit.
    const proof = inclusionProofFromLeaves(leaves.slice(0, 6), 4);
    expect(verifyInclusion(leaves[4]!, 4, 5, proof, roots[6]!)).toBe(false);
    expect(verifyInclusion(leaves[4]!, 4, 7, proof, roots[6]!)).toBe(false);
  });

  it('refuses to generate a proof for an index outside the tree', () => {
    const hashOf = () => EMPTY_ROOT;
    expect(() => inclusionPath(3, 3, hashOf)).toThrow(
      new RangeError('leaf index 3 is not below tree size 3'),
    );
    expect(() => inclusionPath(-1, 3, hashOf)).toThrow(RangeError);
    expect(() => inclusionPath(0.5, 3, hashOf)).toThrow(RangeError);
    expect(() => inclusionProofFromLeaves(leaves.slice(0, 4), 0, 5)).toThrow(
      new RangeError('tree size 5 exceeds the log size 4'),
    );
  });
});

describe('consistency proofs', () => {
  it('for every 1 ≤ m ≤ n ≤ 40: the RFC proof, which verifies and resists tampering', () => {
    for (let n = 1; n <= 40; n++) {
      const tree = leaves.slice(0, n);
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProofFromLeaves(tree, m);
        expect(proof).toEqual(naiveProof(m, tree));
        const [root1, root2] = [roots[m]!, roots[n]!];
        expect(verifyConsistency(m, n, proof, root1, root2)).toBe(true);
        if (m === n) {
          expect(verifyConsistency(m, n, [root1], root1, root2)).toBe(false);
          continue;
        }
        for (let i = 0; i < proof.length; i++) {
          expect(verifyConsistency(m, n, flipBit(proof, i, 4), root1, root2)).toBe(false);
        }
        expect(verifyConsistency(m, n, proof, otherRoot, root2)).toBe(false);
        expect(verifyConsistency(m, n, proof, root1, otherRoot)).toBe(false);
        expect(verifyConsistency(m, n, proof, root2, root1)).toBe(false);
        expect(verifyConsistency(m, n, [], root1, root2)).toBe(false);
        expect(verifyConsistency(m, n, proof.slice(0, -1), root1, root2)).toBe(false);
        expect(verifyConsistency(m, n, [...proof, root2], root1, root2)).toBe(false);
        expect(verifyConsistency(m, n, [proof[0]!, ...proof], root1, root2)).toBe(false);
        expect(verifyConsistency(n, m, proof, root1, root2)).toBe(false);
        expect(verifyConsistency(m, n + 1, proof, root1, roots[n + 1]!)).toBe(false);
        // A wrong old size may share the proof's shape; it then fails on the old root it claims.
        if (m > 1) expect(verifyConsistency(m - 1, n, proof, roots[m - 1]!, root2)).toBe(false);
        if (m + 1 < n) expect(verifyConsistency(m + 1, n, proof, roots[m + 1]!, root2)).toBe(false);
      }
    }
  });

  it.each([
    [1, 1025],
    [512, 1025],
    [513, 1000],
    [700, 1024],
    [1000, 1025],
  ])('verifies the proof from %i to %i in larger trees', (m, n) => {
    const proof = consistencyProofFromLeaves(leaves.slice(0, n), m);
    expect(proof).toEqual(naiveProof(m, leaves.slice(0, n)));
    expect(verifyConsistency(m, n, proof, roots[m]!, roots[n]!)).toBe(true);
    expect(verifyConsistency(m, n, flipBit(proof, proof.length - 1), roots[m]!, roots[n]!)).toBe(false);
  });

  it('accepts the empty tree as a prefix of any tree, with an empty proof only', () => {
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, roots[5]!)).toBe(true);
    expect(verifyConsistency(0, 5, [roots[5]!], EMPTY_ROOT, roots[5]!)).toBe(false);
    expect(verifyConsistency(0, 5, [], otherRoot, roots[5]!)).toBe(false);
  });

  it('refuses to generate a proof from the empty tree or backwards', () => {
    const hashOf = () => EMPTY_ROOT;
    expect(() => consistencyPath(0, 3, hashOf)).toThrow(RangeError);
    expect(() => consistencyPath(4, 3, hashOf)).toThrow(
      new RangeError('first tree size 4 exceeds second tree size 3'),
    );
  });
});

describe('sizes beyond 2^32, where bitwise operators would truncate', () => {
  const [a, b, c] = sampleLeaves(3, 'subtree roots');

  it('verifies an inclusion proof in a perfect tree of 2^33 leaves, folding by the bits of the index', () => {
    const index = 2 ** 32 + 2 ** 20 + 5;
    const proof = sampleLeaves(33, 'siblings');
    let root = leaves[0]!;
    for (const [level, sibling] of proof.entries()) {
      const isRightChild = (BigInt(index) >> BigInt(level)) & 1n;
      root = isRightChild ? naiveRoot([sibling, root]) : naiveRoot([root, sibling]);
    }
    expect(verifyInclusion(leaves[0]!, index, 2 ** 33, proof, root)).toBe(true);
    expect(verifyInclusion(leaves[0]!, index - 2 ** 32, 2 ** 33, proof, root)).toBe(false);
  });

  it('generates and verifies a consistency proof from 3·2^32 to 2^34 leaves', () => {
    const [g32, g33, g34] = [2 ** 32, 2 ** 33, 2 ** 34];
    const subtrees = new Map([
      [`0-${g33}`, a!],
      [`${g33}-${3 * g32}`, b!],
      [`${3 * g32}-${g34}`, c!],
    ]);
    const proof = consistencyPath(3 * g32, g34, (start, end) => subtrees.get(`${start}-${end}`)!);
    expect(proof).toEqual([b, c, a]);
    const root1 = naiveRoot([a!, b!]);
    const root2 = naiveRoot([a!, naiveRoot([b!, c!])]);
    expect(verifyConsistency(3 * g32, g34, proof, root1, root2)).toBe(true);
    expect(verifyConsistency(3 * g32 - 1, g34, proof, root1, root2)).toBe(false);
  });
});
