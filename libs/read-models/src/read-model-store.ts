import Database from 'better-sqlite3';
import { ownerOnlyDatabaseFile } from './owner-only-file';

/**
 * Read and write access to view documents inside one read-model transaction. A document read or put in
 * the transaction is handed back as the same object until it ends (projections never mutate what they are
 * given), so a document many events of one transaction change is parsed and serialised once, not per event.
 */
export interface ViewTransaction {
  get<V>(collection: string, key: string): V | undefined;
  put<V>(collection: string, key: string, view: V, position: bigint): void;
}

/** One stored view document, its JSON as stored, and the log position that last wrote it. */
export interface StoredViewDocument {
  readonly collection: string;
  readonly key: string;
  readonly json: string;
  readonly position: bigint;
}

/** 2: the held-upstream views (holds kept with their descendants); a file of version 1 is rebuilt on open. */
const SCHEMA_VERSION = 2;

/** A document as a transaction last saw it; `position` is set once the transaction put it. */
interface TransactionDocument {
  readonly collection: string;
  readonly key: string;
  readonly view: unknown;
  readonly position: bigint | undefined;
}

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
    ownerOnlyDatabaseFile(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) ReadModelStore.createSchema(db);
    return new ReadModelStore(db);
  }

  /**
   * Opens an existing views file for reading only: it is never created, reset or written, so a file a
   * running server projects into can be read alongside it. Refuses a file of another schema version.
   */
  static openReadOnly(path: string): ReadModelStore {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = db
        .prepare<[], string>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('views', 'checkpoint')",
        )
        .pluck()
        .all();
      // Other Tracelode files (the event store) are SQLite with a user_version too: the tables tell them apart.
      if (version !== SCHEMA_VERSION || tables.length !== 2)
        throw new Error(
          `${path} is not a read-model file this build can read (schema version ${version}, expected ${SCHEMA_VERSION})`,
        );
      return new ReadModelStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
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
      const documents = new Map<string, TransactionDocument>();
      const id = (collection: string, key: string) => `${collection}\u0000${key}`;
      work({
        get: <V>(collection: string, key: string) => {
          const known = documents.get(id(collection, key));
          if (known) return known.view as V | undefined;
          const view = this.get<V>(collection, key);
          documents.set(id(collection, key), { collection, key, view, position: undefined });
          return view;
        },
        put: <V>(collection: string, key: string, view: V, at: bigint) => {
          documents.set(id(collection, key), { collection, key, view, position: at });
        },
      });
      for (const { collection, key, view, position: at } of documents.values()) {
        if (at !== undefined) this.putDocument.run(collection, key, JSON.stringify(view), Number(at));
      }
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

  /**
   * Every document of every collection, ordered by collection then key in SQLite's byte order (which is
   * Unicode code point order), as stored. Runs `read` in one read transaction, so that the checkpoint and
   * the documents it sees agree even while another connection writes.
   */
  snapshot<T>(read: (checkpoint: bigint, documents: Iterable<StoredViewDocument>) => T): T {
    const rows = this.db.prepare<[], { collection: string; key: string; view: string; position: number }>(
      'SELECT collection, key, view, position FROM views ORDER BY collection, key',
    );
    const documents = {
      *[Symbol.iterator](): Iterator<StoredViewDocument> {
        for (const row of rows.iterate())
          yield { collection: row.collection, key: row.key, json: row.view, position: BigInt(row.position) };
      },
    };
    return this.db.transaction(() => read(this.checkpoint(), documents))();
  }

  /** Drops every view and the checkpoint, for a rebuild from position 0. */
  reset(): void {
    ReadModelStore.createSchema(this.db);
  }

  close(): void {
    this.db.close();
  }
}
