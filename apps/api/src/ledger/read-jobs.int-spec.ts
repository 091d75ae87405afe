import { InMemoryEventStore, type StreamWrite } from '@tracelode/event-store';
import { LEDGER_PROJECTIONS, type Reader, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { mined, organisation, shippedAndReceived, transformation } from '@tracelode/testing';
import {
  liveView,
  liveViewJson,
  liveViewJsonInSlices,
  type LiveViewJob,
  liveViewWithin,
  OVER_BUDGET,
  type ReadHandles,
} from './read-jobs';

/** Lots RefCo made of ROOT, one transformation each. */
const OUTPUTS = 150;
const ADMIN: Reader = { orgId: 'ledger', roles: ['admin'] };
const MINECO: Reader = { orgId: 'mineco', roles: ['producer'] };
const KINDS = ['descendants', 'descendantGraph', 'holdImpact'] as const;
/** A clock for the slices that ticks a millisecond each time it is read: slices independent of the machine. */
const ticks = () => {
  let now = 0;
  return () => ++now;
};

/** The ledger's appends, one command each. */
function ledger(): StreamWrite[][] {
  const writes: StreamWrite[][] = [
    [organisation('mineco', ['producer'], [['mt-weld', 'mine']])],
    [organisation('refco', ['producer'], [['kuantan', 'processing_plant']])],
    [mined('ROOT', 1_000_000, 100)],
    ...shippedAndReceived('ROOT', 1_000_000).map((write) => [write]),
  ];
  for (let i = 1; i <= OUTPUTS; i++) {
    const input = { batchId: 'ROOT', consumedGrams: 1000, remainingGrams: 1_000_000 - 1000 * i };
    writes.push(transformation(`T-${i}`, [input], { batchId: `OUT-${i}`, massGrams: 900 }, 1));
  }
  return writes;
}

/**
 * The live downstream views read on the request thread, where there are no read workers (ADR 0020,
 * amended 2026-11-30): run again slice by slice, yielding between, they answer what one read does.
 */
describe('live downstream views read in slices', () => {
  let views: ReadModelStore;
  let handles: ReadHandles;

  beforeAll(async () => {
    const store = new InMemoryEventStore();
    for (const write of ledger()) await store.append(write);
    views = ReadModelStore.open(':memory:');
    await rebuildViews(store, views, LEDGER_PROJECTIONS);
    handles = {
      store,
      lookup: (collection, key) => views.get(collection, key),
      readConsistently: (read) => views.readConsistently(read),
      log: undefined as unknown as ReadHandles['log'], // a live view reads no log
    };
  });
  afterAll(() => views?.close());

  const job = (view: LiveViewJob['view'], reader = ADMIN, batchId = 'ROOT'): LiveViewJob => ({
    kind: 'live-view',
    view,
    batchId,
    maxGraphNodes: 5000,
    reader,
  });

  it.each(KINDS)('answers %s as one read does, yielding to the event loop between slices', async (kind) => {
    const whole = liveViewJson(handles, job(kind));
    expect(whole).toContain('OUT-150');
    // The event loop's turns while the sliced read runs: several, so it did not hold the thread throughout.
    let turns = 0;
    let done = false;
    const count = () => {
      turns++;
      if (!done) setImmediate(count);
    };
    setImmediate(count);
    // A clock that ticks once a call: each run reads two documents it had not read, then yields.
    const sliced = await liveViewJsonInSlices(handles, job(kind), 0, ticks()).finally(() => (done = true));
    expect(sliced).toBe(whole);
    expect(turns).toBeGreaterThanOrEqual(OUTPUTS / 2);
  });

  it('answers a reader that may list only some descendants as one read does', async () => {
    // MineCo mined ROOT and shipped it: it held none of what RefCo made of it.
    const whole = liveViewJson(handles, job('descendants', MINECO));
    expect(JSON.parse(whole!)).toEqual({ batchId: 'ROOT', direction: 'descendants', descendants: [] });
    expect(await liveViewJsonInSlices(handles, job('descendants', MINECO), 0, ticks())).toBe(whole);
  });

  it('answers nothing for a lot that does not exist or a reader that may not see it', async () => {
    expect(await liveViewJsonInSlices(handles, job('descendants', ADMIN, 'NONE'), 0)).toBeUndefined();
    const stranger = { orgId: 'stranger', roles: ['producer'] };
    expect(await liveViewJsonInSlices(handles, job('holdImpact', stranger), 0)).toBeUndefined();
  });

  it('starts over when the views move between slices, and finishes in one go if they keep moving', async () => {
    let checkpoint = 0n;
    const runs: bigint[] = [];
    const moving: ReadHandles = {
      ...handles,
      // Every run sees a new checkpoint, as if the projector applied events between each two slices.
      readConsistently: (read) => views.readConsistently(() => (runs.push(++checkpoint), read(checkpoint))),
    };
    const sliced = await liveViewJsonInSlices(moving, job('descendants'), 0, ticks());
    expect(sliced).toBe(liveViewJson(handles, job('descendants')));
    // A first run and three that start over, the last of them in one go: never a run per document.
    expect(runs).toHaveLength(4);
  });

  it('answers of the checkpoint it finished on when the views change between slices, never a mix of two', async () => {
    // The same ledger and one lot more made of ROOT (OUT-151): ROOT's provenance lists it only there.
    const store = new InMemoryEventStore();
    for (const write of ledger()) await store.append(write);
    const input = { batchId: 'ROOT', consumedGrams: 1000, remainingGrams: 1_000_000 - 1000 * (OUTPUTS + 1) };
    await store.append(transformation('T-151', [input], { batchId: 'OUT-151', massGrams: 900 }, 1));
    const later = ReadModelStore.open(':memory:');
    try {
      await rebuildViews(store, later, LEDGER_PROJECTIONS);
      // The projector applies T-151 after the read's 20th run, once ROOT's provenance has been read.
      let runs = 0;
      let current = views;
      const changing: ReadHandles = {
        ...handles,
        lookup: (collection, key) => current.get(collection, key),
        readConsistently: (read) => {
          if (++runs === 20) current = later;
          return current.readConsistently(() => read(current === later ? 2n : 1n));
        },
      };
      const laterHandles: ReadHandles = {
        ...handles,
        lookup: (collection, key) => later.get(collection, key),
        readConsistently: (read) => later.readConsistently(read),
      };
      const sliced = await liveViewJsonInSlices(changing, job('descendants'), 0, ticks());
      expect(runs).toBeGreaterThan(20); // the views did change under the read
      expect(sliced).toContain('OUT-151');
      expect(sliced).toBe(liveViewJson(laterHandles, job('descendants')));
    } finally {
      later.close();
    }
  });
  it.each(KINDS)(
    'answers %s on the calling thread within a budget, and hands a longer walk on without an answer',
    (kind) => {
      const read = () => handles.readConsistently(() => liveView(job(kind), handles.lookup));
      // A budget the whole walk fits in: the answer of one read.
      const within = handles.readConsistently(() =>
        liveViewWithin(job(kind), handles.lookup, 1_000_000, {}, ticks()),
      );
      expect(JSON.stringify(within)).toBe(JSON.stringify(read()));
      // A clock that ticks once a lookup: 50 ms are 50 lookups, far short of 150 descendants.
      const over = handles.readConsistently(() => liveViewWithin(job(kind), handles.lookup, 50, {}, ticks()));
      expect(over).toBe(OVER_BUDGET);
    },
  );

  it('answers a stranger and an unknown lot within the budget (nothing to walk), never handing them on', () => {
    const stranger: Reader = { orgId: 'nobody', roles: ['producer'] };
    for (const query of [job('descendants', stranger), job('holdImpact', ADMIN, 'NONE')])
      expect(
        handles.readConsistently(() => liveViewWithin(query, handles.lookup, 50, {}, ticks())),
      ).toBeUndefined();
  });
});
