import type Database from 'better-sqlite3';
import { assertTreeSize, consistencyPath, inclusionPath } from './proof-paths';
import { assertCount, EMPTY_ROOT, HASH_SIZE, nodeHash } from './tree-hash';

/**
 * A Merkle tree persisted in SQLite, grown leaf by leaf. `merkle_nodes` holds the hash of every complete
 * perfect aligned subtree: leaves at level 0, node (level, idx) covering leaves [idx·2^level, (idx+1)·2^level).
 * Any tree size's root or proof combines O(log n) of them per range, O(log² n) reads per proof, and the
 * size is the number of leaves stored, so a rolled-back append leaves nothing out of step.
 */
export class MerkleLog {
  private readonly selectNode: Database.Statement<[number, number], Buffer>;
  private readonly insertNode: Database.Statement<[number, number, Buffer]>;
  private readonly selectLastLeaf: Database.Statement<[], number>;
  private readonly appendAll: Database.Transaction<(leafHashes: readonly Buffer[]) => void>;

  /** Creates the tree's table in `db` if absent; the caller keeps owning (and closing) the database. */
  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS merkle_nodes (
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (level, idx)
      ) WITHOUT ROWID
    `);
    this.selectNode = db
      .prepare<[number, number], Buffer>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?')
      .pluck();
    this.insertNode = db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
    this.selectLastLeaf = db
      .prepare<[], number>('SELECT idx FROM merkle_nodes WHERE level = 0 ORDER BY idx DESC LIMIT 1')
      .pluck();
    // A nested better-sqlite3 transaction becomes a savepoint, so append joins a caller's transaction.
    this.appendAll = db.transaction((leafHashes: readonly Buffer[]) => this.appendInTransaction(leafHashes));
  }

  /** The number of leaves in the log. */
  get size(): number {
    const last = this.selectLastLeaf.get();
    return last === undefined ? 0 : last + 1;
  }

  /** Appends leaf hashes in order, with every subtree they complete, in one transaction. */
  append(leafHashes: readonly Buffer[]): void {
    for (const [i, hash] of leafHashes.entries()) {
      if (!Buffer.isBuffer(hash) || hash.length !== HASH_SIZE) {
        throw new RangeError(`leaf hash ${i} of the batch is not a ${HASH_SIZE}-byte Buffer`);
      }
    }
    // IMMEDIATE takes the write lock before the size is read, so another connection cannot append in between.
    if (leafHashes.length > 0) this.appendAll.immediate(leafHashes);
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Buffer {
    assertCount('leaf index', index);
    const size = this.size;
    if (index >= size) throw new RangeError(`leaf index ${index} is not below the log size ${size}`);
    return this.node(0, index);
  }

  /** The Merkle Tree Hash of the first `treeSize` leaves. */
  root(treeSize = this.size): Buffer {
    assertTreeSize(treeSize, this.size);
    return treeSize === 0 ? Buffer.from(EMPTY_ROOT) : this.rangeHash(0, treeSize);
  }

  /** The RFC 9162 inclusion proof of leaf `index` in the tree of the first `treeSize` leaves. */
  inclusionProof(index: number, treeSize = this.size): Buffer[] {
    assertTreeSize(treeSize, this.size);
    return inclusionPath(index, treeSize, (start, end) => this.rangeHash(start, end));
  }

  /** The RFC 9162 consistency proof from the tree of `size1` leaves to the tree of `size2` leaves. */
  consistencyProof(size1: number, size2 = this.size): Buffer[] {
    assertTreeSize(size2, this.size);
    return consistencyPath(size1, size2, (start, end) => this.rangeHash(start, end));
  }

  private appendInTransaction(leafHashes: readonly Buffer[]): void {
    let size = this.size;
    const peaks = this.peaks(size);
    for (const leafHash of leafHashes) {
      this.insertNode.run(0, size, leafHash);
      let hash = leafHash;
      let level = 0;
      // Every trailing one bit of the old size is a subtree the new leaf completes, one level up.
      for (let idx = size; idx % 2 === 1;) {
        hash = nodeHash(peaks[level]!, hash);
        level++;
        idx = (idx - 1) / 2;
        this.insertNode.run(level, idx, hash);
      }
      peaks[level] = hash;
      size++;
    }
  }

  /** The compact range of a tree of `size` leaves: the root of its perfect subtree at each set bit's level. */
  private peaks(size: number): Buffer[] {
    const peaks: Buffer[] = [];
    let start = 0;
    for (
      let width = highestPowerOfTwoAtMost(size), level = Math.log2(width);
      width >= 1;
      width /= 2, level--
    ) {
      if (size - start >= width) {
        peaks[level] = this.node(level, start / width);
        start += width;
      }
    }
    return peaks;
  }

  /** MTH(D[start:end]) for a range whose perfect pieces, largest first, are aligned (as proofs ask). */
  private rangeHash(start: number, end: number): Buffer {
    const pieces: Buffer[] = [];
    while (start < end) {
      const width = highestPowerOfTwoAtMost(end - start);
      if (start % width !== 0) throw new Error(`range [${start}, ${end}) is not aligned to stored subtrees`);
      pieces.push(this.node(Math.log2(width), start / width));
      start += width;
    }
    let hash = pieces.pop()!;
    while (pieces.length > 0) hash = nodeHash(pieces.pop()!, hash);
    return hash;
  }

  private node(level: number, idx: number): Buffer {
    const hash = this.selectNode.get(level, idx);
    if (hash === undefined) throw new Error(`merkle_nodes has no node at level ${level}, index ${idx}`);
    return hash;
  }
}

function highestPowerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}
