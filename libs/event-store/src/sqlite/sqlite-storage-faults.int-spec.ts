import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreUnavailableError } from '../event-store.errors';
import type { StreamWrite } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const write = (stream: string, padding = 0): StreamWrite[] => [
  {
    stream,
    expectedRevision: 'no_stream',
    events: [
      { eventId: randomUUID(), type: 'Recorded', data: { padding: 'x'.repeat(padding) }, metadata: {} },
    ],
  },
];

/** The store's own connection: max_page_count and query_only are settings of one connection. */
const connectionOf = (store: SqliteEventStore) => (store as unknown as { db: Database.Database }).db;

describe('SqliteEventStore under storage faults', () => {
  let dir: string;
  let store: SqliteEventStore;
  let db: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-store-faults-'));
    // A long gather time: every append made in one turn of the event loop joins one group.
    store = SqliteEventStore.open(join(dir, 'ledger.db'), { gatherMs: 1000 });
    db = connectionOf(store);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(write(`before-${i}`))));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [
      'the disk is full',
      (db: Database.Database) =>
        db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`),
      /full/i,
    ],
    ['the file is read-only', (db: Database.Database) => db.pragma('query_only = ON'), /readonly/i],
  ])(
    'fails every append of a group when %s, writes none of it, and commits the next group once it clears',
    async (_fault, inject, message) => {
      const before = store.stats;
      inject(db);
      // Large events: the group needs pages the full disk cannot give.
      const group = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.append(write(`s-${i}`, 5000))),
      );

      expect(group.map((settled) => settled.status)).toEqual(group.map(() => 'rejected'));
      for (const settled of group) {
        const reason = (settled as PromiseRejectedResult).reason as Error;
        expect(reason).toBeInstanceOf(EventStoreUnavailableError);
        expect(reason.message).toMatch(message);
      }
      expect(store.stats).toEqual(before);
      expect(await store.headPosition()).toBe(10n);
      expect(db.inTransaction).toBe(false);

      db.pragma('query_only = OFF');
      db.pragma('max_page_count = 1073741823');
      const next = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.append(write(`s-${i}`, 5000))),
      );
      expect(next.map((result) => result.position)).toEqual(next.map((_, i) => BigInt(11 + i)));
      expect(store.stats).toEqual({ ...before, commits: before.commits + 1, appends: before.appends + 20 });
    },
  );
});
