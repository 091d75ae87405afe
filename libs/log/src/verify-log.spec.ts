import {
  CorruptEventError,
  eventHash,
  eventHashV1,
  InMemoryEventStore,
  SealingEventStore,
  type StoredEvent,
} from '@tracelode/event-store';
import { collect, notes } from '@tracelode/testing';
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint';
import { naiveLeaf, naiveRoot } from './merkle/naive-merkle-tree';
import { verifyLog } from './verify-log';

const signer = CheckpointSigner.ephemeral();

async function* iterate(events: readonly StoredEvent[]): AsyncIterable<StoredEvent> {
  for (const event of events) {
    await Promise.resolve();
    yield event;
  }
}

const hashOf = (event: StoredEvent) => event.metadata.hash as string;

/** A checkpoint over the first `treeSize` events, its root from the reference RFC 9162 tree. */
function checkpointOver(events: readonly StoredEvent[], treeSize: number): SignedCheckpoint {
  const leaves = events.slice(0, treeSize).map((event) => naiveLeaf(Buffer.from(hashOf(event), 'hex')));
  return signer.sign({
    treeSize,
    rootHash: naiveRoot(leaves).toString('hex'),
    timestamp: new Date(Date.UTC(2026, 10, 28, 12, treeSize)).toISOString(),
  });
}

/** The event re-sealed as if written so: its hash recomputed over its (altered) content and `prevHash`. */
function resealed(event: StoredEvent, prevHash: string | null): StoredEvent {
  const metadata = { ...event.metadata, prevHash };
  return { ...event, metadata: { ...metadata, hash: eventHash({ ...event, metadata }, prevHash) } };
}

/** Re-seals `stream` from revision `from` onwards, so every hash and link in it matches again. */
function resealStream(events: StoredEvent[], stream: string, from: bigint): void {
  let prevHash: string | null = null;
  events.forEach((event, i) => {
    if (event.stream !== stream) return;
    if (event.revision >= from) events[i] = resealed(event, prevHash);
    prevHash = hashOf(events[i]!);
  });
}

describe('verifyLog', () => {
  /** 12 events on three streams, interleaved; positions 1…12. */
  let log: StoredEvent[];
  let checkpoints: SignedCheckpoint[];
  const copy = () => structuredClone(log);
  const at = (events: readonly StoredEvent[], position: number) => events[position - 1]!;

  beforeAll(async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    for (let i = 0; i < 6; i++) await store.append([notes(['a', 'b', 'c'][i % 3]!, i % 2 === 0 ? 1 : 3)]);
    log = await collect(store.readAll());
    expect(log).toHaveLength(12);
    checkpoints = [checkpointOver(log, 5), checkpointOver(log, 12)];
  });

  it('passes an untouched log, matching every checkpoint, with their signatures checked', async () => {
    const verdict = await verifyLog(iterate(log), { checkpoints, publicKey: signer.publicKey });

    expect(verdict).toEqual({
      ok: true,
      events: 12,
      streams: 3,
      checkpointsMatched: [5, 12],
      rootHash: checkpoints[1]!.rootHash,
    });
  });

  it('counts a tree size once when its checkpoint is given twice (a file and the integrity database)', async () => {
    const twice = [...checkpoints, ...checkpoints, checkpointOver(log, 12)];
    const verdict = await verifyLog(iterate(log), { checkpoints: twice, publicKey: signer.publicKey });

    expect(verdict).toMatchObject({ ok: true, checkpointsMatched: [5, 12] });
  });

  it('passes with no checkpoints, giving the root of the log as read', async () => {
    const verdict = await verifyLog(iterate(log.slice(0, 7)));
    expect(verdict.ok).toBe(true);
    expect(verdict.rootHash).toBe(checkpointOver(log, 7).rootHash);
    expect(verdict.checkpointsMatched).toEqual([]);
  });

  it('checks checkpoints given in any order', async () => {
    const verdict = await verifyLog(iterate(log), { checkpoints: [...checkpoints].reverse() });
    expect(verdict.checkpointsMatched).toEqual([5, 12]);
  });

  it('names an event whose data was altered', async () => {
    const events = copy();
    const target = at(events, 7);
    events[6] = { ...target, data: { ...target.data, note: 'altered' } };

    const verdict = await verifyLog(iterate(events), { checkpoints });

    expect(verdict.ok).toBe(false);
    expect(verdict.failure).toMatchObject({ eventId: target.eventId, position: '7' });
    expect(verdict.failure?.message).toMatch(/content does not match its hash/);
    expect(verdict.checkpointsMatched).toEqual([5]);
    expect(verdict.events).toBe(6);
  });

  it('names an event whose metadata was altered, or whose hash was removed', async () => {
    const events = copy();
    events[2] = { ...at(events, 3), metadata: { ...at(events, 3).metadata, schemaVersion: 2 } };
    expect((await verifyLog(iterate(events))).failure?.eventId).toBe(at(log, 3).eventId);

    const unhashed = copy();
    const { hash: _hash, ...rest } = at(unhashed, 4).metadata;
    unhashed[3] = { ...at(unhashed, 4), metadata: rest };
    const verdict = await verifyLog(iterate(unhashed));
    expect(verdict.failure).toMatchObject({ eventId: at(log, 4).eventId, position: '4' });
    expect(verdict.failure?.message).toMatch(/carries no hash/);
  });

  it('names an event sealed with hash version 1, and one showing a field without its salt', async () => {
    const legacy = copy();
    const target = at(legacy, 5);
    const { salts: _salts, hashVersion: _version, ...v1 } = target.metadata;
    const prevHash = target.metadata.prevHash as string | null;
    legacy[4] = { ...target, metadata: { ...v1, hash: eventHashV1({ ...target, metadata: v1 }, prevHash) } };
    const verdict = await verifyLog(iterate(legacy));
    expect(verdict.failure).toMatchObject({ eventId: target.eventId, position: '5' });
    expect(verdict.failure?.message).toMatch(/cannot be hashed: it was sealed with hash version 1, not 2/);

    const unsalted = copy();
    unsalted[5] = { ...at(unsalted, 6), data: { ...at(unsalted, 6).data, added: true } };
    expect((await verifyLog(iterate(unsalted))).failure?.message).toMatch(
      /cannot be hashed: its data\.added is shown without its salt/,
    );
  });

  it('catches an event rewritten with matching hashes at the next checkpoint, which names its last event', async () => {
    const events = copy();
    const target = at(events, 7);
    events[6] = { ...target, data: { ...target.data, note: 'rewritten' } };
    resealStream(events, target.stream, target.revision);

    // Every hash and link holds: only the signed root tells.
    expect((await verifyLog(iterate(events))).ok).toBe(true);
    const verdict = await verifyLog(iterate(events), { checkpoints });

    expect(verdict.ok).toBe(false);
    expect(verdict.checkpointsMatched).toEqual([5]);
    expect(verdict.failure?.message).toMatch(
      /first 12 events are not the ones checkpoint 12 .* signed: the root differs/,
    );
    // Named: the event at the checkpoint's boundary (position 12), not the rewritten one (position 7).
    expect(verdict.failure).toMatchObject({ eventId: at(log, 12).eventId, position: '12' });
  });

  it('names the rewritten event itself when the notarised hashes are at hand', async () => {
    const events = copy();
    const target = at(events, 7);
    events[6] = { ...target, data: { ...target.data, note: 'rewritten' } };
    resealStream(events, target.stream, target.revision);
    const notarised = new Map(log.map((event) => [Number(event.position), hashOf(event)]));

    const verdict = await verifyLog(iterate(events), {
      checkpoints,
      notarisedHashAt: (position) => notarised.get(position),
    });

    expect(verdict.failure).toMatchObject({ eventId: target.eventId, position: '7' });
    expect(verdict.failure?.message).toMatch(/differs from the one notarised at position 7/);
  });

  it('names the event after a missing position', async () => {
    const events = copy();
    events.splice(5, 1); // position 6

    const verdict = await verifyLog(iterate(events), { checkpoints });

    expect(verdict.failure).toMatchObject({ eventId: at(log, 7).eventId, position: '7' });
    expect(verdict.failure?.message).toMatch(/position 6 is missing: the log skips from 5 to 7/);
    expect(verdict.checkpointsMatched).toEqual([5]);
  });

  it('names an event that does not chain to its stream’s previous event', async () => {
    const events = copy();
    const target = at(events, 9);
    expect(target.revision).toBeGreaterThan(0n);
    // A self-consistent hash over a link to the wrong predecessor (another stream's event).
    events[8] = resealed(target, hashOf(events.find((event) => event.stream !== target.stream)!));

    const verdict = await verifyLog(iterate(events));

    expect(verdict.failure).toMatchObject({ eventId: target.eventId, position: '9' });
    expect(verdict.failure?.message).toMatch(/does not chain to the previous event of its stream/);
  });

  it('names a stream’s first event when it claims a predecessor', async () => {
    const events = copy();
    const first = at(events, 2);
    expect(first.revision).toBe(0n);
    events[1] = resealed(first, hashOf(at(events, 1)));
    expect((await verifyLog(iterate(events))).failure?.eventId).toBe(first.eventId);
  });

  it('reports a log shorter than a checkpoint covered (a deleted tail)', async () => {
    const verdict = await verifyLog(iterate(log.slice(0, 10)), { checkpoints });

    expect(verdict.ok).toBe(false);
    expect(verdict.events).toBe(10);
    expect(verdict.checkpointsMatched).toEqual([5]);
    expect(verdict.failure?.message).toMatch(
      /has 10 events, fewer than checkpoint 12 .*: events were deleted/,
    );
    expect(verdict.failure?.eventId).toBeUndefined();
  });

  it('refuses a checkpoint not signed by the given key, before reading the log', async () => {
    const forged = { ...checkpoints[1]!, signature: checkpoints[0]!.signature };
    const verdict = await verifyLog(iterate(log), {
      checkpoints: [checkpoints[0]!, forged],
      publicKey: signer.publicKey,
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.events).toBe(0);
    expect(verdict.failure?.message).toMatch(/checkpoint of tree size 12 is not signed by the given key/);

    const otherKey = CheckpointSigner.ephemeral().publicKey;
    expect((await verifyLog(iterate(log), { checkpoints, publicKey: otherKey })).ok).toBe(false);
    // Without a key only the roots are compared, and they match.
    expect((await verifyLog(iterate(log), { checkpoints: [checkpoints[0]!, forged] })).ok).toBe(true);
  });

  it('catches two events swapped, at the checkpoint, and names the moved event with the notarised hashes', async () => {
    const events = copy();
    // Positions 8 and 9 hold events of different streams: swapped, both chains still hold.
    const [eighth, ninth] = [at(events, 8), at(events, 9)];
    expect(eighth.stream).not.toBe(ninth.stream);
    events[7] = { ...ninth, position: 8n };
    events[8] = { ...eighth, position: 9n };
    expect((await verifyLog(iterate(events))).ok).toBe(true);

    const atCheckpoint = await verifyLog(iterate(events), { checkpoints });
    expect(atCheckpoint.failure).toMatchObject({ eventId: at(log, 12).eventId, position: '12' });

    const notarised = new Map(log.map((event) => [Number(event.position), hashOf(event)]));
    const named = await verifyLog(iterate(events), {
      checkpoints,
      notarisedHashAt: (position) => notarised.get(position),
    });
    expect(named.failure).toMatchObject({ eventId: ninth.eventId, position: '8' });
    expect(named.checkpointsMatched).toEqual([5]);
  });

  it('names an event the store cannot read back', async () => {
    async function* corrupt(): AsyncIterable<StoredEvent> {
      yield* iterate(log.slice(0, 3));
      throw new CorruptEventError('Event at position 4 is not JSON', 4n, at(log, 4).eventId);
    }
    const verdict = await verifyLog(corrupt());
    expect(verdict.failure).toEqual({
      message: 'Event at position 4 is not JSON',
      eventId: at(log, 4).eventId,
      position: '4',
    });
    expect(verdict.events).toBe(3);
  });

  it('lets other read errors through', async () => {
    async function* failing(): AsyncIterable<StoredEvent> {
      yield* iterate(log.slice(0, 1));
      throw new Error('disk gone');
    }
    await expect(verifyLog(failing())).rejects.toThrow('disk gone');
  });
});
