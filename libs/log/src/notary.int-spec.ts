import {
  eventHashV1,
  sealV2,
  SealingEventStore,
  SqliteEventStore,
  type StoredEvent,
  type StreamWrite,
} from '@tracelode/event-store';
import { collect, notes, until } from '@tracelode/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSigner, verifyCheckpoint } from './checkpoint';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { naiveLeaf, naiveRoot } from './merkle/naive-merkle-tree';
import { LogIntegrityError, LogNotary, type NotaryOptions } from './notary';

const hashOf = (event: StoredEvent) => event.metadata.hash as string;
/** The root a tree over these events' hashes must have, by the reference implementation of RFC 9162. */
const expectedRoot = (events: readonly StoredEvent[]) =>
  naiveRoot(events.map((event) => naiveLeaf(Buffer.from(hashOf(event), 'hex')))).toString('hex');

describe('LogNotary on SQLite files', () => {
  let dir: string;
  let inner: SqliteEventStore;
  let store: SealingEventStore;
  const signer = CheckpointSigner.ephemeral();
  const running: LogNotary[] = [];

  const open = (options: Partial<NotaryOptions> = {}, file = 'integrity.db') => {
    const notary = LogNotary.open(store, join(dir, file), signer, {
      everyEvents: 1000,
      everyMs: 60_000,
      ...options,
    });
    running.push(notary);
    return notary;
  };
  const stop = async (notary: LogNotary) => {
    running.splice(running.indexOf(notary), 1);
    await notary.stop();
  };
  /** Appends each write on its own and waits until the notary holds it, so each arrives as its own batch. */
  const appendOneByOne = async (notary: LogNotary, writes: StreamWrite[]) => {
    for (const write of writes) {
      const { position } = await store.append([write]);
      expect(await notary.waitFor(Number(position), 5000)).toBe(true);
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-notary-'));
    inner = SqliteEventStore.open(join(dir, 'ledger.db'));
    store = new SealingEventStore(inner);
  });
  afterEach(async () => {
    for (const notary of running.splice(0)) await notary.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('notarises events as they are appended, indexing each by id, position and stream', async () => {
    const notary = open();
    notary.start();
    expect(notary.size).toBe(0);
    await store.append([notes('a', 2), notes('b')]);
    const { position: head } = await store.append([notes('a', 3)]);

    expect(await notary.waitFor(Number(head), 5000)).toBe(true);

    expect(notary.size).toBe(Number(head));
    expect(notary.size).toBe(6);
    const events = await collect(store.readAll());
    for (const event of events) {
      const position = Number(event.position);
      expect(notary.positionOf(event.eventId)).toBe(position);
      expect(notary.eventHashAt(position)).toBe(hashOf(event));
      expect(notary.leaf(position)).toEqual(leafHash(Buffer.from(hashOf(event), 'hex')));
    }
    expect(notary.root(6).toString('hex')).toBe(expectedRoot(events));
    expect(notary.root(3).toString('hex')).toBe(expectedRoot(events.slice(0, 3)));
    const lastOfA = events.filter((event) => event.stream === 'a').at(-1)!;
    expect(notary.streamHead('a')).toEqual({ revision: 4, position: 6, eventId: lastOfA.eventId });
    expect(notary.streamHead('b')).toEqual({ revision: 0, position: 3, eventId: events[2]!.eventId });
    expect(notary.streamHead('c')).toBeUndefined();
    expect(notary.positionOf(randomUUID())).toBeUndefined();
    expect(() => notary.eventHashAt(7)).toThrow(RangeError);
    expect(notary.error).toBeUndefined();
  });

  it('catches up on events appended before it started', async () => {
    const { position } = await store.append([notes('a', 4)]);
    const notary = open();
    notary.start();
    expect(await notary.waitFor(Number(position), 5000)).toBe(true);
    expect(notary.root(4).toString('hex')).toBe(expectedRoot(await collect(store.readAll())));
  });

  it('signs a checkpoint each time N events have been added, over exactly those events', async () => {
    const notary = open({ everyEvents: 5 });
    notary.start();
    await appendOneByOne(
      notary,
      Array.from({ length: 12 }, (_, i) => notes(`s${i % 3}`)),
    );

    const checkpoints = notary.checkpoints(0, 100);
    expect(checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([5, 10]);
    expect(notary.latestCheckpoint()).toEqual(checkpoints[1]);
    expect(notary.checkpointAt(5)).toEqual(checkpoints[0]);
    expect(notary.checkpointAt(6)).toBeUndefined();
    expect(notary.checkpoints(6, 100)).toEqual([checkpoints[1]]);
    const events = await collect(store.readAll());
    for (const checkpoint of checkpoints) {
      expect(checkpoint.rootHash).toBe(expectedRoot(events.slice(0, checkpoint.treeSize)));
      expect(checkpoint.keyId).toBe(signer.keyId);
      expect(verifyCheckpoint(checkpoint, signer.publicKey)).toBe(true);
      expect(verifyCheckpoint(checkpoint, CheckpointSigner.ephemeral().publicKey)).toBe(false);
      expect(verifyCheckpoint({ ...checkpoint, treeSize: checkpoint.treeSize + 1 }, signer.publicKey)).toBe(
        false,
      );
    }
  });

  it('signs on the timer only when the tree grew since the last checkpoint', async () => {
    let clock = Date.parse('2026-11-28T12:00:00.000Z');
    const notary = open({ everyMs: 20, now: () => new Date((clock += 1000)) });
    notary.start();
    await appendOneByOne(notary, [notes('a', 3)]);

    await until(() => notary.latestCheckpoint() !== undefined);
    expect(notary.latestCheckpoint()?.treeSize).toBe(3);
    // Several timer periods with nothing new: no further checkpoint.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(notary.checkpoints(0, 100)).toHaveLength(1);

    await appendOneByOne(notary, [notes('b')]);
    await until(() => notary.latestCheckpoint()?.treeSize === 4);
    const [first, second] = notary.checkpoints(0, 100);
    expect(notary.checkpoints(0, 100)).toHaveLength(2);
    expect(Date.parse(second!.timestamp)).toBeGreaterThan(Date.parse(first!.timestamp));
    for (const checkpoint of [first!, second!]) {
      expect(verifyCheckpoint(checkpoint, signer.publicKey)).toBe(true);
    }
  });

  it('hands out the latest checkpoint when it covers the size asked for, and signs one now otherwise', async () => {
    const notary = open();
    notary.start();
    expect(notary.checkpointCovering(1)).toBeUndefined();
    await appendOneByOne(notary, [notes('a', 4)]);

    expect(notary.checkpointCovering(5)).toBeUndefined(); // beyond the tree: nothing can cover it yet
    expect(notary.checkpoints(0, 100)).toEqual([]);
    const signed = notary.checkpointCovering(3)!;
    expect(signed.treeSize).toBe(4); // signed over the whole tree, not only what was asked
    expect(verifyCheckpoint(signed, signer.publicKey)).toBe(true);
    expect(notary.checkpointCovering(2)).toEqual(signed);
    expect(notary.checkpointCovering(4)).toEqual(signed);
    expect(notary.checkpoints(0, 100)).toEqual([signed]);

    await appendOneByOne(notary, [notes('b', 2)]);
    expect(notary.checkpointCovering(4)).toEqual(signed);
    const newer = notary.checkpointCovering(6)!;
    expect(newer.treeSize).toBe(6);
    expect(newer.rootHash).toBe(expectedRoot(await collect(store.readAll())));
    expect(notary.checkpoints(0, 100)).toEqual([signed, newer]);
  });

  it('proves each event’s inclusion in every checkpoint, and each checkpoint consistent with a later one', async () => {
    const notary = open({ everyEvents: 5 });
    notary.start();
    await appendOneByOne(
      notary,
      Array.from({ length: 11 }, (_, i) => notes(`s${i % 4}`)),
    );
    const [five, ten] = notary.checkpoints(0, 100);
    expect([five?.treeSize, ten?.treeSize]).toEqual([5, 10]);
    const events = await collect(store.readAll());

    for (const checkpoint of [five!, ten!]) {
      const root = Buffer.from(checkpoint.rootHash, 'hex');
      for (const event of events.slice(0, checkpoint.treeSize)) {
        const position = Number(event.position);
        const leaf = leafHash(Buffer.from(notary.eventHashAt(position), 'hex'));
        const proof = notary.inclusionProof(position, checkpoint.treeSize);
        expect(verifyInclusion(leaf, position - 1, checkpoint.treeSize, proof, root)).toBe(true);
        // The same proof does not place the event anywhere else, nor another event here.
        const other = leafHash(Buffer.from(hashOf(events[position % checkpoint.treeSize]!), 'hex'));
        expect(verifyInclusion(other, position - 1, checkpoint.treeSize, proof, root)).toBe(false);
      }
    }
    const proof = notary.consistencyProof(5, 10);
    const [root5, root10] = [five!, ten!].map((checkpoint) => Buffer.from(checkpoint.rootHash, 'hex'));
    expect(verifyConsistency(5, 10, proof, root5!, root10!)).toBe(true);
    expect(verifyConsistency(5, 10, proof, root10!, root5!)).toBe(false);
    expect(verifyConsistency(5, 11, notary.consistencyProof(5, 11), root5!, notary.root(11))).toBe(true);
  });

  it('continues from where it stopped after a reopen, adding no leaf twice', async () => {
    const first = open({ everyEvents: 4 });
    first.start();
    await appendOneByOne(
      first,
      Array.from({ length: 7 }, (_, i) => notes(i < 3 ? 'a' : 'b')),
    );
    const kept = first.checkpoints(0, 100);
    expect(kept.map((checkpoint) => checkpoint.treeSize)).toEqual([4]);
    await stop(first);

    // Appended while no notary runs.
    await store.append([notes('a', 2)]);
    const reopened = open({ everyEvents: 4 });
    expect(reopened.size).toBe(7);
    expect(reopened.checkpoints(0, 100)).toEqual(kept);
    expect(reopened.root(7).toString('hex')).toBe(expectedRoot((await collect(store.readAll())).slice(0, 7)));
    reopened.start();
    await appendOneByOne(reopened, [notes('c', 1)]);

    expect(reopened.size).toBe(10);
    expect(reopened.error).toBeUndefined();
    const fresh = open({ everyEvents: 4 }, 'fresh.db');
    fresh.start();
    expect(await fresh.waitFor(10, 5000)).toBe(true);
    expect(fresh.size).toBe(10);
    for (let size = 1; size <= 10; size++) expect(reopened.root(size)).toEqual(fresh.root(size));
    for (const event of await collect(store.readAll())) {
      expect(reopened.positionOf(event.eventId)).toBe(Number(event.position));
    }
    expect(reopened.streamHead('a')).toEqual(fresh.streamHead('a'));
    expect(reopened.streamHead('a')?.revision).toBe(4);
  });

  it('stops at an event written without sealing, naming it, and fails its waiters', async () => {
    const notary = open();
    notary.start();
    await appendOneByOne(notary, [notes('a', 2)]);
    const waiting = notary.waitFor(3, 10_000);

    const unsealed = notes('raw');
    await inner.append([unsealed]);

    expect(await waiting).toBe(false);
    const error = notary.error;
    expect(error).toBeInstanceOf(LogIntegrityError);
    expect((error as LogIntegrityError).eventId).toBe(unsealed.events[0]!.eventId);
    expect((error as LogIntegrityError).position).toBe(3n);
    expect(error?.message).toMatch(/carries no hash/);
    expect(notary.size).toBe(2);
    expect(await notary.waitFor(3, 1000)).toBe(false);
    // Sealed events after the bad one are not notarised either.
    await store.append([notes('a')]);
    expect(await notary.waitFor(4, 200)).toBe(false);
    expect(notary.size).toBe(2);
  });

  it('stops at an event whose stored hash does not match its content, naming it', async () => {
    const notary = open();
    notary.start();
    await appendOneByOne(notary, [notes('a')]);
    const forged = notes('forged');
    const event = forged.events[0]!;
    const sealed = sealV2({ ...event, stream: 'forged', revision: 0n }, null);
    await inner.append([
      { ...forged, events: [{ ...event, metadata: { ...sealed, hash: 'ab'.repeat(32) } }] },
    ]);

    await until(() => notary.error !== undefined);
    expect(notary.error).toBeInstanceOf(LogIntegrityError);
    expect((notary.error as LogIntegrityError).eventId).toBe(event.eventId);
    expect(notary.error?.message).toMatch(/does not match its hash/);
    expect(await notary.waitFor(2, 1000)).toBe(false);
    expect(notary.positionOf(event.eventId)).toBeUndefined();
  });

  it('stops at an event sealed with hash version 1, saying so', async () => {
    const notary = open();
    notary.start();
    await appendOneByOne(notary, [notes('a')]);
    const legacy = notes('legacy');
    const event = legacy.events[0]!;
    const hash = eventHashV1({ ...event, stream: 'legacy', revision: 0n }, null);
    await inner.append([
      { ...legacy, events: [{ ...event, metadata: { ...event.metadata, prevHash: null, hash } }] },
    ]);

    await until(() => notary.error !== undefined);
    expect((notary.error as LogIntegrityError).eventId).toBe(event.eventId);
    expect(notary.error?.message).toMatch(/cannot be hashed: it was sealed with hash version 1, not 2/);
  });

  it('resolves waiters false when stopped', async () => {
    const notary = open();
    notary.start();
    const waiting = notary.waitFor(1, 10_000);
    await stop(notary);
    expect(await waiting).toBe(false);
  });

  it("refuses to follow a log whose event at its last leaf is not the one it notarised (another ledger's file), naming both", async () => {
    const first = open();
    first.start();
    const { position } = await store.append([notes('a', 3)]);
    expect(await first.waitFor(Number(position), 5000)).toBe(true);
    await stop(first);
    // A second ledger, its own log, but the same integrity file (views in one directory, the default).
    const otherInner = SqliteEventStore.open(join(dir, 'other-ledger.db'));
    const other = new SealingEventStore(otherInner);
    try {
      await other.append([notes('b', 5)]);
      const notary = LogNotary.open(other, join(dir, 'integrity.db'), signer, {
        everyEvents: 1000,
        everyMs: 60_000,
      });
      running.push(notary);
      notary.start();
      await until(() => notary.error !== undefined);
      expect(notary.error).toBeInstanceOf(LogIntegrityError);
      expect(notary.error?.message).toContain('belongs to another ledger');
      expect(notary.size).toBe(3); // nothing of the other log was added
      expect(await notary.waitFor(4, 200)).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('refuses to follow a log shorter than its tree (a log restored to an older state under a newer file)', async () => {
    const notary = open();
    notary.start();
    const { position } = await store.append([notes('a', 2)]);
    expect(await notary.waitFor(Number(position), 5000)).toBe(true);
    await stop(notary);
    const emptyInner = SqliteEventStore.open(join(dir, 'empty.db'));
    const empty = new SealingEventStore(emptyInner);
    try {
      const again = LogNotary.open(empty, join(dir, 'integrity.db'), signer, {
        everyEvents: 1000,
        everyMs: 60_000,
      });
      running.push(again);
      again.start();
      await until(() => again.error !== undefined);
      expect(again.error?.message).toContain('position 2 is missing');
    } finally {
      await empty.close();
    }
  });

  it('follows on after a restart with its own log', async () => {
    const notary = open();
    notary.start();
    await store.append([notes('a', 2)]);
    expect(await notary.waitFor(2, 5000)).toBe(true);
    await stop(notary);
    const again = open();
    again.start();
    const { position } = await store.append([notes('a', 1)]);
    expect(await again.waitFor(Number(position), 5000)).toBe(true);
    expect(again.error).toBeUndefined();
  });
});
