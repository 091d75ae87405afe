import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrongExpectedRevisionError } from '../event-store.errors';
import {
  collect,
  commitFromAnotherConnection,
  expectChained,
  streamWrite as write,
} from '@tracelode/testing';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { SealingEventStore, sealV2 } from './sealing-event-store';

/**
 * The sealer over the SQLite store, where a read can miss another connection's newest events for a moment
 * (the store's known heads are checked against SQLite's data_version once per turn of the event loop, ADR
 * 0029): an append is chained to the predecessor it expects, read afresh where the first read missed it,
 * or refused; never sealed as if the stream had none.
 */
describe('SealingEventStore over SQLite, with another connection writing', () => {
  let dir: string;
  let path: string;
  const closing: (() => unknown)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-sealing-'));
    path = join(dir, 'ledger.db');
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('chains an append to the predecessor another connection committed since its last read', async () => {
    const store = SqliteEventStore.open(path);
    closing.push(() => store.close());
    const sealing = new SealingEventStore(store);
    await sealing.append([write('S', 'no_stream', 3)]); // revisions 0..2
    await nextTurn();
    const [last] = await collect(store.readStream('S', 2n));

    // Within one turn of this process: it reads the stream beyond its head, another process commits S@3,
    // sealed after S@2, and this process is asked to append after S@3.
    expect(await collect(store.readStream('S', 3n))).toEqual([]);
    commitSealedElsewhere('S', 3n, last!.metadata.hash as string);
    await sealing.append([write('S', 3n)]);

    const events = await collect(store.readStream('S'));
    expect(events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expectChained(events);
  });

  it('refuses "stream_exists" on a stream its read found empty, and chains it once it sees the stream', async () => {
    const store = SqliteEventStore.open(path);
    closing.push(() => store.close());
    const sealing = new SealingEventStore(store);
    await sealing.append([write('other', 'no_stream')]);
    await nextTurn();

    // Within one turn: this process finds no stream T, then another process creates it.
    expect(await collect(store.readStream('T'))).toEqual([]);
    commitSealedElsewhere('T', 0n, null);
    await expect(sealing.append([write('T', 'stream_exists')])).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );

    await nextTurn();
    await sealing.append([write('T', 'stream_exists')]);
    const events = await collect(store.readStream('T'));
    expect(events.map((event) => event.revision)).toEqual([0n, 1n]);
    expectChained(events);
  });

  /** Another process's commit of one event sealed after `prevHash`. */
  function commitSealedElsewhere(stream: string, revision: bigint, prevHash: string | null): void {
    const event = { stream, revision, eventId: randomUUID(), type: 'BatchRecorded', data: { quantity: 1 } };
    commitFromAnotherConnection(path, { ...event, metadata: sealV2({ ...event, metadata: {} }, prevHash) });
  }
});

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
