import { SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import {
  BATCH_CUSTODY,
  type BatchCustodyView,
  type DocumentProjection,
  LEDGER_PROJECTIONS,
  Projector,
} from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minedAndShipped, PARTIES, received } from '../testing-support/ledger-writes';
import { rebuild, REBUILD_HELP, REBUILDING_SUFFIX, rebuildViewsFile } from './rebuild.command';

const COLLECTIONS = LEDGER_PROJECTIONS.map((projection) => projection.collection);

/** A small ledger: two organisations, then `batches` batches mined, shipped and (every other one) received. */
function ledger(batches: number): StreamWrite[] {
  return [
    ...PARTIES,
    ...Array.from({ length: batches }, (_, i) => {
      const batch = minedAndShipped(i);
      return i % 2 === 0 ? { ...batch, events: [...batch.events, ...received(i).events] } : batch;
    }),
  ];
}

describe('tracelode rebuild', () => {
  let dir: string;
  let storeUrl: string;
  let head: bigint;
  /** The documents the live projector produced, one event at a time. */
  let incremental: Record<string, unknown>;

  const documentsIn = (path: string) => {
    const views = ReadModelStore.open(path);
    try {
      return {
        checkpoint: views.checkpoint(),
        documents: Object.fromEntries(COLLECTIONS.map((collection) => [collection, views.all(collection)])),
      };
    } finally {
      views.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-rebuild-'));
    storeUrl = `sqlite:${join(dir, 'ledger.db')}`;
    const store = SqliteEventStore.open(join(dir, 'ledger.db'));
    const views = ReadModelStore.open(join(dir, 'live.db'));
    const projector = new Projector(store, views, LEDGER_PROJECTIONS);
    projector.start();
    // Concurrent appends are group-committed: one fsync for many, where 1200 in a row would take seconds.
    const results = await Promise.all(ledger(1200).map((write) => store.append([write])));
    head = results.reduce((max, { position }) => (position > max ? position : max), 0n);
    expect(await projector.waitFor(head, 10000)).toBe(true);
    await projector.stop();
    views.close();
    await store.close();
    incremental = documentsIn(join(dir, 'live.db')).documents;
  }, 20000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let logs: string[];
  let errors: string[];
  beforeEach(() => {
    logs = [];
    errors = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it('replays the whole log into documents equal to the incremental ones and reports the rate', async () => {
    const target = join(dir, 'views', 'rebuilt.db');

    expect(await rebuild(['--store', storeUrl, '--views', target])).toBe(0);

    expect(errors).toEqual([]);
    expect(logs).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Rebuilt ${target} from ${storeUrl}: applied ${head} events up to position ${head} ` +
            'in \\d+\\.\\d\\d s \\(\\d+ events/s\\)$',
        ),
      ),
    ]);
    expect(documentsIn(target)).toEqual({ checkpoint: head, documents: incremental });
    expect((incremental[BATCH_CUSTODY] as unknown[]).length).toBe(1200);
    expect(readdirSync(join(dir, 'views'))).toEqual(['rebuilt.db']);
  });

  it('builds the EPCIS index as the live projector did, with every index built after the rows (ADR 0033)', async () => {
    const target = join(dir, 'indexed.db');
    expect(await rebuild(['--store', storeUrl, '--views', target])).toBe(0);
    // Built without a journal on disk, then turned to WAL as the server opens it; no side files are left.
    expect(readdirSync(dir).filter((name) => name.startsWith('indexed.db'))).toEqual(['indexed.db']);
    const dump = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return {
          events: db.prepare('SELECT * FROM epcis_events ORDER BY position').all(),
          classes: db.prepare('SELECT * FROM epcis_classes ORDER BY position, batch_id, role').all(),
          terms: db.prepare('SELECT * FROM view_terms ORDER BY collection, term, key').all(),
          indexes: db
            .prepare<[], string>(
              "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
            )
            .pluck()
            .all(),
          journal: db.pragma('journal_mode', { simple: true }),
        };
      } finally {
        db.close();
      }
    };
    const rebuilt = dump(target);
    const live = dump(join(dir, 'live.db'));
    expect(rebuilt.events.length).toBeGreaterThan(1200);
    expect({ ...rebuilt, journal: undefined }).toEqual({ ...live, journal: undefined });
    expect(rebuilt.indexes).toEqual(
      expect.arrayContaining(['epcis_events_event_time', 'epcis_classes_position']),
    );
    expect(rebuilt.journal).toBe('wal');
  });

  it('takes the store and views from TRACELODE_STORE and TRACELODE_VIEWS', async () => {
    const target = join(dir, 'from-env.db');

    expect(await rebuild([], { TRACELODE_STORE: storeUrl, TRACELODE_VIEWS: target })).toBe(0);

    expect(documentsIn(target).checkpoint).toBe(head);
  });

  it('replaces an existing views file, discarding its stale WAL and a leftover half-built file', async () => {
    const target = join(dir, 'replaced.db');
    const old = ReadModelStore.open(target);
    old.applyAndCheckpoint(5n, (tx) => tx.put(BATCH_CUSTODY, 'GHOST', { batchId: 'GHOST' }, 5n));
    old.close();
    // A crashed server leaves a -wal next to the file; this one belongs to another database entirely, so
    // replaying it into the new file would corrupt it.
    const other = ReadModelStore.open(join(dir, 'other.db'));
    other.applyAndCheckpoint(9n, (tx) => tx.put(BATCH_CUSTODY, 'OTHER', { batchId: 'OTHER' }, 9n));
    copyFileSync(join(dir, 'other.db-wal'), `${target}-wal`);
    copyFileSync(join(dir, 'other.db-shm'), `${target}-shm`);
    other.close();
    writeFileSync(`${target}${REBUILDING_SUFFIX}`, 'left by a rebuild that was killed');

    const report = await rebuildViewsFile({ storeUrl, viewsPath: target });

    expect(report).toMatchObject({ viewsPath: target, applied: Number(head), position: head });
    expect(existsSync(`${target}${REBUILDING_SUFFIX}`)).toBe(false);
    expect(documentsIn(target)).toEqual({ checkpoint: head, documents: incremental });
  });

  it('carries the EPCIS capture jobs of the views it replaces, which the log cannot rebuild', async () => {
    const target = join(dir, 'with-jobs.db');
    const old = ReadModelStore.open(target);
    old.saveCaptureJob('capture-1', 'ORG-A', { running: false, success: true });
    old.saveCaptureJob('capture-2', 'ORG-B', { running: false, success: false });
    old.close();

    await rebuildViewsFile({ storeUrl, viewsPath: target });

    const rebuilt = ReadModelStore.open(target);
    try {
      expect(rebuilt.captureJob('capture-1')).toEqual({
        orgId: 'ORG-A',
        job: { running: false, success: true },
      });
      expect(rebuilt.captureJob('capture-2')).toEqual({
        orgId: 'ORG-B',
        job: { running: false, success: false },
      });
      expect(rebuilt.checkpoint()).toBe(head);
    } finally {
      rebuilt.close();
    }
  });

  it('leaves the old views untouched when the rebuild fails part-way', async () => {
    const target = join(dir, 'kept.db');
    const old = ReadModelStore.open(target);
    old.applyAndCheckpoint(5n, (tx) => tx.put(BATCH_CUSTODY, 'KEPT', { batchId: 'KEPT' }, 5n));
    old.close();
    let seen = 0;
    const failing: DocumentProjection<unknown> = {
      collection: 'failing',
      keyOf: () => 'x',
      evolve: () => {
        if (++seen === 1500) throw new Error('disk on fire');
        return { seen };
      },
    };

    await expect(rebuildViewsFile({ storeUrl, viewsPath: target }, [failing])).rejects.toThrow(
      `Rebuild failed; ${target} was left as it was: disk on fire`,
    );

    expect(documentsIn(target)).toEqual({
      checkpoint: 5n,
      documents: expect.objectContaining({ [BATCH_CUSTODY]: [{ key: 'KEPT', view: { batchId: 'KEPT' } }] }),
    });
    expect(readdirSync(dir).filter((name) => name.startsWith('kept.db'))).toEqual(['kept.db']);
  });

  it('rebuilds an empty log into empty views at position 0', async () => {
    const emptyStore = join(dir, 'empty-ledger.db');
    await SqliteEventStore.open(emptyStore).close();
    const target = join(dir, 'empty-views.db');

    expect(await rebuild(['--store', `sqlite:${emptyStore}`, `--views=${target}`])).toBe(0);

    expect(logs[0]).toContain('applied 0 events up to position 0');
    const rebuilt = documentsIn(target);
    expect(rebuilt.checkpoint).toBe(0n);
    expect(rebuilt.documents[BATCH_CUSTODY]).toEqual([]);
  });

  it.each([
    [['--stor', 'x'], "Unknown option '--stor'"],
    [['--store'], "Option '--store <value>' argument missing"],
    [['--views', ''], 'The views path is empty'],
    [['extra'], "Unexpected argument 'extra'"],
  ])('refuses %j with exit code 2 and the usage', async (args, message) => {
    expect(await rebuild(args, {})).toBe(2);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
    expect(errors[0]).toContain('Usage: tracelode rebuild');
  });

  it('prints the help, which says to stop the server first, with exit code 0', async () => {
    expect(await rebuild(['--help'])).toBe(0);

    expect(logs).toEqual([REBUILD_HELP]);
    expect(REBUILD_HELP).toContain('Stop the API server');
  });

  it.each([
    ['a missing store file', () => `sqlite:${join(dir, 'nowhere', 'ledger.db')}`, 'does not exist'],
    ['a directory', () => `sqlite:${dir}`, 'is not a file'],
    [
      'a views file given as the store',
      () => `sqlite:${join(dir, 'live.db')}`,
      'not a Tracelode event store',
    ],
    [
      'a file that is not SQLite',
      () => `sqlite:${join(dir, 'junk.db')}`,
      'file is not a database (it is not a Tracelode',
    ],
    ['the in-memory store', () => 'memory:', 'lives only inside a running server'],
    ['an unsupported scheme', () => 'postgres://localhost/ledger', 'Unrecognised event store URL'],
    ['an unreachable KurrentDB', () => 'kurrentdb://127.0.0.1:1?tls=false', 'KurrentDB is unreachable'],
  ])('fails with exit code 1 on %s, writing nothing', async (_case, url, message) => {
    writeFileSync(
      join(dir, 'junk.db'),
      'this is not a database, just some text that is long enough '.repeat(20),
    );
    const target = join(dir, 'refused', 'views.db');

    expect(await rebuild(['--store', url(), '--views', target], {})).toBe(1);

    expect(errors).toEqual([expect.stringContaining(message)]);
    expect(existsSync(join(dir, 'refused'))).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('refuses to write the views over the event store itself', async () => {
    const storePath = join(dir, 'ledger.db');

    expect(await rebuild(['--store', `sqlite:${storePath}`, '--views', storePath], {})).toBe(1);

    expect(errors).toEqual([expect.stringContaining('is the event store itself')]);
    const store = SqliteEventStore.open(storePath);
    expect(await store.headPosition()).toBe(head);
    await store.close();
  });

  it('keeps a view document per batch that matches the live one field for field', () => {
    const batches = incremental[BATCH_CUSTODY] as { key: string; view: BatchCustodyView }[];
    expect(batches.find((document) => document.key === 'B-2')?.view).toMatchObject({
      status: 'in_custody',
      custodian: { orgId: 'refco', facilityId: 'kuantan' },
      remainingMassKg: 1,
    });
    expect(batches.find((document) => document.key === 'B-3')?.view).toMatchObject({ status: 'in_transit' });
  });
});
