import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Read and write access to view documents inside one read-model transaction. */
export interface ViewTransaction {
  get<V>(collection: string, key: string): V | undefined;
  put<V>(collection: string, key: string, view: V, position: bigint): void;
}

const SCHEMA_VERSION = 1;

/**
 * The read-model database: JSON view documents by (collection, key) plus the projector's checkpoint.
 * Views are derived data, so the file is WAL with synchronous=NORMAL: a crash may lose the last view
 * transactions, but never splits a batch of view changes from its checkpoint, and the projector
 * re-applies from the checkpoint on start.
 */
export class ReadModelStore {
  private readonly getDocument: Database.Statement<[string, string], { view: string }>;
  private readonly putDocument: Database.Statement<[string, string, string, number]>;
  private readonly readCheckpoint: Database.Statement<[], { position: number }>;
  private readonly writeCheckpoint: Database.Statement<[number]>;

  private constructor(private readonly db: Database.Database) {
    this.getDocument = db.prepare('SELECT view FROM views WHERE collection = ? AND key = ?');
    this.putDocument = db.prepare(
      `INSERT INTO views (collection, key, view, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, key) DO UPDATE SET view = excluded.view, position = excluded.position`,
    );
    this.readCheckpoint = db.prepare('SELECT position FROM checkpoint WHERE id = 1');
    this.writeCheckpoint = db.prepare('UPDATE checkpoint SET position = ? WHERE id = 1');
  }

  static open(path: string): ReadModelStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) ReadModelStore.createSchema(db);
    return new ReadModelStore(db);
  }

  private static createSchema(db: Database.Database): void {
    db.exec(`
      DROP TABLE IF EXISTS views;
      DROP TABLE IF EXISTS checkpoint;
      CREATE TABLE views (
        collection TEXT NOT NULL,
        key TEXT NOT NULL,
        view TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (collection, key)
      ) WITHOUT ROWID;
      CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
      INSERT INTO checkpoint (id, position) VALUES (1, 0);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }

  /** The log position of the last event applied to the views (0n when none). */
  checkpoint(): bigint {
    return BigInt(this.readCheckpoint.get()?.position ?? 0);
  }

  get<V>(collection: string, key: string): V | undefined {
    const row = this.getDocument.get(collection, key);
    return row ? (JSON.parse(row.view) as V) : undefined;
  }

  /** Applies `work` and moves the checkpoint to `position` in one transaction: both land or neither. */
  applyAndCheckpoint(position: bigint, work: (tx: ViewTransaction) => void): void {
    this.db.transaction(() => {
      work({
        get: <V>(collection: string, key: string) => this.get<V>(collection, key),
        put: <V>(collection: string, key: string, view: V, at: bigint) =>
          this.putDocument.run(collection, key, JSON.stringify(view), Number(at)),
      });
      this.writeCheckpoint.run(Number(position));
    })();
  }

  /** Every document of a collection, ordered by key (for rebuild comparisons and exports). */
  all<V>(collection: string): { key: string; view: V }[] {
    return this.db
      .prepare<[string], { key: string; view: string }>(
        'SELECT key, view FROM views WHERE collection = ? ORDER BY key',
      )
      .all(collection)
      .map((row) => ({ key: row.key, view: JSON.parse(row.view) as V }));
  }

  /** Drops every view and the checkpoint, for a rebuild from position 0. */
  reset(): void {
    ReadModelStore.createSchema(this.db);
  }

  close(): void {
    this.db.close();
  }
}
