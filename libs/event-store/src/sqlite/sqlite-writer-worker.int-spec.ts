import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  collect,
  commitFromAnotherConnection,
  describeEventStoreContract,
  range,
  streamWrite as write,
  whileLockedElsewhere,
} from '@tracelode/testing';
import {
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../event-store.errors';
import { openEventStore } from '../open-event-store';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';

/**
 * The store with its writer in a worker thread (ADR 0037). The worker runs the built script: under Jest
 * the sources are TypeScript, so `npm test` builds first (`npm run build`).
 */
const WRITER_SCRIPT = join(
  __dirname,
  '../../../../dist/apps/api/libs/event-store/src/sqlite/sqlite-writer-worker.js',
);
if (!existsSync(WRITER_SCRIPT))
  throw new Error(`${WRITER_SCRIPT} is not built: run \`npm run build\` before these tests`);

const inWorker = (path: string, options: SqliteEventStoreOptions = {}) =>
  SqliteEventStore.open(path, { ...options, writer: 'worker', writerScript: WRITER_SCRIPT });

describeEventStoreContract('SqliteEventStore with its writer in a worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-writer-'));
  const store = inWorker(join(dir, 'ledger.db'));
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('SqliteEventStore with its writer in a worker', () => {
  let dir: string;
  let path: string;
  const opened: { close(): Promise<void> }[] = [];
  const open = (options?: SqliteEventStoreOptions) => {
    const store = inWorker(path, options);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-writer-'));
    path = join(dir, 'ledger.db');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits from a connection of its own: the store’s connection (synchronous=FULL) sees another connection’s commits', async () => {
    const store = open();
    await store.append([write('a', 'no_stream')]);
    const db = connectionOf(store);

    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    // data_version moves on a connection only for other connections' commits: the worker's.
    const version = db.pragma('data_version', { simple: true }) as number;
    await store.append([write('a', 0n)]);
    expect(db.pragma('data_version', { simple: true })).not.toBe(version);
    expect(await store.headPosition()).toBe(2n);
  });

  it('commits a burst of 500 concurrent appends in far fewer than 500 transactions, gap-free', async () => {
    const store = open();

    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.append([write(`s-${i}`, 'no_stream')])),
    );

    expect(store.stats.appends).toBe(500);
    expect(store.stats.commits).toBeLessThan(50);
    expect(results.map((result) => result.position).sort((a, b) => Number(a - b))).toEqual(
      Array.from({ length: 500 }, (_, i) => BigInt(i + 1)),
    );
  });

  it('refuses one append of a group on its own, as the errors its callers match on, and writes the rest', async () => {
    const store = open();
    const taken = write('taken', 'no_stream');
    await store.append([taken]);

    const settled = await Promise.allSettled([
      store.append([write('a', 'no_stream')]),
      store.append([write('taken', 'no_stream')]),
      store.append([{ ...write('b', 'no_stream'), events: taken.events }]),
      store.append([write('c', 'no_stream')]),
    ]);

    expect(settled.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const wrong = (settled[1] as PromiseRejectedResult).reason as WrongExpectedRevisionError;
    expect(wrong).toBeInstanceOf(WrongExpectedRevisionError);
    expect(wrong).toMatchObject({ stream: 'taken', expected: 'no_stream', actual: 0n });
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidAppendError);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/already exists/);
    expect((await collect(store.readAll())).map((event) => event.stream)).toEqual(['taken', 'a', 'c']);
  });

  it('fails every append of a group when the write lock is held elsewhere, writes none, and recovers', async () => {
    const store = open({ busyTimeoutMs: 50 });
    await store.append([write('before', 'no_stream')]);
    const settled = await whileLockedElsewhere(path, () => [
      store.append([write('a', 'no_stream')]),
      store.append([write('b', 'no_stream')]),
    ]);

    for (const outcome of settled) {
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(EventStoreUnavailableError);
      expect(outcome.status === 'rejected' && String(outcome.reason)).toMatch(/busy|locked/i);
    }
    expect(await store.headPosition()).toBe(1n);
    expect((await store.append([write('a', 'no_stream')])).position).toBe(2n);
  });

  it('fails the group in flight when its worker stops before committing it, and starts another for the next append', async () => {
    const store = open({ busyTimeoutMs: 30_000 });
    await store.append([write('before', 'no_stream')]);
    const worker = workerOf(store);
    // Another connection holds the write lock, so the worker cannot commit the group before it stops: it
    // waits on the lock inside SQLite, and stops as soon as that wait returns to JavaScript. (Without the
    // lock, a worker stopped in the step it was handed the group could still commit it and answer first,
    // and the store then rightly answers the append as written: CI saw that.)
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown) => {
      post(message);
      void worker.terminate();
      // The stop is requested; the wait on the lock can end now.
      setTimeout(() => {
        other.exec('ROLLBACK');
        other.close();
      }, 50);
    };

    const lost = store.append([write('a', 'no_stream')]);
    await exited;

    await expect(lost).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(await store.headPosition()).toBe(1n);
    const again = await store.append([write('b', 'no_stream')]);
    expect(again.position).toBe(2n);
    expect(workerOf(store)).not.toBe(worker);
  });

  it('writes what was queued and what was in flight before it closes', async () => {
    const store = open();
    const pending = Array.from({ length: 50 }, (_, i) => store.append([write(`s-${i}`, 'no_stream')]));

    await store.close();

    expect((await Promise.all(pending)).map((result) => result.position)).toHaveLength(50);
    const reopened = open();
    expect(await reopened.headPosition()).toBe(50n);
  });

  it('answers reads beyond the heads it knows from memory, yet sees every append another connection made', async () => {
    const mine = open();
    const other = SqliteEventStore.open(path);
    opened.push(other);
    await mine.append([write('a', 'no_stream', 2)]);
    expect(await collect(mine.readStream('a', 2n))).toEqual([]);
    expect(await collect(mine.readStream('b'))).toEqual([]);

    await other.append([write('a', 1n), write('b', 'no_stream')]);

    // No reply of mine's writer tells of this: the log's head beyond what it reported does.
    expect((await collect(mine.readStream('a', 2n))).map((event) => event.revision)).toEqual([2n]);
    expect((await collect(mine.readStream('b'))).map((event) => event.revision)).toEqual([0n]);
    await other.append([write('a', 2n)]);
    await mine.append([write('c', 'no_stream')]);
    // `other` committed before mine's group: the worker says so with the group's reply.
    expect((await collect(mine.readStream('a', 3n))).map((event) => event.revision)).toEqual([3n]);
  });

  it('forgets the heads it knows when another connection committed before its writer’s worker started', async () => {
    const mine = open();
    const other = SqliteEventStore.open(path);
    opened.push(other);
    expect(await collect(mine.readStream('y'))).toEqual([]); // known absent
    await other.append([write('y', 'no_stream')]);
    // The worker starts with this group; no read of mine came between the other commit and it.
    await mine.append([write('z', 'no_stream')]);

    expect((await collect(mine.readStream('y'))).map((event) => event.revision)).toEqual([0n]);
  });

  it('keeps a head a read found beyond the one its group then reports, until the next group says more', async () => {
    const store = open();
    await store.append([write('S', 'no_stream', 3)]);
    await new Promise((resolve) => setImmediate(resolve));
    const other = new Database(path);
    try {
      const appended = store.append([write('S', 2n)]); // S@3, in the worker
      const inFlight = () => (store as unknown as { inFlight?: Promise<void> }).inFlight !== undefined;
      while (!inFlight()) await new Promise((resolve) => setImmediate(resolve));
      // This thread waits, blocked, until the worker has committed S@3: its reply waits meanwhile.
      const third = other.prepare("SELECT 1 FROM events WHERE stream = 'S' AND revision = 3");
      const waitUntil = Date.now() + 10_000;
      while (!third.get() && Date.now() < waitUntil);
      // Another process commits S@4, and a read through the store finds it before the reply comes.
      commitFromAnotherConnection(path, { stream: 'S', revision: 4n });
      expect((await collect(store.readStream('S'))).map((event) => event.revision)).toEqual(range(0, 4));
      await appended;

      expect((await collect(store.readStream('S', 4n))).map((event) => event.revision)).toEqual([4n]);
    } finally {
      other.close();
    }
  });

  it('reads a stream afresh after an append to it is refused for a revision that moved', async () => {
    const mine = open();
    await mine.append([write('y', 'no_stream')]);
    // Another connection appends, and mine is not told (no read of mine in between).
    const other = new Database(path);
    other
      .prepare(
        `INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at)
         VALUES ('y', 1, ?, 'BatchRecorded', '{}', '{}', '2026-11-29T00:00:00.000Z')`,
      )
      .run(randomUUID());
    other.prepare("UPDATE streams SET revision = 1 WHERE stream = 'y'").run();
    other.close();

    await expect(mine.append([write('y', 0n)])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await collect(mine.readStream('y', 1n))).map((event) => event.revision)).toEqual([1n]);
  });

  it('answers an append as written when its worker stopped after committing it, and refuses one it never wrote', async () => {
    // The real worker, made to stop right before or right after writing a group with a stream named so.
    const stopping = join(dir, 'stopping-writer.js');
    writeFileSync(
      stopping,
      `const writer = require(${JSON.stringify(join(WRITER_SCRIPT, '..', 'sqlite-group-writer.js'))});
       const write = writer.SqliteGroupWriter.prototype.write;
       const named = (group, prefix) => group.some((writes) => writes.some((w) => w.stream.startsWith(prefix)));
       writer.SqliteGroupWriter.prototype.write = function (group) {
         if (named(group, 'stop-before')) process.exit(1);
         const written = write.call(this, group);
         if (named(group, 'stop-after')) process.exit(1);
         return written;
       };
       require(${JSON.stringify(WRITER_SCRIPT)});`,
    );
    const store = SqliteEventStore.open(path, { writer: 'worker', writerScript: stopping });
    opened.push(store);
    await store.append([write('before', 'no_stream')]);

    const written = await store.append([write('stop-after', 'no_stream', 2)]);
    const refused = await store.append([write('stop-before', 'no_stream')]).catch((error: unknown) => error);
    const next = await store.append([write('next', 'no_stream')]);

    expect(written).toEqual({ position: 3n, revisions: new Map([['stop-after', 1n]]) });
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    expect(String(refused)).toMatch(/writer thread stopped/);
    expect(next.position).toBe(4n);
    expect((await collect(store.readAll())).map((event) => event.stream)).toEqual([
      'before',
      'stop-after',
      'stop-after',
      'next',
    ]);
  });

  it('is opened by openEventStore with its writer in a worker only when its script is built', async () => {
    // Under Jest the default script would sit beside the TypeScript sources, where there is none.
    await expect(openEventStore(`sqlite:${path}`, { sqliteWriter: 'worker' })).rejects.toThrow(
      /sqlite-writer-worker\.js is not built/,
    );
    const inMemory = await openEventStore('sqlite::memory:', { sqliteWriter: 'worker' });
    opened.push(inMemory);
    expect((await inMemory.append([write('a', 'no_stream')])).position).toBe(1n);
  });
});

/** The store's own connection (reads only, with the writer in its worker). */
const connectionOf = (store: SqliteEventStore) => (store as unknown as { db: Database.Database }).db;
/** The writer's worker thread. */
const workerOf = (store: SqliteEventStore) =>
  (store as unknown as { writerThread: { worker: Worker } }).writerThread.worker;
