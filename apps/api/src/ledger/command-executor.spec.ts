import {
  evolveOrganisation,
  initialOrganisationState,
  type LedgerEvent,
  type OrganisationState,
} from '@tracelode/domain';
import { type EventStore, InMemoryEventStore, type StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';
import type { CommandMeta } from './command-meta';
import { CommandExecutor, DecisionSession, FoldedStreams } from './command-executor';

// @nestjs/common is ESM-only, which Jest cannot load on Node 20; the executor needs only its decorators.
jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined }));

const STREAM = 'org-mineco';

const registered: LedgerEvent = {
  type: 'OrganisationRegistered',
  data: { orgId: 'mineco', name: 'Mineco', country: 'AU', roles: ['producer'] },
};
const facility = (facilityId: string): LedgerEvent => ({
  type: 'FacilityRegistered',
  data: { orgId: 'mineco', facilityId, kind: 'mine', name: facilityId, country: 'AU' },
});

const meta: CommandMeta = {
  commandId: 'command-1',
  commandType: 'RegisterFacility',
  actor: { orgId: 'mineco', keyId: 'key-1', roles: ['producer'] },
  recordedAt: '2026-03-01T00:00:00.000Z',
  correlationId: 'command-1',
  requestSha256: 'ab'.repeat(32),
};

/** Appends as another process would: straight to the store, unseen by any executor. */
function appendDirectly(
  store: EventStore,
  expectedRevision: StreamWrite['expectedRevision'],
  ...events: LedgerEvent[]
) {
  return store.append([
    {
      stream: STREAM,
      expectedRevision,
      events: events.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: {},
      })),
    },
  ]);
}

/** The `from` of every readStream call on the stream, in order. */
function spyOnReads(store: EventStore): bigint[] {
  const froms: bigint[] = [];
  const readStream = store.readStream.bind(store);
  jest.spyOn(store, 'readStream').mockImplementation((stream, from) => {
    if (stream === STREAM) froms.push(from ?? 0n);
    return readStream(stream, from);
  });
  return froms;
}

const facilityIds = (state: OrganisationState) => (state.exists ? [...state.facilities.keys()] : []);

describe('DecisionSession with folded streams', () => {
  it('reads only the events after the folded revision, and still sees events appended meanwhile', async () => {
    const store = new InMemoryEventStore();
    const folded = new FoldedStreams();
    await appendDirectly(store, 'no_stream', registered, facility('mt-weld'));
    const froms = spyOnReads(store);

    const first = new DecisionSession(store, folded);
    expect(facilityIds(await first.load(STREAM, evolveOrganisation, initialOrganisationState()))).toEqual([
      'mt-weld',
    ]);
    await appendDirectly(store, 1n, facility('fremantle'));
    const second = new DecisionSession(store, folded);
    const state = await second.load(STREAM, evolveOrganisation, initialOrganisationState());

    expect(froms).toEqual([0n, 2n]);
    expect(facilityIds(state)).toEqual(['mt-weld', 'fremantle']);
    // The write expects the revision the load saw, cached or not.
    second.emit(STREAM, [facility('kuantan')]);
    expect(second.writes(meta)[0]!.expectedRevision).toBe(2n);
  });

  it('folds the whole stream again for another evolve function', async () => {
    const store = new InMemoryEventStore();
    const folded = new FoldedStreams();
    await appendDirectly(store, 'no_stream', registered, facility('mt-weld'));
    const froms = spyOnReads(store);
    const countEvents = (count: number) => count + 1;

    await new DecisionSession(store, folded).load(STREAM, evolveOrganisation, initialOrganisationState());
    const count = await new DecisionSession(store, folded).load(STREAM, countEvents, 0);

    expect(count).toBe(2);
    expect(froms).toEqual([0n, 0n]);
  });

  it('does not fold a stream that has no events', async () => {
    const store = new InMemoryEventStore();
    const folded = new FoldedStreams();
    const froms = spyOnReads(store);

    await new DecisionSession(store, folded).load(STREAM, evolveOrganisation, initialOrganisationState());
    await appendDirectly(store, 'no_stream', registered);
    const state = await new DecisionSession(store, folded).load(
      STREAM,
      evolveOrganisation,
      initialOrganisationState(),
    );

    expect(froms).toEqual([0n, 0n]);
    expect(state.exists).toBe(true);
  });
});

describe('FoldedStreams', () => {
  const evolve = () => undefined;

  it('keeps the furthest revision when loads finish out of order', () => {
    const folded = new FoldedStreams();
    folded.remember('s', evolve, 5n, 'five');
    folded.remember('s', evolve, 3n, 'three');

    expect(folded.get('s', evolve)).toEqual({ revision: 5n, state: 'five' });
  });

  it('forgets the least recently loaded stream beyond its capacity', () => {
    const folded = new FoldedStreams(2);
    folded.remember('a', evolve, 0n, 'a');
    folded.remember('b', evolve, 0n, 'b');
    folded.remember('a', evolve, 1n, 'a1');
    folded.remember('c', evolve, 0n, 'c');

    expect(folded.get('b', evolve)).toBeUndefined();
    expect(folded.get('a', evolve)).toEqual({ revision: 1n, state: 'a1' });
    expect(folded.get('c', evolve)).toEqual({ revision: 0n, state: 'c' });
  });
});

describe('CommandExecutor with folded streams', () => {
  it('decides on events another process appended since the stream was folded, and retries a lost race', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store);
    await appendDirectly(store, 'no_stream', registered);
    const register = (facilityId: string, before?: () => Promise<unknown>) =>
      executor.execute(meta, async (session) => {
        const state = await session.load(STREAM, evolveOrganisation, initialOrganisationState());
        await before?.();
        if (state.exists && state.facilities.has(facilityId)) throw new Error(`${facilityId} exists`);
        session.emit(STREAM, [facility(facilityId)]);
        return { facilityIds: facilityIds(state) };
      });

    await register('mt-weld');
    await appendDirectly(store, 1n, facility('fremantle'));
    // Another process appends between this command's load and its append: the append fails on the
    // expected revision, and the retry folds the newer event onto the cached state.
    let raced = false;
    const result = await register('kuantan', async () => {
      if (raced) return;
      raced = true;
      await appendDirectly(store, 2n, facility('port-hedland'));
    });

    expect(result.facilityIds).toEqual(['mt-weld', 'fremantle', 'port-hedland']);
    const events: string[] = [];
    for await (const stored of store.readStream(STREAM))
      events.push(stored.type === 'FacilityRegistered' ? (stored.data.facilityId as string) : stored.type);
    expect(events).toEqual(['OrganisationRegistered', 'mt-weld', 'fremantle', 'port-hedland', 'kuantan']);
  });
});
