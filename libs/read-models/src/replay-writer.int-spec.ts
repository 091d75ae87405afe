import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadModelStore } from './read-model-store';
import { ReplayWriter } from './replay-writer';

describe('ReplayWriter', () => {
  let dir: string;
  let path: string;
  let views: ReadModelStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-replay-writer-'));
    path = join(dir, 'views.db');
    views = ReadModelStore.openForRebuild(path);
  });
  afterEach(() => {
    views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every stored row of the views and terms tables, as SQLite holds them. */
  const rows = () => {
    const db = new Database(path, { readonly: true });
    try {
      return {
        views: db.prepare('SELECT collection, key, view, position FROM views ORDER BY collection, key').all(),
        terms: db
          .prepare('SELECT collection, term, key FROM view_terms ORDER BY collection, term, key')
          .all(),
        checkpoint: db.prepare('SELECT position FROM checkpoint').pluck().get(),
      };
    } finally {
      db.close();
    }
  };
  // The writer's file is opened with an exclusive lock: its rows are read once it is closed.
  const closeAndRead = () => {
    views.close();
    const read = rows();
    views = ReadModelStore.open(path);
    return read;
  };

  it('writes nothing until a write-out, then each changed document once with its last position and terms', () => {
    const writer = new ReplayWriter(views);
    writer.put('custody', 'B-2', { n: 1 }, 1n, ['status:held']);
    writer.put('custody', 'B-1', { n: 2 }, 2n, ['status:held']);
    expect(writer.get('custody', 'B-2')).toEqual({ n: 1 });
    writer.put('custody', 'B-2', { n: 3 }, 3n, ['status:in_custody']);
    writer.put('rel', 'B-2', { r: 1 }, 3n);
    expect(views.get('custody', 'B-2')).toBeUndefined();
    expect(views.checkpoint()).toBe(0n);
    expect(writer.pending).toBe(3);

    writer.writeOut(3n);

    expect(writer.pending).toBe(0);
    expect(closeAndRead()).toEqual({
      views: [
        { collection: 'custody', key: 'B-1', view: '{"n":2}', position: 2 },
        { collection: 'custody', key: 'B-2', view: '{"n":3}', position: 3 },
        { collection: 'rel', key: 'B-2', view: '{"r":1}', position: 3 },
      ],
      terms: [
        { collection: 'custody', term: 'status:held', key: 'B-1' },
        { collection: 'custody', term: 'status:in_custody', key: 'B-2' },
      ],
      checkpoint: 3,
    });
  });

  it('reads an evicted document back from the file and replaces its terms when it changes again', () => {
    const writer = new ReplayWriter(views, { cachedDocuments: 0 });
    writer.put('custody', 'B-1', { n: 1 }, 1n, ['status:held', 'form:ore']);
    writer.put('custody', 'B-2', { n: 2 }, 2n, ['status:held']);
    writer.writeOut(2n);

    expect(writer.get('custody', 'B-1')).toEqual({ n: 1 });
    writer.put('custody', 'B-1', { n: 3 }, 3n, ['status:in_custody', 'form:ore']);
    writer.put('custody', 'B-2', { n: 4 }, 4n); // without terms: they stay as they were
    expect(writer.get('custody', 'B-3')).toBeUndefined();
    writer.writeOut(4n);

    expect(closeAndRead()).toEqual({
      views: [
        { collection: 'custody', key: 'B-1', view: '{"n":3}', position: 3 },
        { collection: 'custody', key: 'B-2', view: '{"n":4}', position: 4 },
      ],
      terms: [
        { collection: 'custody', term: 'form:ore', key: 'B-1' },
        { collection: 'custody', term: 'status:held', key: 'B-2' },
        { collection: 'custody', term: 'status:in_custody', key: 'B-1' },
      ],
      checkpoint: 4,
    });
  });

  it('keeps what it has not written out out of the file, so a failed replay stops at the last write-out', () => {
    const writer = new ReplayWriter(views);
    writer.put('custody', 'B-1', { n: 1 }, 1n);
    writer.index({
      position: 1n,
      stream: 'batch-B-1',
      eventType: 'ObjectEvent',
      eventTime: 0,
      recordTime: 0,
      bizStep: 'commissioning',
      classes: [{ batchId: 'B-1', role: 'object' }],
    });
    writer.writeOut(1n);
    writer.put('custody', 'B-1', { n: 2 }, 2n);
    writer.put('custody', 'B-2', { n: 3 }, 3n);

    expect(views.checkpoint()).toBe(1n);
    expect(views.get('custody', 'B-1')).toEqual({ n: 1 });
    expect(views.get('custody', 'B-2')).toBeUndefined();
    expect(views.epcisEvents({}, 0n, 10)).toEqual([{ position: 1n, stream: 'batch-B-1' }]);
  });
});
