import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  collect,
  commitFromAnotherConnection,
  describeEventStoreContract,
  range,
  streamWrite as write,
  whileLockedElsewhere,
} from '@tracelode/testing';
import { EventStoreUnavailableError } from '../event-store.errors';
import type { StoredEvent } from '../event-store.port';
import { openEventStore } from '../open-event-store';
import { SqliteEventStore } from './sqlite-event-store';

function temporaryDirectory(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-event-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeEventStoreContract('SqliteEventStore', () => {
  const { dir, remove } = temporaryDirectory();
  const store = SqliteEventStore.open(join(dir, 'ledger.db'));
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      remove();
    },
  });
});

describe('SqliteEventStore on a file', () => {
  let dir: string;
  let remove: () => void;
  let path: string;
  const opened: { close(): Promise<void> }[] = [];

  function open(options?: Parameters<typeof SqliteEventStore.open>[1]): SqliteEventStore {
    const store = SqliteEventStore.open(path, options);
    opened.push(store);
    return store;
  }

  beforeEach(() => {
    ({ dir, remove } = temporaryDirectory());
    path = join(dir, 'nested', 'data', 'ledger.db');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    remove();
  });

  it('keeps every event across a reopen and continues positions and revisions', async () => {
    const first = open();
    await first.append([write('a', 'no_stream', 2), write('b', 'no_stream')]);
    await first.append([write('a', 1n)]);
    const before = await collect(first.readAll());
    await first.close();

    const reopened = open();

    expect(await collect(reopened.readAll())).toEqual(before);
    expect(await reopened.headPosition()).toBe(4n);
    await expect(reopened.append([write('a', 'no_stream')])).rejects.toMatchObject({ actual: 2n });
    const next = await reopened.append([write('a', 2n)]);
    expect(next.position).toBe(5n);
    expect(next.revisions.get('a')).toBe(3n);
  });

  it('runs in WAL mode with synchronous=FULL and records its schema version', () => {
    const store = open();

    expect(store.settings).toMatchObject({ journalMode: 'wal', synchronous: 2 });
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(1);
    } finally {
      raw.close();
    }
  });

  it('refuses a file whose schema is newer than it knows', () => {
    open();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();

    expect(() => SqliteEventStore.open(path)).toThrow(EventStoreUnavailableError);
  });

  it('commits a burst of 500 concurrent appends in far fewer than 500 transactions', async () => {
    const store = open();
    const before = store.stats;

    await Promise.all(Array.from({ length: 500 }, (_, i) => store.append([write(`s-${i}`, 'no_stream')])));

    const commits = store.stats.commits - before.commits;
    expect(store.stats.appends - before.appends).toBe(500);
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(5);
  });

  it('splits a burst larger than the group cap over several commits, still gap-free', async () => {
    const store = open();

    const results = await Promise.all(
      Array.from({ length: 2500 }, (_, i) => store.append([write(`s-${i}`, 'no_stream')])),
    );

    expect(store.stats.commits).toBeGreaterThanOrEqual(3);
    expect(results.map((result) => result.position)).toEqual(range(1, 2500));
  });

  it('waits for queued appends when it closes', async () => {
    const store = open();
    const pending = store.append([write('a', 'no_stream')]);

    await store.close();

    expect((await pending).position).toBe(1n);
    expect(await collect(open().readStream('a'))).toHaveLength(1);
  });

  it('rejects every append of a group whose transaction cannot commit, and writes none of them', async () => {
    const store = open({ busyTimeoutMs: 50 });
    const settled = await whileLockedElsewhere(path, () => [
      store.append([write('a', 'no_stream')]),
      store.append([write('b', 'no_stream')]),
    ]);

    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(EventStoreUnavailableError);
    }
    expect(await store.headPosition()).toBe(0n);
    expect((await store.append([write('a', 'no_stream')])).position).toBe(1n);
  });

  it('delivers to a subscriber events appended by a second store on the same file', async () => {
    const reader = open({ pollIntervalMs: 20 });
    const writer = open();
    await reader.append([write('local', 'no_stream')]);
    const iterator = reader.subscribeAll()[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ position: 1n });

    await writer.append([write('remote', 'no_stream', 2)]);
    // Nothing in the reader's process announces these: only its poll can find them.
    const remote = [await iterator.next(), await iterator.next()].map(
      (result) => result.value as StoredEvent,
    );
    await reader.append([write('local', 0n)]);
    const local = (await iterator.next()).value as StoredEvent;

    expect([...remote, local].map(({ stream, position }) => [stream, position])).toEqual([
      ['remote', 2n],
      ['remote', 3n],
      ['local', 4n],
    ]);
    await iterator.return?.();
  });

  it('answers reads beyond the heads it knows from memory, yet sees every append another connection made', async () => {
    const mine = open();
    const other = open();
    await mine.append([write('a', 'no_stream', 2)]);
    expect(await collect(mine.readStream('a', 2n))).toEqual([]); // known head 1: no query needed
    expect(await collect(mine.readStream('b'))).toEqual([]); // known absent from here on

    await other.append([write('a', 1n), write('b', 'no_stream')]);

    expect((await collect(mine.readStream('a', 2n))).map((event) => event.revision)).toEqual([2n]);
    expect((await collect(mine.readStream('b'))).map((event) => event.revision)).toEqual([0n]);
    await mine.append([write('a', 2n)]);
    expect((await collect(mine.readStream('a'))).map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n]);
    expect(await collect(mine.readStream('a', 4n))).toEqual([]);
    await other.append([write('a', 3n)]);
    expect((await collect(mine.readStream('a', 4n))).map((event) => event.revision)).toEqual([4n]);
  });

  it('remembers that a stream has nothing from a revision on, once an empty read from there found nothing', async () => {
    const other = open();
    await other.append([write('org', 'no_stream', 3)]);
    // A reader that folded the stream elsewhere (the command path's cache) asks only for what is newer.
    const mine = open();
    const queries = () => mine.stats.streamQueries;

    expect(await collect(mine.readStream('org', 3n))).toEqual([]);
    expect(queries()).toBe(1);
    expect(await collect(mine.readStream('org', 3n))).toEqual([]);
    expect(await collect(mine.readStream('org', 5n))).toEqual([]);
    expect(queries()).toBe(1); // answered from memory

    // Below the bound, the file is read; what it finds is exact.
    expect((await collect(mine.readStream('org', 1n))).map((event) => event.revision)).toEqual([1n, 2n]);
    expect(queries()).toBe(2);
    // Another connection's append is still seen.
    await other.append([write('org', 2n)]);
    expect((await collect(mine.readStream('org', 3n))).map((event) => event.revision)).toEqual([3n]);
    expect(queries()).toBe(3);
  });

  it("sees another connection's commit made between a group's COMMIT and the heads it records", async () => {
    const mine = open();
    await mine.append([write('S', 'no_stream', 3)]);
    // Another process commits S@5 just after this store's group writing S@3 and S@4 commits, before the
    // store records the heads that group wrote: injected into the writer, as a process may do then.
    const writer = (mine as unknown as { groupWriter: { write: (...args: unknown[]) => unknown } })
      .groupWriter;
    const writeGroup = writer.write.bind(writer);
    writer.write = (...args: unknown[]) => {
      const written = writeGroup(...args);
      writer.write = writeGroup;
      commitFromAnotherConnection(path, { stream: 'S', revision: 5n });
      return written;
    };
    await mine.append([write('S', 2n, 2)]);
    await new Promise((resolve) => setImmediate(resolve));

    expect((await collect(mine.readStream('S', 5n))).map((event) => event.revision)).toEqual([5n]);
  });

  it('is opened by openEventStore from sqlite: URLs and bare .db paths', async () => {
    const byUrl = await openEventStore(`sqlite:${path}`);
    opened.push(byUrl);
    await byUrl.append([write('a', 'no_stream')]);
    await byUrl.close();

    const byPath = await openEventStore(path);
    opened.push(byPath);

    expect(byPath).toBeInstanceOf(SqliteEventStore);
    expect(await byPath.headPosition()).toBe(1n);
  });
});
