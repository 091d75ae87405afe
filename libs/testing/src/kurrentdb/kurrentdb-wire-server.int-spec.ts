import {
  excludeSystemEvents,
  jsonEvent,
  KurrentDBClient,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { randomUUID } from 'node:crypto';
import { KurrentDbWireServer } from './kurrentdb-wire-server';

/** The wire-level server's own rules, driven by the real client exactly as the adapter drives it. */
describe('KurrentDbWireServer', () => {
  let server: KurrentDbWireServer;
  let client: KurrentDBClient;

  beforeEach(async () => {
    server = await new KurrentDbWireServer().start();
    client = KurrentDBClient.connectionString(server.connectionString);
  });
  afterEach(async () => {
    await client.dispose(); // first the client…
    server.stop(); // …then forceShutdown
  });

  const event = (type = 'Happened') =>
    jsonEvent({ id: randomUUID(), type, data: { n: 1 }, metadata: { k: 'v' } });

  it('appends to several streams atomically, answering revisions and a log position', async () => {
    const result = await client.multiStreamAppend([
      { streamName: 'a', expectedState: 'no_stream', events: [event(), event()] },
      { streamName: 'b', expectedState: 'any', events: [event()] },
    ]);

    expect(result.responses).toEqual([
      { streamName: 'a', revision: 1n },
      { streamName: 'b', revision: 0n },
    ]);
    expect(result.position).toBe(server.log.at(-1)!.position);
  });

  it('refuses the whole session when one expectation fails, with the conflict the client parses', async () => {
    await client.multiStreamAppend([{ streamName: 'b', expectedState: 'no_stream', events: [event()] }]);
    const before = server.log.length;

    const refusal = client.multiStreamAppend([
      { streamName: 'a', expectedState: 'no_stream', events: [event()] },
      { streamName: 'b', expectedState: 'no_stream', events: [event()] },
    ]);

    await expect(refusal).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(refusal).rejects.toMatchObject({
      streamName: 'b',
      expectedState: 'no_stream',
      actualState: 0n,
    });
    expect(server.log.length).toBe(before);
  });

  it.each([
    ['stream_exists', 'missing', 'no_stream'],
    [5n, 'missing', 'no_stream'],
  ] as const)(
    'refuses %s on a stream that does not exist',
    async (expectedState, streamName, actualState) => {
      await expect(
        client.multiStreamAppend([{ streamName, expectedState, events: [event()] }]),
      ).rejects.toMatchObject({ streamName, expectedState, actualState });
    },
  );

  it('answers a read of a missing stream with stream-not-found', async () => {
    const read = async () => {
      for await (const _ of client.readStream('nobody')) return;
    };
    await expect(read()).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('keeps $all positions increasing but not dense, and includes the start of a $all read', async () => {
    await client.multiStreamAppend([
      { streamName: 'a', expectedState: 'any', events: [event(), event(), event()] },
    ]);
    const all: ResolvedEvent[] = [];
    for await (const resolved of client.readAll()) all.push(resolved);
    const positions = all.map((resolved) => resolved.event!.position!.commit);

    expect(positions).toEqual([...positions].sort((x, y) => (x < y ? -1 : 1)));
    expect(positions.some((position, i) => i > 0 && position - positions[i - 1]! !== 1n)).toBe(true);
    expect(all.some((resolved) => resolved.event!.type.startsWith('$'))).toBe(true); // system events exist
    const from = all.at(-2)!.event!.position!;
    const tail: string[] = [];
    for await (const resolved of client.readAll({ fromPosition: from })) tail.push(resolved.event!.id);
    expect(tail).toEqual(all.slice(-2).map((resolved) => resolved.event!.id));
  });

  it('subscribes to $all after a position, filters system events, then delivers live events', async () => {
    await client.multiStreamAppend([{ streamName: 'a', expectedState: 'any', events: [event(), event()] }]);
    const first = server.log.find((record) => record.stream === 'a')!;
    const subscription = client.subscribeToAll({
      fromPosition: { commit: first.position, prepare: first.position },
      filter: excludeSystemEvents(),
    });
    const seen: string[] = [];
    const done = (async () => {
      for await (const resolved of subscription) {
        seen.push(`${resolved.event!.streamId}/${resolved.event!.revision}`);
        if (seen.length === 2) break;
      }
    })();

    await client.multiStreamAppend([{ streamName: 'live', expectedState: 'no_stream', events: [event()] }]);
    await done;
    await subscription.unsubscribe();

    expect(seen).toEqual(['a/1', 'live/0']);
  });

  it('is refused by the client when the server does not list AppendSession', async () => {
    const old = await new KurrentDbWireServer({ multiStreamAppend: false }).start();
    const oldClient = KurrentDBClient.connectionString(old.connectionString);
    try {
      await expect(
        oldClient.multiStreamAppend([{ streamName: 'a', expectedState: 'any', events: [event()] }]),
      ).rejects.toThrow(/25\.1/);
    } finally {
      await oldClient.dispose();
      old.stop();
    }
  });

  it('reads from START and from a revision', async () => {
    await client.multiStreamAppend([
      { streamName: 's', expectedState: 'any', events: [event(), event(), event()] },
    ]);
    const revisions: bigint[] = [];
    for await (const resolved of client.readStream('s', { fromRevision: 1n }))
      revisions.push(resolved.event!.revision);
    const everything: bigint[] = [];
    for await (const resolved of client.readStream('s', { fromRevision: START }))
      everything.push(resolved.event!.revision);

    expect(revisions).toEqual([1n, 2n]);
    expect(everything).toEqual([0n, 1n, 2n]);
  });
});
