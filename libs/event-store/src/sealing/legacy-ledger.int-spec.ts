import { KurrentDbWireServer } from '@tracelode/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, StreamWrite } from '../event-store.port';
import { KurrentDbEventStore } from '../kurrentdb/kurrentdb-event-store';
import { openEventStore } from '../open-event-store';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { eventHashV1 } from './event-hash';
import { LegacyLedgerError } from './legacy-ledger';
import { type Sealer, SealingEventStore } from './sealing-event-store';

/** How ADR 0012's ledgers were sealed: hash and prevHash only, the hash over the whole data and metadata. */
const sealV1: Sealer = (event, prevHash) => ({
  ...event.metadata,
  prevHash,
  hash: eventHashV1(event, prevHash),
});

/** Event ids are UUIDs (KurrentDB requires them), the stream's letter last: `…-00000000000a`. */
const mined = (stream: string): StreamWrite => ({
  stream,
  expectedRevision: 'any',
  events: [{ eventId: idOf(stream), type: 'BatchMined', data: { batchId: stream }, metadata: {} }],
});
const idOf = (stream: string) => `00000000-0000-4000-8000-00000000000${stream.slice(-1).toLowerCase()}`;

async function writeWith(inner: EventStore, sealer?: Sealer): Promise<void> {
  const store = new SealingEventStore(inner, 10, sealer);
  await store.append([mined('batch-A')]);
  await store.append([mined('batch-B')]);
  await store.close();
}

describe('a ledger sealed with hash version 1', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracelode-legacy-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused at open, naming the file and what to do', async () => {
    const path = join(dir, 'ledger.db');
    await writeWith(SqliteEventStore.open(path), sealV1);

    const opening = openEventStore(`sqlite:${path}`);
    await expect(opening).rejects.toBeInstanceOf(LegacyLedgerError);
    await expect(opening).rejects.toThrow(
      `The ledger file ${path} holds events sealed with hash version 1 (event ${idOf('batch-A')} at position 1)`,
    );
    await expect(openEventStore(path)).rejects.toThrow(/reads only hash version 2.*No migration exists/);
  });

  it('is refused when only its last event is of the old version', async () => {
    const path = join(dir, 'ledger.db');
    const inner = SqliteEventStore.open(path);
    await new SealingEventStore(inner).append([mined('batch-A')]);
    await new SealingEventStore(inner, 10, sealV1).append([mined('batch-B')]);
    await inner.close();

    await expect(openEventStore(path)).rejects.toThrow(`event ${idOf('batch-B')} at position 2`);
  });

  it('is told apart from a ledger of version 2, and from an empty one, which open', async () => {
    const path = join(dir, 'ledger.db');
    await writeWith(SqliteEventStore.open(path));
    const store = await openEventStore(path);
    expect(await store.headPosition()).toBe(2n);
    await store.close();
    const empty = await openEventStore(join(dir, 'empty.db'));
    await empty.close();
  });

  it('is refused in KurrentDB too, without the credentials in the message', async () => {
    const server = await new KurrentDbWireServer().start();
    try {
      await writeWith(await KurrentDbEventStore.connect(server.connectionString), sealV1);
      const url = `kurrentdb://admin:changeit@127.0.0.1:${server.port}?tls=false`;
      const refusal = openEventStore(url);
      await expect(refusal).rejects.toThrow(
        `The KurrentDB store kurrentdb://127.0.0.1:${server.port} holds events sealed with hash version 1`,
      );
    } finally {
      server.stop();
    }
  });
});
