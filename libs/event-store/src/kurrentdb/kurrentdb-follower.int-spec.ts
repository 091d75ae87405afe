import { randomUUID } from 'node:crypto';
import { KurrentDbWireServer } from '@tracelode/testing';
import type { StoredEvent } from '../event-store.port';
import { LogFollower } from '../log-follower';
import { KurrentDbEventStore, METADATA_KEY } from './kurrentdb-event-store';

/** A follower that keeps the positions it applied and counts its subscriptions. */
class Recorder extends LogFollower {
  readonly applied: bigint[] = [];
  constructor(store: KurrentDbEventStore) {
    super(store, { max: 100 });
  }
  protected get reached(): bigint {
    return this.applied.at(-1) ?? 0n;
  }
  protected apply(batch: readonly StoredEvent[]): void {
    for (const stored of batch) this.applied.push(stored.position);
  }
}

/**
 * An event of the log the store cannot read as an event: on the SQLite store, a column that no longer
 * parses is a CorruptEventError, and a follower stops for good on it (`error`: PROJECTOR_FAILED in
 * `/health`), since no second read mends it (ADR 0028, amended). On KurrentDB the same (its Tracelode
 * metadata not JSON) must not be taken for an outage and read again for ever, with `/health` 200.
 */
describe('a follower on KurrentDB at an event it cannot read', () => {
  let wire: KurrentDbWireServer;
  let store: KurrentDbEventStore;
  let follower: Recorder;

  beforeEach(async () => {
    wire = await new KurrentDbWireServer().start();
    store = await KurrentDbEventStore.connect(wire.connectionString);
    follower = new Recorder(store);
  });
  afterEach(async () => {
    await follower.stop();
    await store.close();
    wire.stop();
  });

  it('stops for good, as on the SQLite store, instead of reading it again for ever', async () => {
    await store.append([
      {
        stream: `s-${randomUUID()}`,
        expectedRevision: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'Happened', data: {}, metadata: {} }],
      },
    ]);
    follower.start();
    expect(await follower.waitFor(1n, 5_000)).toBe(true);

    // Event 2: its Tracelode metadata is not JSON (written by another client of the same KurrentDB).
    const server = wire as unknown as {
      write(stream: string, records: unknown[]): unknown;
      notify(): void;
    };
    server.write(`s-${randomUUID()}`, [
      {
        id: randomUUID(),
        type: 'Happened',
        contentType: 'application/json',
        data: Buffer.from('{}'),
        customMetadata: Buffer.from(JSON.stringify({ [METADATA_KEY]: '{not json' })),
      },
    ]);
    server.notify();

    expect(await follower.waitFor(2n, 3_000)).toBe(false);
    expect({ error: follower.error?.message, interruption: follower.interruption?.message }).toEqual({
      error: expect.stringMatching(/2/),
      interruption: undefined,
    });
  });
});
