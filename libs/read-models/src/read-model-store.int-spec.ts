import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURE_JOBS_KEPT, ReadModelStore, type StoredViewDocument } from './read-model-store';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('ReadModelStore.openReadOnly', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-read-models-'));
    path = join(dir, 'views.db');
    const views = ReadModelStore.open(path);
    views.applyAndCheckpoint(7n, (tx) => {
      tx.put('b', 'k1', { n: 1 }, 7n);
      tx.put('a', 'z', { n: 2 }, 3n);
      tx.put('a', '\u{1F600}', { n: 3 }, 5n); // above U+FFFF: after U+E000–U+FFFF in SQLite's byte order
      tx.put('a', '\uE000', { n: 4 }, 6n);
    });
    views.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the checkpoint and every document in collection, key and code point order', () => {
    const views = ReadModelStore.openReadOnly(path);
    const read = views.snapshot((checkpoint, documents) => ({ checkpoint, documents: [...documents] }));
    views.close();

    expect(read.checkpoint).toBe(7n);
    expect(read.documents.map((d: StoredViewDocument) => [d.collection, d.key, d.json, d.position])).toEqual([
      ['a', 'z', '{"n":2}', 3n],
      ['a', '\uE000', '{"n":4}', 6n],
      ['a', '\u{1F600}', '{"n":3}', 5n],
      ['b', 'k1', '{"n":1}', 7n],
    ]);
  });

  it('refuses to write', () => {
    const views = ReadModelStore.openReadOnly(path);
    expect(() => views.applyAndCheckpoint(8n, (tx) => tx.put('a', 'new', {}, 8n))).toThrow(/readonly/);
    expect(() => views.reset()).toThrow(/readonly/);
    views.close();
    expect(ReadModelStore.openReadOnly(path).checkpoint()).toBe(7n);
  });

  it('never creates a missing file', () => {
    expect(() => ReadModelStore.openReadOnly(join(dir, 'missing.db'))).toThrow();
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  it('refuses, without resetting, a file of another schema version or another kind', () => {
    const newer = new Database(path);
    newer.pragma('user_version = 5');
    newer.close();
    const before = sha256(path);

    expect(() => ReadModelStore.openReadOnly(path)).toThrow('schema version 5, expected 4');
    expect(sha256(path)).toBe(before);

    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE events (position INTEGER PRIMARY KEY); PRAGMA user_version = 1;');
    other.close();
    expect(() => ReadModelStore.openReadOnly(join(dir, 'other.db'))).toThrow('is not a read-model file');
  });

  it('sees one consistent snapshot while another connection writes', () => {
    const reader = ReadModelStore.openReadOnly(path);
    const writer = ReadModelStore.open(path);
    const seen = reader.snapshot((checkpoint, documents) => {
      const first = [...documents].length;
      writer.applyAndCheckpoint(9n, (tx) => tx.put('c', 'later', {}, 9n));
      return { checkpoint, first, again: [...documents].length };
    });
    expect(seen).toEqual({ checkpoint: 7n, first: 4, again: 4 });
    expect(reader.checkpoint()).toBe(9n);
    writer.close();
    reader.close();
  });
});

describe('ReadModelStore index terms', () => {
  let dir: string;
  let views: ReadModelStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-read-models-'));
    views = ReadModelStore.open(join(dir, 'views.db'));
    views.applyAndCheckpoint(3n, (tx) => {
      tx.put('rel', 'B-1', {}, 1n, ['org:a', 'country:AU']);
      tx.put('rel', 'B-2', {}, 2n, ['org:a', 'org:b']);
      tx.put('rel', 'C-1', {}, 3n, ['org:b']);
      tx.put('custody', 'B-1', {}, 1n, ['status:held', 'form:ore']);
      tx.put('custody', 'B-2', {}, 2n, ['status:in_custody', 'form:ore']);
      tx.put('custody', 'C-1', {}, 3n, ['status:in_custody', 'form:oxide']);
    });
  });
  afterEach(() => {
    views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds keys having any of the terms, each once, in key order, with filters, prefix, after and limit', () => {
    expect(views.keysByTerms({ collection: 'rel', anyOf: ['org:a', 'org:b'], limit: 10 })).toEqual([
      'B-1',
      'B-2',
      'C-1',
    ]);
    expect(views.keysByTerms({ collection: 'rel', anyOf: ['org:a', 'country:AU'], limit: 10 })).toEqual([
      'B-1',
      'B-2',
    ]);
    const form = (term: string) => [{ collection: 'custody', term }];
    expect(
      views.keysByTerms({ collection: 'rel', anyOf: ['org:b'], allOf: form('form:ore'), limit: 10 }),
    ).toEqual(['B-2']);
    expect(
      views.keysByTerms({ collection: 'rel', anyOf: ['org:a', 'org:b'], prefix: 'C', limit: 10 }),
    ).toEqual(['C-1']);
    expect(
      views.keysByTerms({ collection: 'rel', anyOf: ['org:a', 'org:b'], after: 'B-1', limit: 1 }),
    ).toEqual(['B-2']);
    expect(views.keysByTerms({ collection: 'custody', allOf: form('status:in_custody'), limit: 10 })).toEqual(
      ['B-2', 'C-1'],
    );
    expect(views.keysByTerms({ collection: 'rel', anyOf: [], limit: 10 })).toEqual([]);
  });

  it("replaces a document's terms when it is put with new ones, and keeps them when put without", () => {
    views.applyAndCheckpoint(5n, (tx) => {
      tx.put('custody', 'B-1', {}, 4n, ['status:in_custody', 'form:ore']);
      tx.put('rel', 'B-1', { changed: true }, 5n);
    });
    const held = [{ collection: 'custody', term: 'status:held' }];
    expect(views.keysByTerms({ collection: 'custody', allOf: held, limit: 10 })).toEqual([]);
    expect(views.keysByTerms({ collection: 'rel', anyOf: ['country:AU'], limit: 10 })).toEqual(['B-1']);
  });

  it('drops the terms with the views on reset (a rebuild)', () => {
    views.reset();
    expect(views.keysByTerms({ collection: 'rel', anyOf: ['org:a'], limit: 10 })).toEqual([]);
  });
});

describe('ReadModelStore EPCIS capture jobs', () => {
  let dir: string;
  let views: ReadModelStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-capture-jobs-'));
    views = ReadModelStore.open(join(dir, 'views.db'));
  });
  afterEach(() => {
    views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps each organisation's newest jobs, so one capturing in a loop cannot push another's out", () => {
    views.saveCaptureJob('b-only', 'ORG-B', { success: true });
    for (let i = 0; i < CAPTURE_JOBS_KEPT + 5; i++) views.saveCaptureJob(`a-${i}`, 'ORG-A', { i });

    expect(views.captureJob('b-only')).toEqual({ orgId: 'ORG-B', job: { success: true } });
    for (let i = 0; i < 5; i++) expect(views.captureJob(`a-${i}`)).toBeUndefined();
    expect(views.captureJob('a-5')).toEqual({ orgId: 'ORG-A', job: { i: 5 } });
    expect(views.captureJob(`a-${CAPTURE_JOBS_KEPT + 4}`)).toEqual({
      orgId: 'ORG-A',
      job: { i: CAPTURE_JOBS_KEPT + 4 },
    });
  });

  it('reads a job without writing: a file that kept none is answered while another connection writes it', () => {
    // The followers' worker, the file's one writer, holds its write lock (ADR 0029, amended).
    const writer = ReadModelStore.open(join(dir, 'views.db'));
    const lock = new Database(join(dir, 'views.db'));
    try {
      lock.pragma('busy_timeout = 0');
      lock.exec('BEGIN IMMEDIATE');
      const asked = Date.now();
      expect(views.captureJob('none-yet')).toBeUndefined();
      // Creating the table would have waited out the 5 s busy timeout, then failed.
      expect(Date.now() - asked).toBeLessThan(1000);
      lock.exec('ROLLBACK');

      writer.saveCaptureJob('kept-elsewhere', 'ORG-A', { recorded: 1 });
      expect(views.captureJob('kept-elsewhere')).toEqual({ orgId: 'ORG-A', job: { recorded: 1 } });
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
      writer.close();
    }
  });
});

describe('ReadModelStore with another connection writing the same file', () => {
  it('applies the projector’s transaction whole when another connection commits while it reads (no SQLITE_BUSY at its first write)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-views-busy-'));
    try {
      const path = join(dir, 'views.db');
      const projector = ReadModelStore.open(path);
      const server = ReadModelStore.open(path);
      (server as unknown as { db: Database.Database }).db.pragma('busy_timeout = 50');
      server.saveCaptureJob('before', 'org-a', { state: 'done' });
      let saveDuring: unknown;

      projector.applyAndCheckpoint(1n, (tx) => {
        tx.get('batches', 'B-1'); // a read first, as every projection does
        try {
          // The request thread saving an EPCIS capture job between the projector's read and its write.
          server.saveCaptureJob('during', 'org-a', { state: 'done' });
        } catch (error) {
          saveDuring = error;
        }
        tx.put('batches', 'B-1', { batchId: 'B-1' }, 1n);
      });

      // The projector held the write lock from its BEGIN: the other connection waited, then gave up.
      expect(String(saveDuring)).toMatch(/busy|locked/i);
      expect(projector.checkpoint()).toBe(1n);
      expect(projector.get('batches', 'B-1')).toEqual({ batchId: 'B-1' });
      server.saveCaptureJob('after', 'org-a', { state: 'done' });
      projector.close();
      server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
