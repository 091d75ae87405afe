import { randomUUID } from 'node:crypto';
import type { StoredEvent, StreamWrite } from './event-store.port';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { positionAt } from './position-at';

/** Counts the reads positionAt makes and the events it pulls from them. */
class CountingStore extends InMemoryEventStore {
  reads = 0;
  pulled = 0;
  returned = 0;

  override readAll(from?: bigint): AsyncIterable<StoredEvent> {
    this.reads += 1;
    const events = super.readAll(from)[Symbol.asyncIterator]();
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const result = await events.next();
          if (!result.done) this.pulled += 1;
          return result;
        },
        return: async () => {
          this.returned += 1;
          return (await events.return?.()) ?? { value: undefined, done: true };
        },
      }),
    };
  }
}

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

const write = (stream: string, count: number): StreamWrite => ({
  stream,
  expectedRevision: 'any',
  events: Array.from({ length: count }, () => ({
    eventId: randomUUID(),
    type: 'Ticked',
    data: {},
    metadata: {},
  })),
});

describe('positionAt', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  /** Appends `count` events in one commit at T0 + ms; returns the commit's last position. */
  const appendAt = async (store: InMemoryEventStore, ms: number, count = 1) => {
    jest.setSystemTime(at(ms));
    return (await store.append([write(`s-${ms}`, count)])).position;
  };

  it('is 0n on an empty log', async () => {
    expect(await positionAt(new InMemoryEventStore(), at(0))).toBe(0n);
  });

  it('is 0n before the first event and the head after the last', async () => {
    const store = new InMemoryEventStore();
    await appendAt(store, 10);
    await appendAt(store, 20);
    const head = await appendAt(store, 30);

    expect(await positionAt(store, at(9))).toBe(0n);
    expect(await positionAt(store, at(31))).toBe(head);
    expect(await positionAt(store, new Date('2100-01-01T00:00:00Z'))).toBe(head);
  });

  it('includes events recorded exactly at the instant, up to the last of a shared millisecond', async () => {
    const store = new InMemoryEventStore();
    await appendAt(store, 10, 3); // 1..3
    await appendAt(store, 20, 2); // 4..5
    await appendAt(store, 20, 40); // 6..45, the same millisecond as the commit before
    await appendAt(store, 21); // 46

    expect(await positionAt(store, at(10))).toBe(3n);
    expect(await positionAt(store, at(19))).toBe(3n);
    expect(await positionAt(store, at(20))).toBe(45n);
    expect(await positionAt(store, at(21))).toBe(46n);
  });

  it('agrees with a scan of the log at every recorded instant and just before it', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 60; i++) await appendAt(store, i * 7 - (i % 3 === 0 ? 0 : 7), 1 + (i % 4));
    const log: StoredEvent[] = [];
    for await (const event of store.readAll()) log.push(event);
    const scan = (instant: number) =>
      BigInt(log.filter((event) => Date.parse(event.recordedAt) <= instant).length);

    for (const instant of new Set(log.map((event) => Date.parse(event.recordedAt))))
      for (const probe of [instant - 1, instant, instant + 1])
        expect([probe - T0, await positionAt(store, new Date(probe))]).toEqual([probe - T0, scan(probe)]);
  });

  it('reads O(log n) single events and closes every iterator it opens', async () => {
    const store = new CountingStore();
    for (let i = 0; i < 1000; i++) await appendAt(store, i);

    expect(await positionAt(store, at(617))).toBe(618n);

    expect(store.reads).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)) + 1);
    expect(store.pulled).toBe(store.reads);
    expect(store.returned).toBe(store.reads);
  });

  it('refuses an invalid Date', async () => {
    await expect(positionAt(new InMemoryEventStore(), new Date('not a time'))).rejects.toThrow(RangeError);
  });
});
