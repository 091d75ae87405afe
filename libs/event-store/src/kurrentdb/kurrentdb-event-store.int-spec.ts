import { randomUUID } from 'node:crypto';
import { describeEventStoreContract, KurrentDbWireServer } from '@tracelode/testing';
import { EventStoreUnavailableError } from '../event-store.errors';
import type { StoredEvent, StreamWrite } from '../event-store.port';
import { openEventStore } from '../open-event-store';
import { KurrentDbEventStore, METADATA_KEY, RECORDED_AT_KEY } from './kurrentdb-event-store';

// The real client (@kurrent/kurrentdb-client) over a real socket to the in-process wire-level server.
describeEventStoreContract('KurrentDbEventStore (wire-level test server)', async () => {
  const server = await new KurrentDbWireServer().start();
  const store = await KurrentDbEventStore.connect(server.connectionString);
  return {
    store,
    cleanup: async () => {
      await store.close(); // disposes the client first…
      server.stop(); // …then forceShutdown: a graceful one never ends while a subscription is open
    },
  };
});

describe('KurrentDbEventStore', () => {
  const servers: KurrentDbWireServer[] = [];
  const stores: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    for (const server of servers.splice(0)) server.stop();
  });
  async function server(options?: ConstructorParameters<typeof KurrentDbWireServer>[0]) {
    const started = await new KurrentDbWireServer(options).start();
    servers.push(started);
    return started;
  }

  it('refuses a server that does not list multi-stream append, naming the minimum version', async () => {
    const old = await server({ multiStreamAppend: false, serverVersion: '24.10.0' });

    const refusal = KurrentDbEventStore.connect(old.connectionString);

    await expect(refusal).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(refusal).rejects.toThrow(
      'The KurrentDB server (version 24.10.0) does not support multi-stream appends ' +
        '(StreamsService/AppendSession); Tracelode needs KurrentDB 25.1 or later.',
    );
  });

  it('refuses a server that does not answer ServerFeatures at all', async () => {
    const older = await server({ serverFeatures: false });

    await expect(KurrentDbEventStore.connect(older.connectionString)).rejects.toThrow(
      /version unknown.*needs KurrentDB 25\.1 or later/,
    );
  });

  it.each(['kurrentdb', 'esdb'])('is opened by openEventStore from %s:// URLs', async (scheme) => {
    const wire = await server();
    const store = await openEventStore(`${scheme}://127.0.0.1:${wire.port}?tls=false`);
    stores.push(store);

    expect(store).toBeInstanceOf(KurrentDbEventStore);
    expect(await store.headPosition()).toBe(0n);
  });

  it('keeps system events out of the log and metadata as JSON under one property', async () => {
    const wire = await server();
    const store = await KurrentDbEventStore.connect(wire.connectionString);
    stores.push(store);
    const metadata = { actor: { id: 'u-1', roles: ['producer'] }, signed: true, n: 3 };

    await store.append([write('batch-1', 'no_stream', metadata)]);

    const [event] = await collect(store.readAll());
    expect(event).toMatchObject({ position: 1n, stream: 'batch-1', metadata });
    const raw = wire.log.find((record) => record.stream === 'batch-1')!;
    expect(JSON.parse(Buffer.from(raw.customMetadata).toString('utf8'))).toEqual({
      [METADATA_KEY]: JSON.stringify(metadata),
      [RECORDED_AT_KEY]: event!.recordedAt,
    });
    expect(wire.log.filter((record) => record.type.startsWith('$')).length).toBeGreaterThan(0);
  });

  it('gives two stores on one server the same dense positions', async () => {
    const wire = await server();
    const one = await KurrentDbEventStore.connect(wire.connectionString);
    stores.push(one);
    await one.append([write('a', 'no_stream'), write('b', 'no_stream')]);
    const two = await KurrentDbEventStore.connect(wire.connectionString);
    stores.push(two);

    const result = await two.append([write('c', 'no_stream')]);

    expect(result.position).toBe(3n);
    expect(await one.headPosition()).toBe(3n);
    expect((await collect(one.readStream('c')))[0]?.position).toBe(3n);
  });
});

function write(
  stream: string,
  expectedRevision: StreamWrite['expectedRevision'],
  metadata = {},
): StreamWrite {
  return {
    stream,
    expectedRevision,
    events: [{ eventId: randomUUID(), type: 'BatchRecorded', data: { quantity: 1 }, metadata }],
  };
}

async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}
