import { SqliteEventStore, type StoredEvent } from '@tracelode/event-store';
import { BATCH_CUSTODY, LEDGER_PROJECTIONS, Projector } from '@tracelode/projections';
import { ReadModelStore, type StoredViewDocument } from '@tracelode/read-models';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { minedAndShipped, organisation, received } from '../testing-support/ledger-writes';
import { rebuildViewsFile } from './rebuild.command';
import { replay, REPLAY_DIFF_FORMAT, REPLAY_HELP } from './replay.command';

interface Diff {
  format: string;
  to: { requested: string; position: number };
  replayedEvents: number;
  liveCheckpoint: number;
  differences: { kind: string; collection: string; key: string; replay?: unknown; live?: unknown }[];
  differenceCount: number;
  collections: Record<
    string,
    { replay: number; live: number; onlyInReplay: number; onlyInLive: number; changed: number }
  >;
}

const allDocuments = (path: string): StoredViewDocument[] => {
  const views = ReadModelStore.openReadOnly(path);
  try {
    return views.snapshot((_checkpoint, documents) => [...documents]);
  } finally {
    views.close();
  }
};

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('tracelode replay', () => {
  let dir: string;
  let storeUrl: string;
  let livePath: string;
  /** The log head after the first part of the history, and the views a projector held there. */
  let early: bigint;
  let earlyViewsPath: string;
  let earlyRecordedAt: string;
  let firstRecordedAt: string;
  let head: bigint;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-replay-'));
    storeUrl = `sqlite:${join(dir, 'ledger.db')}`;
    livePath = join(dir, 'live.db');
    earlyViewsPath = join(dir, 'early.db');
    const store = SqliteEventStore.open(join(dir, 'ledger.db'));
    await store.append([organisation('mineco', 'AU', 'mt-weld', 'mine')]);
    await store.append([organisation('refco', 'MY', 'kuantan', 'processing_plant')]);
    for (let i = 0; i < 5; i++) ({ position: early } = await store.append([minedAndShipped(i)]));
    const earlyViews = ReadModelStore.open(earlyViewsPath);
    const projector = new Projector(store, earlyViews, LEDGER_PROJECTIONS);
    projector.start();
    expect(await projector.waitFor(early, 5000)).toBe(true);
    await projector.stop();
    earlyViews.close();
    // Later commits get a later millisecond, so the time of the early head names the early head.
    await sleep(10);
    // The later history: two receipts (changing B-0 and B-2) and a new batch B-5.
    await store.append([received(0)]);
    await store.append([received(2)]);
    ({ position: head } = await store.append([minedAndShipped(5)]));
    const log: StoredEvent[] = [];
    for await (const stored of store.readAll()) log.push(stored);
    firstRecordedAt = log[0]!.recordedAt;
    earlyRecordedAt = log[Number(early) - 1]!.recordedAt;
    await store.close();
    await rebuildViewsFile({ storeUrl, viewsPath: livePath });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let logs: string[];
  let errors: string[];
  let progress: string[];
  const run = (...args: string[]) =>
    replay(
      [...args, '--store', storeUrl, '--views', livePath],
      {},
      { isTTY: false, write: (text) => progress.push(text) },
    );
  const readDiff = (out: string) => JSON.parse(readFileSync(join(out, 'diff.json'), 'utf8')) as Diff;
  beforeEach(() => {
    logs = [];
    errors = [];
    progress = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it('replays to the live checkpoint (head) with no differences, and reports the rate', async () => {
    const out = join(dir, 'at-head');

    expect(await run('--to', 'head', '--out', out)).toBe(0);

    expect(errors).toEqual([]);
    const diff = readDiff(out);
    expect(diff).toMatchObject({
      format: REPLAY_DIFF_FORMAT,
      to: { requested: 'head', position: Number(head) },
      replayedEvents: Number(head),
      liveCheckpoint: Number(head),
      differences: [],
      differenceCount: 0,
    });
    expect(diff.collections[BATCH_CUSTODY]).toEqual({
      replay: 6,
      live: 6,
      onlyInReplay: 0,
      onlyInLive: 0,
      changed: 0,
    });
    expect(Object.keys(diff.collections)).toEqual(
      expect.arrayContaining(LEDGER_PROJECTIONS.map((projection) => projection.collection)),
    );
    expect(allDocuments(join(out, 'views.db'))).toEqual(allDocuments(livePath));
    expect(logs.join('\n')).toContain(`Replayed ${head} events up to position ${head}`);
    expect(logs.join('\n')).toContain('No differences from the live views');
    expect(progress.at(-1)).toMatch(
      new RegExp(`^replay: ${head} events in \\d+\\.\\d\\d s · [\\d,]+ events/s\\n$`),
    );
    expect(readdirSync(out).filter((name) => !name.startsWith('views.db'))).toEqual(['diff.json']);
  });

  it('replays to an earlier position and names exactly the documents the later history changed', async () => {
    const out = join(dir, 'early');

    expect(await run('--to', String(early), '--out', out)).toBe(0);

    const diff = readDiff(out);
    const live = allDocuments(livePath);
    const writtenLater = live.filter((document) => document.position > early);
    const key = (d: { collection: string; key: string }) => `${d.collection}/${d.key}`;
    expect(diff.differences.map(key).sort()).toEqual(writtenLater.map(key).sort());
    expect(
      diff.differences.filter((d) => d.collection === BATCH_CUSTODY).map((d) => [d.key, d.kind]),
    ).toEqual([
      ['B-0', 'changed'],
      ['B-2', 'changed'],
      ['B-5', 'only-in-live'],
    ]);
    // The replayed side of each difference is the view the projector held at that position.
    const earlyViews = new Map(
      allDocuments(earlyViewsPath).map((d) => [key(d), JSON.parse(d.json) as unknown]),
    );
    const liveViews = new Map(live.map((d) => [key(d), JSON.parse(d.json) as unknown]));
    for (const difference of diff.differences) {
      if (difference.kind !== 'only-in-live')
        expect(difference.replay).toEqual(earlyViews.get(key(difference)));
      expect(difference.live).toEqual(liveViews.get(key(difference)));
    }
    expect(allDocuments(join(out, 'views.db'))).toEqual(allDocuments(earlyViewsPath));
    expect(diff).toMatchObject({
      to: { requested: String(early), position: Number(early) },
      replayedEvents: Number(early),
      liveCheckpoint: Number(head),
      differenceCount: writtenLater.length,
    });
    expect(diff.collections[BATCH_CUSTODY]).toEqual({
      replay: 5,
      live: 6,
      onlyInReplay: 0,
      onlyInLive: 1,
      changed: 2,
    });
    expect(logs.join('\n')).toContain(`${writtenLater.length} documents differ from the live views`);
    expect(logs.join('\n')).toContain(`${BATCH_CUSTODY}: 2 changed, 1 only in the live views`);
  });

  it('takes a time and replays the log as committed at that instant', async () => {
    const atEarly = join(dir, 'time-early');
    const beforeAll = join(dir, 'time-before');

    expect(await run('--to', earlyRecordedAt, '--out', atEarly)).toBe(0);
    expect(
      await run(`--to=${new Date(Date.parse(firstRecordedAt) - 1).toISOString()}`, '--out', beforeAll),
    ).toBe(0);

    expect(readDiff(atEarly).to).toEqual({ requested: earlyRecordedAt, position: Number(early) });
    expect(allDocuments(join(atEarly, 'views.db'))).toEqual(allDocuments(earlyViewsPath));
    const nothing = readDiff(beforeAll);
    expect(nothing).toMatchObject({ to: { position: 0 }, replayedEvents: 0 });
    expect(nothing.differenceCount).toBe(allDocuments(livePath).length);
    expect(new Set(nothing.differences.map((d) => d.kind))).toEqual(new Set(['only-in-live']));
  });

  it('reads the live views while a server holds them open, and never writes them', async () => {
    const before = sha256(livePath);
    const server = ReadModelStore.open(livePath);
    try {
      expect(await run('--to', String(early), '--out', join(dir, 'beside-server'))).toBe(0);
      expect(server.checkpoint()).toBe(head);
      server.applyAndCheckpoint(head, () => undefined); // the server can still write
    } finally {
      server.close();
    }
    expect(sha256(livePath)).toBe(before);
  });

  it('leaves a live views file of another schema version as it was (it is never reset)', async () => {
    const newer = join(dir, 'newer.db');
    await rebuildViewsFile({ storeUrl, viewsPath: newer });
    // Apps reach SQLite only through the libs, so the file's user_version (header bytes 60-63) is set by hand.
    const file = readFileSync(newer);
    file.writeUInt32BE(5, 60);
    writeFileSync(newer, file);
    const before = sha256(newer);

    expect(
      await replay(
        ['--to', 'head', '--out', join(dir, 'newer-out'), '--store', storeUrl, '--views', newer],
        {},
        { write: () => true },
      ),
    ).toBe(1);

    expect(errors).toEqual([expect.stringContaining('schema version 5, expected 4')]);
    expect(sha256(newer)).toBe(before);
  });

  it('refuses a non-empty --out unless --force, then replaces only its own files', async () => {
    const out = join(dir, 'occupied');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me');

    expect(await run('--to', 'head', '--out', out)).toBe(1);
    expect(errors).toEqual([
      expect.stringContaining('is not empty; choose an empty directory or pass --force'),
    ]);
    expect(readdirSync(out)).toEqual(['notes.txt']);

    expect(await run('--to', String(early), '--out', out, '--force')).toBe(0);
    expect(await run('--to', 'head', '--out', out, '--force')).toBe(0);
    expect(readDiff(out).differenceCount).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it.each([
    [['--out', 'x'], '--to is required'],
    [['--to', 'head'], '--out DIR is required'],
    [['--to', 'yesterday', '--out', 'x'], '--to "yesterday" is neither'],
    [['--to', '2026-03-01T12:00', '--out', 'x'], 'with a zone'],
    [['--to', '-3', '--out', 'x'], "Option '--to' argument is ambiguous"],
    [['--to', 'head', '--out', 'x', '--from', '1'], "Unknown option '--from'"],
    [['--to', 'head', '--out', 'x', 'extra'], "Unexpected argument 'extra'"],
  ])('refuses %j with exit code 2 and the usage', async (args, message) => {
    expect(await replay(args, {})).toBe(2);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
    expect(errors[0]).toContain('Usage: tracelode replay');
  });

  it('prints the help with exit code 0', async () => {
    expect(await replay(['--help'])).toBe(0);
    expect(logs).toEqual([REPLAY_HELP]);
  });

  it.each([
    ['a position beyond the head', () => ['--to', '999'], "Position 999 is beyond the log's head"],
    ['a missing live views file', () => ['--to', 'head', '--views', join(dir, 'none.db')], 'does not exist'],
    [
      'a live views file that is not one',
      () => ['--to', 'head', '--views', join(dir, 'ledger.db')],
      'is not a read-model file this build can read',
    ],
    [
      'a missing store',
      () => ['--to', 'head', '--store', `sqlite:${join(dir, 'none', 'l.db')}`],
      'does not exist',
    ],
    [
      '--out over the live views',
      () => ['--to', 'head', '--out', dir, '--views', join(dir, 'views.db')],
      'which the ledger uses',
    ],
  ])('fails with exit code 1 on %s', async (_case, args, message) => {
    if (!existsSync(join(dir, 'views.db')))
      await rebuildViewsFile({ storeUrl, viewsPath: join(dir, 'views.db') });
    const out = join(dir, 'refused');

    expect(
      await replay(
        ['--out', out, '--store', storeUrl, '--views', livePath, ...args(), '--force'],
        {},
        { write: () => true },
      ),
    ).toBe(1);

    expect(errors).toEqual([expect.stringContaining(message)]);
    expect(existsSync(join(out, 'diff.json'))).toBe(false);
  });
});
