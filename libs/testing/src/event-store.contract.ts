import { randomUUID } from 'node:crypto';
import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  EventStoreUnavailableError,
  type ExpectedRevision,
  InvalidAppendError,
  type StoredEvent,
  type StreamWrite,
  WrongExpectedRevisionError,
} from '@tracelode/event-store';

/** What every EventStore adapter must do; each adapter's own spec runs it against a fresh store per test. */
export function describeEventStoreContract(
  name: string,
  open: () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>,
): void {
  describe(`${name} honours the EventStore contract`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('appending', () => {
      it('appends to a new stream expecting no_stream', async () => {
        const result = await store.append([write('batch-1', 'no_stream', 2)]);

        expect(result.position).toBe(2n);
        expect(result.revisions).toEqual(new Map([['batch-1', 1n]]));
        const events = await collect(store.readStream('batch-1'));
        expect(events.map(({ revision, position }) => [revision, position])).toEqual([
          [0n, 1n],
          [1n, 2n],
        ]);
      });

      it('appends at the exact expected revision', async () => {
        await store.append([write('batch-1', 'no_stream', 2)]);

        const result = await store.append([write('batch-1', 1n)]);

        expect(result.position).toBe(3n);
        expect(result.revisions.get('batch-1')).toBe(2n);
      });

      it('appends expecting any, to a new stream and to an existing one', async () => {
        const created = await store.append([write('batch-1', 'any')]);
        const extended = await store.append([write('batch-1', 'any')]);

        expect(created.revisions.get('batch-1')).toBe(0n);
        expect(extended.revisions.get('batch-1')).toBe(1n);
        expect(extended.position).toBe(2n);
      });

      it('appends expecting stream_exists to an existing stream', async () => {
        await store.append([write('batch-1', 'no_stream')]);

        const result = await store.append([write('batch-1', 'stream_exists', 3)]);

        expect(result.position).toBe(4n);
        expect(result.revisions.get('batch-1')).toBe(3n);
      });

      it("returns the append's last position and each written stream's last revision", async () => {
        await store.append([write('other', 'no_stream')]);

        const result = await store.append([write('a', 'no_stream', 2), write('b', 'no_stream', 3)]);

        expect(result.position).toBe(6n);
        expect(result.revisions).toEqual(
          new Map([
            ['a', 1n],
            ['b', 2n],
          ]),
        );
        expect(await store.headPosition()).toBe(6n);
      });

      it('reports head position 0 for an empty log', async () => {
        expect(await store.headPosition()).toBe(0n);
      });
    });

    describe('expected revisions that do not hold', () => {
      it('refuses no_stream when the stream has events', async () => {
        await store.append([write('batch-1', 'no_stream', 2)]);

        const error = await refusal(store.append([write('batch-1', 'no_stream')]));

        expectConflict(error, 'batch-1', 'no_stream', 1n);
      });

      it('refuses an exact revision that is not the last one, or on a missing stream', async () => {
        await store.append([write('batch-1', 'no_stream', 2)]);

        expectConflict(await refusal(store.append([write('batch-1', 0n)])), 'batch-1', 0n, 1n);
        expectConflict(await refusal(store.append([write('batch-1', 5n)])), 'batch-1', 5n, 1n);
        expectConflict(await refusal(store.append([write('batch-2', 0n)])), 'batch-2', 0n, 'no_stream');
      });

      it('refuses stream_exists when the stream has no events', async () => {
        const error = await refusal(store.append([write('batch-1', 'stream_exists')]));

        expectConflict(error, 'batch-1', 'stream_exists', 'no_stream');
      });

      it('fails a write that expects a stream not to exist with a conflict naming that stream', async () => {
        await store.append([write('taken', 'no_stream')]);

        const error = await refusal(store.append([write('fresh', 'no_stream'), write('taken', 'no_stream')]));

        expectConflict(error, 'taken', 'no_stream', 0n);
        expect(await collect(store.readStream('fresh'))).toEqual([]);
      });

      it('names the first failing stream when several expectations fail', async () => {
        await store.append([write('b', 'no_stream'), write('c', 'no_stream')]);

        const error = await refusal(
          store.append([write('a', 'any'), write('b', 'no_stream'), write('c', 'no_stream')]),
        );

        expectConflict(error, 'b', 'no_stream', 0n);
      });
    });

    describe('multi-stream appends', () => {
      it('writes three streams atomically, with consecutive positions in write order', async () => {
        await store.append([write('before', 'no_stream')]);

        const result = await store.append([
          write('a', 'no_stream', 2),
          write('b', 'no_stream', 2),
          write('c', 'no_stream', 2),
        ]);

        expect(result.position).toBe(7n);
        const log = await collect(store.readAll(2n));
        expect(log.map(({ stream, position }) => [stream, position])).toEqual([
          ['a', 2n],
          ['a', 3n],
          ['b', 4n],
          ['b', 5n],
          ['c', 6n],
          ['c', 7n],
        ]);
      });

      it("changes none of three streams when the second stream's expectation fails", async () => {
        await store.append([write('a', 'no_stream')]);
        await store.append([write('b', 'no_stream')]);
        const before = await snapshot(store, ['a', 'b', 'c']);

        const error = await refusal(
          store.append([write('a', 0n), write('b', 'no_stream'), write('c', 'no_stream')]),
        );

        expectConflict(error, 'b', 'no_stream', 0n);
        expect(await snapshot(store, ['a', 'b', 'c'])).toEqual(before);
        expect(await store.headPosition()).toBe(2n);
        expect((await store.append([write('a', 0n)])).position).toBe(3n);
      });
    });

    describe('global positions', () => {
      it('stay gap-free and in commit order when refused appends come between good ones', async () => {
        const positions: bigint[] = [];
        for (let i = 0; i < 6; i++) {
          positions.push((await store.append([write(`good-${i}`, 'no_stream', 2)])).position);
          await refusal(store.append([write(`good-${i}`, 'no_stream')]));
          await refusal(store.append([write('missing', 'stream_exists')]));
        }

        expect(positions).toEqual([2n, 4n, 6n, 8n, 10n, 12n]);
        expect(await positionsOf(store.readAll())).toEqual(range(1, 12));
      });

      it('stay gap-free and in arrival order when refused appends are interleaved in one concurrent burst', async () => {
        await store.append([write('taken', 'no_stream')]);

        const settled = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            i % 2 === 0
              ? store.append([write(`new-${i}`, 'no_stream', 2)])
              : store.append([write('taken', 'no_stream')]),
          ),
        );

        const written = fulfilled(settled).map((result) => result.position);
        expect(written).toEqual(range(1, 10).map((n) => 1n + 2n * n));
        for (const outcome of settled.filter((_, i) => i % 2 === 1))
          expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await positionsOf(store.readAll())).toEqual(range(1, 21));
        expect(await store.headPosition()).toBe(21n);
      });
    });

    describe('reading', () => {
      it('reads a stream from a revision; a missing stream reads empty', async () => {
        await store.append([write('batch-1', 'no_stream', 3)]);
        await store.append([write('other', 'no_stream')]);
        await store.append([write('batch-1', 2n, 2)]);

        const fromTwo = await collect(store.readStream('batch-1', 2n));

        expect(fromTwo.map(({ revision, position }) => [revision, position])).toEqual([
          [2n, 3n],
          [3n, 5n],
          [4n, 6n],
        ]);
        expect(fromTwo.every((event) => event.stream === 'batch-1')).toBe(true);
        expect(await collect(store.readStream('batch-1', 5n))).toEqual([]);
        expect(await collect(store.readStream('nobody'))).toEqual([]);
      });

      it('reads the whole log from a position', async () => {
        await store.append([write('a', 'no_stream', 2)]);
        await store.append([write('b', 'no_stream', 3)]);

        const fromThree = await collect(store.readAll(3n));

        expect(fromThree.map(({ stream, position }) => [stream, position])).toEqual([
          ['b', 3n],
          ['b', 4n],
          ['b', 5n],
        ]);
        expect(await positionsOf(store.readAll())).toEqual(range(1, 5));
        expect(await collect(store.readAll(6n))).toEqual([]);
      });

      it('reads a log and a stream longer than any one page, without losing or repeating events', async () => {
        for (let i = 0; i < 12; i++) {
          await store.append([write('long', i === 0 ? 'no_stream' : BigInt(i * 100 - 1), 100)]);
          await store.append([write(`short-${i}`, 'no_stream', 1)]);
        }

        expect(await positionsOf(store.readAll())).toEqual(range(1, 1212));
        expect(await positionsOf(store.readAll(700n))).toEqual(range(700, 1212));
        const long = await collect(store.readStream('long', 450n));
        expect(long.map((event) => event.revision)).toEqual(range(450, 1199));
      });

      it('records recordedAt as an ISO 8601 UTC timestamp of the commit', async () => {
        const before = Date.now();
        await store.append([write('batch-1', 'no_stream')]);
        const after = Date.now();

        const [event] = await collect(store.readAll());

        expect(event!.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
        const recorded = Date.parse(event!.recordedAt);
        expect(recorded).toBeGreaterThanOrEqual(before);
        expect(recorded).toBeLessThanOrEqual(after);
      });

      it('round-trips nested JSON data and metadata, unicode included', async () => {
        const data = {
          batchId: 'NdPr-2024-0001',
          mass: { value: 1250.75, unit: 'kg' },
          elements: ['Nd', 'Pr', 'Dy'],
          origin: { site: 'Mount Weld — 稀土', coordinates: [-28.86, 122.55], certified: true, note: null },
          remark: 'Zoë said "ok" \\ 🌏\nline two',
          deep: { a: { b: { c: [{ d: 0 }, [], {}] } } },
        };
        const metadata = { correlationId: 'c-1', actor: { id: 'u-1', name: 'Ngũgĩ' }, signed: false };
        await store.append([
          { stream: 'batch-1', expectedRevision: 'no_stream', events: [{ ...event(), data, metadata }] },
        ]);

        const [fromStream] = await collect(store.readStream('batch-1'));
        const [fromLog] = await collect(store.readAll());

        for (const read of [fromStream!, fromLog!]) {
          expect(read.data).toEqual(data);
          expect(read.metadata).toEqual(metadata);
          expect(read.type).toBe('BatchRecorded');
        }
      });
    });

    describe('concurrent appends', () => {
      it('lets exactly one of 50 concurrent no_stream appends to one stream win', async () => {
        const settled = await Promise.allSettled(
          Array.from({ length: 50 }, () => store.append([write('contested', 'no_stream')])),
        );

        expect(fulfilled(settled)).toHaveLength(1);
        const reasons = settled.flatMap((outcome) =>
          outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
        );
        expect(reasons).toHaveLength(49);
        for (const reason of reasons) expectConflict(reason, 'contested', 'no_stream', 0n);
        expect(await collect(store.readStream('contested'))).toHaveLength(1);
      });

      it('commits 200 concurrent appends to different streams with distinct, gap-free positions', async () => {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => store.append([write(`stream-${i}`, 'no_stream')])),
        );

        const positions = results.map((result) => result.position).sort((a, b) => (a < b ? -1 : 1));
        expect(positions).toEqual(range(1, 200));
        expect(await positionsOf(store.readAll())).toEqual(range(1, 200));
      });
    });

    describe('subscribeAll', () => {
      it('catches up from a position, then delivers live events', async () => {
        for (let i = 0; i < 5; i++) await store.append([write(`s-${i}`, 'no_stream')]);
        const subscription = store.subscribeAll(3n)[Symbol.asyncIterator]();

        const caughtUp = await nextEvents(subscription, 3);
        const live = nextEvents(subscription, 2);
        await store.append([write('live', 'no_stream', 2)]);

        expect(caughtUp.map((e) => e.position)).toEqual([3n, 4n, 5n]);
        expect((await live).map(({ stream, position }) => [stream, position])).toEqual([
          ['live', 6n],
          ['live', 7n],
        ]);
        await subscription.return?.();
      });

      it('yields every position exactly once, in order, while appends commit during catch-up', async () => {
        for (let i = 0; i < 6; i++) await store.append([write(`backlog-${i}`, 'no_stream', 100)]);
        const appends: Promise<AppendResult>[] = [];

        const events = await takeUntil(store.subscribeAll(), 700n, async () => {
          if (appends.length === 100) return;
          appends.push(store.append([write(`during-${appends.length}`, 'no_stream')]));
          // Let the append commit before the next event is taken, i.e. while still catching up.
          await new Promise((resolve) => setImmediate(resolve));
        });

        await Promise.all(appends);
        expect(events.map((event) => event.position)).toEqual(range(1, 700));
      });

      it('misses nothing when it starts in the middle of a burst of appends', async () => {
        const appends = Array.from({ length: 200 }, (_, i) =>
          store.append([write(`burst-${i}`, 'no_stream')]),
        );

        const events = await takeUntil(store.subscribeAll(), 200n);

        await Promise.all(appends);
        expect(events.map((event) => event.position)).toEqual(range(1, 200));
      });

      it('serves two subscribers at once', async () => {
        await store.append([write('first', 'no_stream')]);
        const one = takeUntil(store.subscribeAll(), 10n);
        const two = takeUntil(store.subscribeAll(), 10n);

        await Promise.all(Array.from({ length: 9 }, (_, i) => store.append([write(`s-${i}`, 'no_stream')])));

        expect((await one).map((event) => event.position)).toEqual(range(1, 10));
        expect((await two).map((event) => event.position)).toEqual(range(1, 10));
      });

      it('stops when the consumer breaks out of for-await', async () => {
        await store.append([write('a', 'no_stream', 3)]);
        const subscription = store.subscribeAll();
        const seen: bigint[] = [];

        for await (const event of subscription) {
          seen.push(event.position);
          if (event.position === 2n) break;
        }
        await store.append([write('b', 'no_stream')]);

        expect(seen).toEqual([1n, 2n]);
        expect(await subscription[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
        const again = await takeUntil(store.subscribeAll(), 4n);
        expect(again.map((event) => event.position)).toEqual(range(1, 4));
      });

      it('ends when the store closes, and the closed store refuses appends as unavailable', async () => {
        await store.append([write('a', 'no_stream')]);
        const subscription = store.subscribeAll()[Symbol.asyncIterator]();
        await nextEvents(subscription, 1);
        const waiting = subscription.next();

        await store.close();

        expect(await waiting).toEqual({ value: undefined, done: true });
        await expect(store.append([write('b', 'no_stream')])).rejects.toBeInstanceOf(
          EventStoreUnavailableError,
        );
      });
    });

    describe('invalid appends', () => {
      const duplicate = event();
      it.each<[string, () => StreamWrite[]]>([
        ['no writes', () => []],
        ['a write with no events', () => [{ stream: 'a', expectedRevision: 'any', events: [] }]],
        ['an empty stream name', () => [write('', 'any')]],
        ['the same stream twice', () => [write('a', 'any'), write('a', 'any')]],
        [
          'a duplicate event id within one write',
          () => [{ stream: 'a', expectedRevision: 'any', events: [duplicate, duplicate] }],
        ],
        [
          'a duplicate event id across two writes',
          () => [
            { stream: 'a', expectedRevision: 'any', events: [duplicate] },
            { stream: 'b', expectedRevision: 'any', events: [duplicate] },
          ],
        ],
        [
          'data that JSON cannot hold',
          () => [{ stream: 'a', expectedRevision: 'any', events: [{ ...event(), data: { grams: 10n } }] }],
        ],
      ])('refuses %s as InvalidAppendError and writes nothing', async (_, writes) => {
        await store.append([write('existing', 'no_stream')]);

        await expect(store.append(writes())).rejects.toBeInstanceOf(InvalidAppendError);

        expect(await store.headPosition()).toBe(1n);
        expect(await collect(store.readStream('a'))).toEqual([]);
        expect(await collect(store.readStream('b'))).toEqual([]);
      });

      it('refuses an event id already in the log, for that append only', async () => {
        const existing = event();
        await store.append([{ stream: 'a', expectedRevision: 'no_stream', events: [existing] }]);

        const [before, repeat, after] = await Promise.allSettled([
          store.append([write('b', 'no_stream')]),
          store.append([
            write('c', 'no_stream'),
            { stream: 'd', expectedRevision: 'no_stream', events: [event(), existing] },
          ]),
          store.append([write('e', 'no_stream')]),
        ]);

        expect(repeat.status === 'rejected' && repeat.reason).toBeInstanceOf(InvalidAppendError);
        expect(fulfilled([before, after]).map((result) => result.position)).toEqual([2n, 3n]);
        expect(await collect(store.readStream('c'))).toEqual([]);
        expect(await collect(store.readStream('d'))).toEqual([]);
        expect(await positionsOf(store.readAll())).toEqual(range(1, 3));
      });
    });
  });
}

function event(): EventToAppend {
  return { eventId: randomUUID(), type: 'BatchRecorded', data: { quantity: 1 }, metadata: {} };
}

function write(stream: string, expectedRevision: ExpectedRevision, count = 1): StreamWrite {
  return { stream, expectedRevision, events: Array.from({ length: count }, event) };
}

function range(first: number, last: number): bigint[] {
  return Array.from({ length: last - first + 1 }, (_, i) => BigInt(first + i));
}

async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function positionsOf(events: AsyncIterable<StoredEvent>): Promise<bigint[]> {
  return (await collect(events)).map((event) => event.position);
}

async function snapshot(store: EventStore, streams: string[]): Promise<StoredEvent[][]> {
  return Promise.all(streams.map((stream) => collect(store.readStream(stream))));
}

async function refusal(append: Promise<unknown>): Promise<unknown> {
  try {
    await append;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the append to be refused, but it succeeded');
}

function expectConflict(
  error: unknown,
  stream: string,
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): void {
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject({ stream, expected, actual });
}

function fulfilled<T>(settled: PromiseSettledResult<T>[]): T[] {
  return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
}

/** The next `count` events, failing (rather than hanging the suite) if they do not come within 5 s. */
async function nextEvents(iterator: AsyncIterator<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Subscription stalled after ${events.length} events`)), 5000);
  });
  try {
    while (events.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done === true) break;
      events.push(next.value);
    }
    return events;
  } finally {
    clearTimeout(timer);
  }
}

/** Events from a subscription until one at `last` arrives; `onEvent` runs after each and may hold the next. */
async function takeUntil(
  subscription: AsyncIterable<StoredEvent>,
  last: bigint,
  onEvent: () => Promise<void> = () => Promise.resolve(),
): Promise<StoredEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const events: StoredEvent[] = [];
  try {
    while ((events.at(-1)?.position ?? 0n) < last) {
      const [next] = await nextEvents(iterator, 1);
      if (next === undefined) break;
      events.push(next);
      await onEvent();
    }
    return events;
  } finally {
    await iterator.return?.();
  }
}
