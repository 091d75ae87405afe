import { WrongExpectedRevisionError } from '../event-store.errors';
import type { EventStore, StoredEvent, StreamWrite } from '../event-store.port';
import { InMemoryEventStore } from '../in-memory/in-memory-event-store';
import { collect, describeEventStoreContract, expectChained } from '@tracelode/testing';
import { eventHashV1, withoutHashFields } from './event-hash';
import { SealingEventStore, UnsealedEventError } from './sealing-event-store';

/** The contract, read through a view that hides the hash fields the sealer adds to every event's metadata. */
describeEventStoreContract('SealingEventStore over the in-memory store', () => {
  const store = new SealingEventStore(new InMemoryEventStore());
  const unsealed = async function* (events: AsyncIterable<StoredEvent>) {
    for await (const event of events) yield { ...event, metadata: withoutHashFields(event.metadata) };
  };
  const view: EventStore = {
    append: (writes) => store.append(writes),
    readStream: (stream, from) => unsealed(store.readStream(stream, from)),
    readAll: (from) => unsealed(store.readAll(from)),
    subscribeAll: (from) => unsealed(store.subscribeAll(from)),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
  return Promise.resolve({ store: view, cleanup: () => store.close() });
});

const write = (
  stream: string,
  expectedRevision: StreamWrite['expectedRevision'],
  count = 1,
): StreamWrite => ({
  stream,
  expectedRevision,
  events: Array.from({ length: count }, (_, i) => ({
    eventId: `${stream}-${String(expectedRevision)}-${i}-${Math.random()}`,
    type: 'Noted',
    data: { i, note: 'ñ €' },
    metadata: { recordedAt: '2026-11-28T00:00:00.000Z' },
  })),
});

describe('SealingEventStore', () => {
  it('chains every event of a stream to its predecessor, across appends and multi-stream writes', async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    await store.append([write('a', 'no_stream', 3), write('b', 'no_stream')]);
    await store.append([write('a', 2n, 2), write('b', 0n)]);

    expectChained(await collect(store.readStream('a')));
    expectChained(await collect(store.readStream('b')));
    expect((await collect(store.readStream('a'))).length).toBe(5);
  });

  it('reads the predecessor from the store when another writer extended the stream', async () => {
    const inner = new InMemoryEventStore();
    const first = new SealingEventStore(inner);
    const second = new SealingEventStore(inner);
    await first.append([write('a', 'no_stream')]);
    await second.append([write('a', 0n)]); // first's remembered head (revision 0) is now stale
    await first.append([write('a', 1n)]);

    expectChained(await collect(inner.readStream('a')));
  });

  it('tightens "any" to the revision it chained to, so a racing writer is refused rather than forked', async () => {
    const inner = new InMemoryEventStore();
    const store = new SealingEventStore(inner);
    await store.append([write('a', 'any')]);
    await store.append([write('a', 'any', 2)]);
    expectChained(await collect(inner.readStream('a')));

    const racing = new SealingEventStore(inner);
    const [x, y] = await Promise.allSettled([
      store.append([write('a', 'any')]),
      racing.append([write('a', 'any')]),
    ]);
    const refused = [x, y].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.length).toBeLessThanOrEqual(1);
    for (const r of refused) expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
    expectChained(await collect(inner.readStream('a')));
  });

  it('refuses wrong expected revisions as the store does, writing nothing', async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    await store.append([write('a', 'no_stream')]);
    await expect(store.append([write('a', 5n)])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append([write('b', 'stream_exists')])).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    await expect(store.append([write('a', 'no_stream')])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await store.headPosition()).toBe(1n);
  });

  it('names the first failing stream of an append, as the store does, when it refuses a later one', async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    await store.append([write('b', 'no_stream')]);
    for (const later of [write('c', 5n), write('d', 'stream_exists')]) {
      await expect(
        store.append([write('a', 'no_stream'), write('b', 'no_stream'), later]),
      ).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        stream: 'b',
        expected: 'no_stream',
        actual: 0n,
      });
    }
    await expect(store.append([write('a', 'no_stream'), write('c', 5n)])).rejects.toMatchObject({
      stream: 'c',
    });
    expect(await store.headPosition()).toBe(1n);
  });

  it('replaces hash fields a caller supplied instead of trusting them', async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    const forged = write('a', 'no_stream');
    const events = forged.events.map((e) => ({
      ...e,
      metadata: { ...e.metadata, hash: 'ff', prevHash: 'ee' },
    }));
    await store.append([{ ...forged, events }]);
    expectChained(await collect(store.readStream('a')));
  });

  it('commits every field with its own salt, drawn fresh for each event', async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    const shipped: StreamWrite = {
      stream: 'a',
      expectedRevision: 'no_stream',
      events: [0, 1].map((i) => ({
        eventId: `e-${i}`,
        type: 'Shipped',
        data: { batchId: 'A', documents: [{ number: 'BL-1' }, { number: 'BL-2' }], massGrams: 1 },
        metadata: { recordedAt: '2026-11-28T00:00:00.000Z', actor: { orgId: 'o' } },
      })),
    };
    await store.append([shipped]);
    const [first, second] = await collect(store.readStream('a'));
    const salts = first!.metadata.salts as {
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    };

    expect(first!.metadata.hashVersion).toBe(2);
    expect(Object.keys(salts.data).sort()).toEqual(['batchId', 'documents', 'massGrams']);
    expect(salts.data.documents).toHaveLength(2);
    expect(Object.keys(salts.metadata).sort()).toEqual(['actor', 'recordedAt']);
    expect(second!.metadata.salts).not.toEqual(first!.metadata.salts);
    expectChained([first!, second!]);
  });

  it('refuses a value a reader would take for a withheld field', async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    const forged = write('a', 'no_stream');
    const events = forged.events.map((e) => ({ ...e, data: { ...e.data, note: { '...': 'digest' } } }));
    await expect(store.append([{ ...forged, events }])).rejects.toThrow(/data\.note holds a reserved/);
    expect(await store.headPosition()).toBe(0n);
  });

  it('will not extend a stream sealed with hash version 1', async () => {
    const inner = new InMemoryEventStore();
    await new SealingEventStore(inner, 10, (event, prevHash) => ({
      ...event.metadata,
      prevHash,
      hash: eventHashV1(event, prevHash),
    })).append([write('a', 'no_stream')]);
    await expect(new SealingEventStore(inner).append([write('a', 0n)])).rejects.toThrow(
      /sealed with hash version 1: the stream cannot be extended/,
    );
  });

  it('will not extend a stream whose events were written without a hash', async () => {
    const inner = new InMemoryEventStore();
    await inner.append([write('a', 'no_stream')]);
    await expect(new SealingEventStore(inner).append([write('a', 0n)])).rejects.toBeInstanceOf(
      UnsealedEventError,
    );
  });
});
