export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, rootOfLeaves } from './tree-hash';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify';
export {
  consistencyPath,
  consistencyProofFromLeaves,
  inclusionPath,
  inclusionProofFromLeaves,
  type RangeHasher,
} from './proof-paths';
export { MerkleAccumulator } from './merkle-accumulator';
export { MerkleLog } from './merkle-log';
