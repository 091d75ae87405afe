import { InMemoryEventStore, type StreamWrite } from '@tracelode/event-store';
import { ReadModelStore } from '@tracelode/read-models';
import { randomUUID } from 'node:crypto';
import type { DocumentProjection } from './document-projection';
import { Projector } from './projector';

/** Counts the `Counted` events of each key; refuses (throws on) one marked `bad`. */
const counting: DocumentProjection<{ count: number }> = {
  collection: 'counts',
  keyOf: (event) =>
    event.type === ('Counted' as string) ? (event.data as unknown as { key: string }).key : undefined,
  evolve(view, event) {
    if ((event.data as unknown as { bad?: boolean }).bad) throw new Error('cannot apply this one');
    return { count: (view?.count ?? 0) + 1 };
  },
};
const PROJECTIONS = [counting] as DocumentProjection<unknown>[];

const counted = (key: string, bad = false): StreamWrite => ({
  stream: `s-${randomUUID()}`,
  expectedRevision: 'no_stream',
  events: [{ eventId: randomUUID(), type: 'Counted', data: { key, bad }, metadata: {} }],
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Projector batches', () => {
  let store: InMemoryEventStore;
  let views: ReadModelStore;
  let projector: Projector;

  beforeEach(() => {
    store = new InMemoryEventStore();
    views = ReadModelStore.open(':memory:');
    projector = new Projector(store, views, PROJECTIONS);
  });
  afterEach(async () => {
    await projector.stop();
    views.close();
    await store.close();
  });

  it('applies a burst in far fewer read-model transactions than events, with the same result', async () => {
    const transactions = jest.spyOn(views, 'applyAndCheckpoint');
    projector.start();
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.append([counted(`k${i % 3}`)])));
    // Live events too, after the catch-up.
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.append([counted(`k${i % 3}`)])));

    expect(await projector.waitFor(600n, 5000)).toBe(true);
    expect(views.checkpoint()).toBe(600n);
    expect(views.all('counts')).toEqual(['k0', 'k1', 'k2'].map((key) => ({ key, view: { count: 200 } })));
    expect(transactions.mock.calls.length).toBeLessThan(20);
  });

  it('stops just before an event it cannot apply, even in the middle of a batch', async () => {
    await store.append([counted('a')]);
    await store.append([counted('a')]);
    await store.append([counted('b', true)]);
    await store.append([counted('a')]);
    projector.start();

    await until(() => projector.error !== undefined);

    expect(projector.error?.message).toBe('cannot apply this one');
    expect(projector.position).toBe(2n);
    expect(views.checkpoint()).toBe(2n);
    expect(views.all('counts')).toEqual([{ key: 'a', view: { count: 2 } }]);
  });

  describe("gathering (the followers' worker)", () => {
    /** Far longer than any test: a batch applied before it ends was cut short or never gathered. */
    const GATHER_MS = 60_000;
    let gathering: Projector;

    beforeEach(() => {
      gathering = new Projector(store, views, PROJECTIONS, GATHER_MS);
    });
    afterEach(() => gathering.stop());

    it('gathers events committed apart into one transaction until a reader hurries it', async () => {
      const transactions = jest.spyOn(views, 'applyAndCheckpoint');
      gathering.start();
      await store.append([counted('a')]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.append([counted('a')]);

      // Still gathering: nothing applied yet.
      expect(await gathering.waitFor(2n, 200)).toBe(false);
      expect(views.checkpoint()).toBe(0n);

      gathering.hurry(2n);
      expect(await gathering.waitFor(2n, 5000)).toBe(true);
      expect(transactions).toHaveBeenCalledTimes(1);
      expect(views.get('counts', 'a')).toEqual({ count: 2 });
    });

    it('hands on at once, without gathering, what a reader already waits for; then gathers again', async () => {
      gathering.start();
      gathering.hurry(2n);
      await store.append([counted('b')]);
      expect(await gathering.waitFor(1n, 5000)).toBe(true);
      await store.append([counted('b')]);
      expect(await gathering.waitFor(2n, 5000)).toBe(true);

      // Position 2 reached: the next event is gathered again.
      await store.append([counted('b')]);
      expect(await gathering.waitFor(3n, 200)).toBe(false);
      expect(views.get('counts', 'b')).toEqual({ count: 2 });
    });

    it('applies what it gathered when stopped, without waiting out the gather', async () => {
      gathering.start();
      await store.append([counted('c')]);
      expect(await gathering.waitFor(1n, 100)).toBe(false);

      await gathering.stop();

      expect(views.checkpoint()).toBe(1n);
      expect(views.get('counts', 'c')).toEqual({ count: 1 });
    });
  });
});
