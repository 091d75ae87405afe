import { CorruptEventError, EventStoreUnavailableError } from './event-store.errors';
import type { EventStore, StoredEvent } from './event-store.port';
import { newEventId } from './event-id';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { LogFollower } from './log-follower';

/**
 * The in-memory store, whose subscriptions can be made to fail (as KurrentDB's do when it goes away) or to
 * end unasked; it counts where each subscription began.
 */
class FaultyStore extends InMemoryEventStore {
  readonly subscribedFrom: bigint[] = [];
  /** Failures the next reads of the log throw, one a read, after the event they waited for arrives. */
  readonly faults: (Error | 'end')[] = [];
  /** Every subscription from now on fails at once with this. */
  down?: Error;

  override subscribeAll(from = 1n): AsyncIterable<StoredEvent> {
    this.subscribedFrom.push(from);
    const inner = super.subscribeAll(from)[Symbol.asyncIterator]();
    const down = this.down;
    const faults = this.faults;
    return {
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<StoredEvent>> {
          if (down) throw down;
          const read = await inner.next();
          const fault = faults.shift();
          if (fault === 'end') return { done: true, value: undefined };
          if (fault) throw fault;
          return read;
        },
        return: () => inner.return!(),
      }),
    };
  }
}

/** A follower that keeps the positions it applied, and refuses the ones it is told to. */
class Recorder extends LogFollower {
  readonly applied: bigint[] = [];
  refuse?: bigint;
  checkFailure?: Error;

  constructor(store: EventStore) {
    super(store, { max: 100 });
  }

  protected get reached(): bigint {
    return this.applied.at(-1) ?? 0n;
  }

  protected apply(batch: readonly StoredEvent[]): void {
    for (const stored of batch) {
      if (stored.position === this.refuse) throw new Error(`cannot apply ${stored.position}`);
      this.applied.push(stored.position);
    }
  }

  protected override checkReached(): Promise<void> {
    const failure = this.checkFailure;
    this.checkFailure = undefined;
    return failure ? Promise.reject(failure) : Promise.resolve();
  }
}

const append = (store: EventStore, n: number) =>
  store.append([
    {
      stream: `s-${newEventId()}`,
      expectedRevision: 'no_stream',
      events: Array.from({ length: n }, () => ({
        eventId: newEventId(),
        type: 'Happened',
        data: {},
        metadata: {},
      })),
    },
  ]);

const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('LogFollower when the log cannot be read', () => {
  let store: FaultyStore;
  let follower: Recorder;

  beforeEach(() => {
    store = new FaultyStore();
    follower = new Recorder(store);
  });
  afterEach(() => follower.stop());

  it('reads again from the event after the last it applied once a read fails, and says why meanwhile', async () => {
    await append(store, 2);
    follower.start();
    expect(await follower.waitFor(2n, 2_000)).toBe(true);

    store.faults.push(new EventStoreUnavailableError('KurrentDB is unavailable: UNAVAILABLE'));
    await append(store, 1);
    await settled();
    expect(follower.interruption?.message).toBe('KurrentDB is unavailable: UNAVAILABLE');
    expect(follower.error).toBeUndefined();

    expect(await follower.waitFor(3n, 2_000)).toBe(true);
    expect(follower.applied).toEqual([1n, 2n, 3n]);
    expect(store.subscribedFrom).toEqual([1n, 3n]);
    expect(follower.interruption).toBeUndefined();
  });

  it('tries again, pausing longer each time, while the store stays away, and follows once it is back', async () => {
    await append(store, 1);
    store.down = new EventStoreUnavailableError('KurrentDB is unavailable');
    follower.start();
    await new Promise((resolve) => setTimeout(resolve, 900));
    // Tries at 0, 250 and 750 ms: the pauses double.
    expect(store.subscribedFrom).toEqual([1n, 1n, 1n]);
    expect(follower.interruption?.message).toBe('KurrentDB is unavailable');
    store.down = undefined;
    expect(await follower.waitFor(1n, 3_000)).toBe(true);
    expect(follower.error).toBeUndefined();
  });

  it('reads again when its subscription ends unasked', async () => {
    await append(store, 1);
    follower.start();
    expect(await follower.waitFor(1n, 2_000)).toBe(true);
    store.faults.push('end');
    await append(store, 1);
    await settled();
    expect(follower.interruption?.message).toBe('The subscription to the log ended');
    expect(await follower.waitFor(2n, 2_000)).toBe(true);
    expect(store.subscribedFrom).toEqual([1n, 2n]);
  });

  it('stops for good at an event it cannot apply, and its waiters hear so at once', async () => {
    await append(store, 3);
    follower.refuse = 2n;
    follower.start();
    expect(await follower.waitFor(3n, 2_000)).toBe(false);
    expect(follower.error?.message).toBe('cannot apply 2');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(store.subscribedFrom).toEqual([1n]);
    expect(follower.applied).toEqual([1n]);
  });

  it('stops for good at an event the store reads as corrupt: a second read does not mend it', async () => {
    await append(store, 1);
    follower.start();
    expect(await follower.waitFor(1n, 2_000)).toBe(true);
    store.faults.push(new CorruptEventError('event 2 was altered', 2n, 'e-2'));
    await append(store, 1);
    expect(await follower.waitFor(2n, 2_000)).toBe(false);
    expect(follower.error).toBeInstanceOf(CorruptEventError);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(store.subscribedFrom).toEqual([1n]);
  });

  it('stops for good when the check of what it reached finds something wrong, and tries again when the store could not answer it', async () => {
    follower.checkFailure = new EventStoreUnavailableError('KurrentDB is unavailable');
    await append(store, 1);
    follower.start();
    expect(await follower.waitFor(1n, 2_000)).toBe(true);
    expect(store.subscribedFrom).toEqual([1n, 1n]);

    const other = new Recorder(store);
    other.checkFailure = new Error('the integrity file belongs to another ledger');
    other.start();
    expect(await other.waitFor(1n, 2_000)).toBe(false);
    expect(other.error?.message).toBe('the integrity file belongs to another ledger');
    await other.stop();
  });

  it('stops at once when stopped during a pause between tries', async () => {
    store.down = new EventStoreUnavailableError('KurrentDB is unavailable');
    follower.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the pause under way is now 1 s or more
    const stopped = await Promise.race([
      follower.stop().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still pausing'), 500)),
    ]);
    expect(stopped).toBe('stopped');
    const tries = store.subscribedFrom.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(store.subscribedFrom).toHaveLength(tries);
  });
});

/**
 * The in-memory store, made to go away as KurrentDB does when it stops: the open subscriptions fail at
 * once, whether or not an event is on its way, and new ones fail until it is back.
 */
class OutageStore extends InMemoryEventStore {
  private readonly cuts = new Set<(error: Error) => void>();
  private down?: Error;

  goAway(error: Error): void {
    this.down = error;
    for (const cut of this.cuts) cut(error);
  }

  comeBack(): void {
    this.down = undefined;
  }

  override subscribeAll(from = 1n): AsyncIterable<StoredEvent> {
    const inner = super.subscribeAll(from)[Symbol.asyncIterator]();
    const down = this.down;
    let cut: (error: Error) => void = () => undefined;
    const broken = new Promise<never>((_, reject) => (cut = reject));
    broken.catch(() => undefined);
    this.cuts.add(cut);
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<StoredEvent>> =>
          down ? Promise.reject(down) : Promise.race([inner.next(), broken]),
        return: () => {
          this.cuts.delete(cut);
          return inner.return!();
        },
      }),
    };
  }
}

describe('LogFollower after an outage of the store, with nothing new written', () => {
  it('says it follows again once the store is back, without waiting for a new event', async () => {
    const store = new OutageStore();
    const follower = new Recorder(store);
    try {
      await append(store, 2);
      follower.start();
      expect(await follower.waitFor(2n, 2_000)).toBe(true);

      // KurrentDB stops while the follower is at the head, and comes back a second later; nobody writes.
      store.goAway(new EventStoreUnavailableError('KurrentDB is unavailable: UNAVAILABLE'));
      await settled();
      expect(follower.interruption?.message).toBe('KurrentDB is unavailable: UNAVAILABLE');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      store.comeBack();

      // Its next try subscribes (pauses of 250, 500, 1,000 ms so far: within 2 s) and the log is read to
      // its end: it follows the log again, and /health/ready must say so.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(follower.error).toBeUndefined();
      expect(follower.interruption).toBeUndefined();
    } finally {
      await follower.stop();
    }
  });
});
