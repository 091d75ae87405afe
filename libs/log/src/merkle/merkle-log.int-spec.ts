import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MerkleLog } from './merkle-log';
import { naivePath, naiveProof, naiveRoot, sampleLeaves } from './naive-merkle-tree';
import { consistencyProofFromLeaves, inclusionProofFromLeaves } from './proof-paths';
import { EMPTY_ROOT, rootOfLeaves } from './tree-hash';
import { verifyConsistency, verifyInclusion } from './verify';

const BATCHES = [1, 2, 3, 1, 5, 8, 13, 1, 21, 34, 7, 64, 2, 100, 1];
const leaves = sampleLeaves(BATCHES.reduce((a, b) => a + b, 0));

describe('MerkleLog on a SQLite file', () => {
  let dir: string;
  let path: string;
  let db: Database.Database;
  let log: MerkleLog;

  const reopen = () => {
    db.close();
    db = new Database(path);
    log = new MerkleLog(db);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-merkle-'));
    path = join(dir, 'merkle.db');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    log = new MerkleLog(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const appendInBatches = (upTo = leaves.length) => {
    let appended = 0;
    for (const batch of BATCHES) {
      if (appended >= upTo) break;
      log.append(leaves.slice(appended, Math.min(appended + batch, upTo)));
      appended = Math.min(appended + batch, upTo);
      expect(log.size).toBe(appended);
      expect(log.root()).toEqual(rootOfLeaves(leaves.slice(0, appended)));
    }
  };

  it('starts empty, with the empty root', () => {
    expect(log.size).toBe(0);
    expect(log.root()).toEqual(EMPTY_ROOT);
    log.append([]);
    expect(log.size).toBe(0);
  });

  it('grown in uneven batches, has every earlier root and the leaves in order', () => {
    appendInBatches();
    for (let size = 0; size <= leaves.length; size++) {
      expect(log.root(size)).toEqual(naiveRoot(leaves.slice(0, size)));
    }
    for (const [index, leaf] of leaves.entries()) expect(log.leaf(index)).toEqual(leaf);
  });

  it('gives the same inclusion proofs as the pure functions, for every leaf at several tree sizes', () => {
    appendInBatches();
    for (const size of [1, 2, 3, 7, 8, 9, 64, 100, 193, leaves.length]) {
      const tree = leaves.slice(0, size);
      for (let index = 0; index < size; index++) {
        const proof = log.inclusionProof(index, size);
        expect(proof).toEqual(inclusionProofFromLeaves(tree, index));
        expect(proof).toEqual(naivePath(index, tree));
        expect(verifyInclusion(leaves[index]!, index, size, proof, log.root(size))).toBe(true);
      }
    }
  });

  it('gives the same consistency proofs as the pure functions', () => {
    appendInBatches();
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 64, 100, 127, 128, 200, leaves.length];
    for (const size2 of sizes) {
      for (const size1 of sizes.filter((s) => s <= size2)) {
        const proof = log.consistencyProof(size1, size2);
        expect(proof).toEqual(consistencyProofFromLeaves(leaves.slice(0, size2), size1));
        expect(proof).toEqual(naiveProof(size1, leaves.slice(0, size2)));
        expect(verifyConsistency(size1, size2, proof, log.root(size1), log.root(size2))).toBe(true);
      }
    }
  });

  it('continues correctly after the file is closed and reopened, at every size', () => {
    let appended = 0;
    for (const batch of BATCHES) {
      log.append(leaves.slice(appended, appended + batch));
      appended += batch;
      reopen();
      expect(log.size).toBe(appended);
      expect(log.root()).toEqual(rootOfLeaves(leaves.slice(0, appended)));
    }
    expect(log.inclusionProof(leaves.length - 1)).toEqual(naivePath(leaves.length - 1, leaves));
  });

  it('still proves old checkpoints after growth: old inclusions against old roots, and consistency onwards', () => {
    appendInBatches(50);
    const oldRoot = log.root();
    const oldProofs = leaves.slice(0, 50).map((_, index) => log.inclusionProof(index));
    log.append(leaves.slice(50));
    expect(log.root()).not.toEqual(oldRoot);
    for (let index = 0; index < 50; index++) {
      const proof = log.inclusionProof(index, 50);
      expect(proof).toEqual(oldProofs[index]);
      expect(verifyInclusion(leaves[index]!, index, 50, proof, oldRoot)).toBe(true);
    }
    const consistency = log.consistencyProof(50);
    expect(verifyConsistency(50, log.size, consistency, oldRoot, log.root())).toBe(true);
  });

  it("joins a caller's transaction: committed with the caller's own rows, rolled back with them", () => {
    db.exec('CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL)');
    const checkpoint = db.prepare('INSERT INTO checkpoints (size, root) VALUES (?, ?)');
    const appendAndCheckpoint = db.transaction((batch: Buffer[], fail: boolean) => {
      log.append(batch);
      checkpoint.run(log.size, log.root());
      if (fail) throw new Error('signing failed');
    });

    appendAndCheckpoint(leaves.slice(0, 10), false);
    expect(() => appendAndCheckpoint(leaves.slice(10, 20), true)).toThrow('signing failed');
    expect(log.size).toBe(10);
    expect(db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get()).toEqual({ n: 1 });

    appendAndCheckpoint(leaves.slice(10, 30), false);
    expect(log.root()).toEqual(rootOfLeaves(leaves.slice(0, 30)));
    reopen();
    expect(log.root(10)).toEqual(rootOfLeaves(leaves.slice(0, 10)));
  });

  it('reads its size from the file, so two connections appending in turn grow one tree', () => {
    const other = new Database(path);
    try {
      const otherLog = new MerkleLog(other);
      for (let i = 0; i < 20; i += 4) {
        log.append(leaves.slice(i, i + 3));
        otherLog.append(leaves.slice(i + 3, i + 4));
      }
      expect(log.size).toBe(20);
      expect(otherLog.root()).toEqual(rootOfLeaves(leaves.slice(0, 20)));
    } finally {
      other.close();
    }
  });

  it('validates its arguments with RangeErrors that say what is wrong', () => {
    log.append(leaves.slice(0, 8));
    expect(() => log.leaf(8)).toThrow(new RangeError('leaf index 8 is not below the log size 8'));
    expect(() => log.leaf(-1)).toThrow(new RangeError('leaf index must be a non-negative integer, got -1'));
    expect(() => log.root(9)).toThrow(new RangeError('tree size 9 exceeds the log size 8'));
    expect(() => log.root(1.5)).toThrow(RangeError);
    expect(() => log.inclusionProof(5, 5)).toThrow(new RangeError('leaf index 5 is not below tree size 5'));
    expect(() => log.inclusionProof(0, 9)).toThrow(new RangeError('tree size 9 exceeds the log size 8'));
    expect(() => log.inclusionProof(0, 0)).toThrow(RangeError);
    expect(() => log.consistencyProof(5, 3)).toThrow(
      new RangeError('first tree size 5 exceeds second tree size 3'),
    );
    expect(() => log.consistencyProof(0, 8)).toThrow(/empty tree/);
    expect(() => log.consistencyProof(3, 9)).toThrow(new RangeError('tree size 9 exceeds the log size 8'));
  });

  it('refuses a batch holding anything but 32-byte hashes, appending none of it', () => {
    expect(() => log.append([leaves[0]!, Buffer.alloc(31)])).toThrow(
      new RangeError('leaf hash 1 of the batch is not a 32-byte Buffer'),
    );
    expect(log.size).toBe(0);
  });

  it('reports a store that lost a node instead of returning a wrong root', () => {
    log.append(leaves.slice(0, 6));
    db.prepare('DELETE FROM merkle_nodes WHERE level = 2 AND idx = 0').run();
    expect(() => log.root()).toThrow('merkle_nodes has no node at level 2, index 0');
  });
});
