import Database from 'better-sqlite3';
import { ownerOnlyDatabaseFile } from './owner-only-file';

/**
 * Read and write access to view documents inside one read-model transaction. A document read or put in
 * the transaction is handed back as the same object until it ends (projections never mutate what they are
 * given), so a document many events of one transaction change is parsed and serialised once, not per event.
 */
export interface ViewTransaction {
  get<V>(collection: string, key: string): V | undefined;
  /** `terms`: the document's index terms (`status:held`, `org:mineco`, …), replacing those it had. */
  put<V>(collection: string, key: string, view: V, position: bigint, terms?: readonly string[]): void;
  /** Adds (or replaces) the EPCIS query index's row of one log event (absent where nothing is indexed). */
  index?(row: EpcisIndexRow): void;
}

/** Which keys of a collection to list, in key order: a page of an indexed query (`keysByTerms`). */
export interface TermQuery {
  /** Keys having any of these terms in `collection`; undefined: every document of the collection. */
  readonly anyOf?: readonly string[];
  readonly collection: string;
  /** Terms each key must also have, each in its own collection (filters). */
  readonly allOf?: readonly { readonly collection: string; readonly term: string }[];
  /** Keys starting with this. */
  readonly prefix?: string;
  /** Keys after this one (the previous page's last). */
  readonly after?: string;
  readonly limit: number;
}

/**
 * One ledger event as the EPCIS query finds it (docs/epcis.md): the columns `GET /epcis/events` filters
 * on, by log position. Times in milliseconds since the epoch; lots by ledger id, with their role.
 */
export interface EpcisIndexRow {
  readonly position: bigint;
  readonly stream: string;
  readonly eventType: string;
  readonly eventTime: number;
  readonly recordTime: number;
  readonly bizStep: string;
  /** `{orgId}/{facilityId}` of the event's bizLocation. */
  readonly bizLocation?: string;
  readonly dispositionSet?: string;
  readonly classes: readonly { readonly batchId: string; readonly role: 'object' | 'input' | 'output' }[];
}

/** What an EPCIS query asks of the index: each list is "any of", every given filter must hold. */
export interface EpcisIndexFilter {
  readonly eventTypes?: readonly string[];
  readonly geEventTime?: number;
  readonly ltEventTime?: number;
  readonly geRecordTime?: number;
  readonly ltRecordTime?: number;
  readonly bizSteps?: readonly string[];
  readonly bizLocations?: readonly string[];
  readonly anyClass?: readonly string[];
  readonly inputClass?: readonly string[];
  readonly outputClass?: readonly string[];
  readonly dispositionSet?: readonly string[];
}

/** One stored view document, its JSON as stored, and the log position that last wrote it. */
export interface StoredViewDocument {
  readonly collection: string;
  readonly key: string;
  readonly json: string;
  readonly position: bigint;
}

/**
 * 4: the EPCIS query index (ADR 0031); 3: index terms beside the documents (`view_terms`); 2: the
 * held-upstream views. A file of an older version is rebuilt on open (the projector replays the log into it).
 */
const SCHEMA_VERSION = 4;

/**
 * EPCIS capture jobs kept for `GET /epcis/capture/{id}`, the newest of each organisation (ADR 0031): per
 * organisation, so that one capturing in a loop cannot push another's jobs out.
 */
export const CAPTURE_JOBS_KEPT = 1_000;

/** The EPCIS index's secondary indexes (ADR 0031): what `GET /epcis/events` filters and a re-index deletes by. */
const EPCIS_SECONDARY_INDEXES = `
  CREATE INDEX IF NOT EXISTS epcis_events_event_time ON epcis_events (event_time, position);
  CREATE INDEX IF NOT EXISTS epcis_events_record_time ON epcis_events (record_time, position);
  CREATE INDEX IF NOT EXISTS epcis_events_biz_step ON epcis_events (biz_step, position);
  CREATE INDEX IF NOT EXISTS epcis_events_biz_location ON epcis_events (biz_location, position);
  CREATE INDEX IF NOT EXISTS epcis_events_disposition ON epcis_events (disposition_set, position);
  CREATE INDEX IF NOT EXISTS epcis_classes_position ON epcis_classes (position);
`;

/** A document a replay writes out (`ReadModelStore.writeReplayed`). */
export interface ReplayedDocument {
  readonly collection: string;
  readonly key: string;
  readonly view: unknown;
  /** The log position that last changed it. */
  readonly position: bigint;
  /** Its index terms, replacing those it had; undefined: left as they are. */
  readonly terms: readonly string[] | undefined;
  /** Whether it may already be in the file (written by an earlier write-out of the same replay). */
  readonly stored: boolean;
}

/** A rebuild's page cache, negative: in KiB (128 MiB). */
const REBUILD_CACHE_KIB = -131_072;

/** A document as a transaction last saw it; `position` is set once the transaction put it. */
interface TransactionDocument {
  readonly collection: string;
  readonly key: string;
  readonly view: unknown;
  readonly position: bigint | undefined;
  readonly terms?: readonly string[];
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
  private readonly dropTerms: Database.Statement<[string, string]>;
  private readonly putTerm: Database.Statement<[string, string, string]>;
  private readonly putIndexRow: Database.Statement<
    [number, string, string, number, number, string, string | null, string | null]
  >;
  private readonly clearIndexClasses: Database.Statement<[number]>;
  private readonly putIndexClass: Database.Statement<[string, string, number]>;

  private constructor(
    private readonly db: Database.Database,
    /** Opened for a rebuild from scratch (openForRebuild): every position is indexed once, indexes come last. */
    private readonly fresh = false,
  ) {
    this.getDocument = db.prepare('SELECT view FROM views WHERE collection = ? AND key = ?');
    this.putDocument = db.prepare(
      `INSERT INTO views (collection, key, view, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, key) DO UPDATE SET view = excluded.view, position = excluded.position`,
    );
    this.readCheckpoint = db.prepare('SELECT position FROM checkpoint WHERE id = 1');
    this.writeCheckpoint = db.prepare('UPDATE checkpoint SET position = ? WHERE id = 1');
    this.dropTerms = db.prepare('DELETE FROM view_terms WHERE collection = ? AND key = ?');
    this.putTerm = db.prepare('INSERT OR IGNORE INTO view_terms (collection, term, key) VALUES (?, ?, ?)');
    this.putIndexRow = db.prepare(
      `INSERT OR REPLACE INTO epcis_events
       (position, stream, event_type, event_time, record_time, biz_step, biz_location, disposition_set)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.clearIndexClasses = db.prepare('DELETE FROM epcis_classes WHERE position = ?');
    this.putIndexClass = db.prepare(
      'INSERT OR IGNORE INTO epcis_classes (batch_id, role, position) VALUES (?, ?, ?)',
    );
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
   * Opens a file to be rebuilt from scratch and only then put in place (`tracelode rebuild` builds
   * `<views>.rebuilding` and renames it over the views when complete): its rollback journal is kept in
   * memory and nothing is fsynced while it is written, so a crash can leave this file half-built, but it is
   * never the file anyone reads — the caller discards it, or completes it (completeRebuild), closes and
   * fsyncs it before renaming it in. A bigger page cache keeps the
   * tables' pages in memory. The file has no -wal or -shm side files.
   */
  static openForRebuild(path: string): ReadModelStore {
    ownerOnlyDatabaseFile(path);
    const db = new Database(path);
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma(`cache_size = ${REBUILD_CACHE_KIB}`);
    ReadModelStore.createSchema(db, true);
    return new ReadModelStore(db, true);
  }

  /**
   * Completes a store opened for a rebuild, once its views are all written: builds the indexes it left
   * out and turns the file to WAL, the journal the server opens it with (so opening it writes nothing).
   */
  completeRebuild(): void {
    this.db.exec(EPCIS_SECONDARY_INDEXES);
    this.db.pragma('journal_mode = WAL');
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
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('views', 'checkpoint', 'view_terms')",
        )
        .pluck()
        .all();
      // Other Tracelode files (the event store) are SQLite with a user_version too: the tables tell them apart.
      if (version !== SCHEMA_VERSION || tables.length !== 3)
        throw new Error(
          `${path} is not a read-model file this build can read (schema version ${version}, expected ${SCHEMA_VERSION})`,
        );
      return new ReadModelStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * `deferIndexes`: the EPCIS index's secondary indexes are left out, for a rebuild that fills the tables
   * first and then builds them in one pass each (completeRebuild), which costs less than keeping
   * five indexes up to date through a million inserts.
   */
  private static createSchema(db: Database.Database, deferIndexes = false): void {
    db.exec(`
      DROP TABLE IF EXISTS views;
      DROP TABLE IF EXISTS checkpoint;
      DROP TABLE IF EXISTS view_terms;
      CREATE TABLE views (
        collection TEXT NOT NULL,
        key TEXT NOT NULL,
        view TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (collection, key)
      ) WITHOUT ROWID;
      CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
      -- A list query reads one term's keys in key order (the primary key); a put replaces a key's terms.
      CREATE TABLE view_terms (
        collection TEXT NOT NULL,
        term TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (collection, term, key)
      ) WITHOUT ROWID;
      CREATE INDEX view_terms_by_key ON view_terms (collection, key);
      INSERT INTO checkpoint (id, position) VALUES (1, 0);
      DROP TABLE IF EXISTS epcis_events;
      DROP TABLE IF EXISTS epcis_classes;
      CREATE TABLE epcis_events (
        position INTEGER PRIMARY KEY,
        stream TEXT NOT NULL,
        event_type TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        record_time INTEGER NOT NULL,
        biz_step TEXT NOT NULL,
        biz_location TEXT,
        disposition_set TEXT
      );
      CREATE TABLE epcis_classes (
        batch_id TEXT NOT NULL,
        role TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (batch_id, role, position)
      ) WITHOUT ROWID;
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
    if (!deferIndexes) db.exec(EPCIS_SECONDARY_INDEXES);
  }

  /** The log position of the last event applied to the views (0n when none). */
  checkpoint(): bigint {
    return BigInt(this.readCheckpoint.get()?.position ?? 0);
  }

  /**
   * Runs `read` in one read transaction, given the views' checkpoint: every document it gets agrees with
   * that checkpoint even while another connection (the followers' worker) writes, and its lookups share one
   * transaction instead of each taking and dropping SQLite's read lock (a chain's read gets thousands of
   * documents: about 40% of their cost).
   */
  readConsistently<T>(read: (checkpoint: bigint) => T): T {
    return this.db.transaction(() => read(this.checkpoint()))();
  }

  get<V>(collection: string, key: string): V | undefined {
    const row = this.getDocument.get(collection, key);
    return row ? (JSON.parse(row.view) as V) : undefined;
  }

  /**
   * Applies `work` and moves the checkpoint to `position` in one transaction: both land or neither. The
   * transaction is IMMEDIATE: `work` reads before it writes, and a deferred transaction would then fail at
   * once with SQLITE_BUSY (no busy wait) if another connection had committed meanwhile (the request thread
   * saving an EPCIS capture job when no followers' worker can, or any other process), which stopped the
   * projector.
   */
  applyAndCheckpoint(position: bigint, work: (tx: ViewTransaction) => void): void {
    this.db
      .transaction(() => {
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
          put: <V>(collection: string, key: string, view: V, at: bigint, terms?: readonly string[]) => {
            documents.set(id(collection, key), { collection, key, view, position: at, terms });
          },
          index: (row) => this.putIndex(row),
        });
        for (const { collection, key, view, position: at, terms } of documents.values()) {
          if (at === undefined) continue;
          this.putDocument.run(collection, key, JSON.stringify(view), Number(at));
          if (terms === undefined) continue;
          this.dropTerms.run(collection, key);
          for (const term of terms) this.putTerm.run(collection, term, key);
        }
        this.writeCheckpoint.run(Number(position));
      })
      .immediate();
  }

  /**
   * A replay's write-out (`ReplayWriter`): the documents, then the index rows, and the checkpoint moved to
   * `position`, in one transaction. A document's terms are dropped first only where it may have been
   * written before (`stored`): a replay starts from empty views.
   */
  writeReplayed(
    position: bigint,
    documents: readonly ReplayedDocument[],
    rows: readonly EpcisIndexRow[],
  ): void {
    this.db.transaction(() => {
      for (const { collection, key, view, position: at, terms, stored } of documents) {
        this.putDocument.run(collection, key, JSON.stringify(view), Number(at));
        if (terms === undefined) continue;
        if (stored) this.dropTerms.run(collection, key);
        for (const term of terms) this.putTerm.run(collection, term, key);
      }
      for (const row of rows) this.putIndex(row);
      this.writeCheckpoint.run(Number(position));
    })();
  }

  private putIndex(row: EpcisIndexRow): void {
    const at = Number(row.position);
    this.putIndexRow.run(
      at,
      row.stream,
      row.eventType,
      row.eventTime,
      row.recordTime,
      row.bizStep,
      row.bizLocation ?? null,
      row.dispositionSet ?? null,
    );
    // A rebuild from scratch indexes each position once: there are no rows of it to clear.
    if (!this.fresh) this.clearIndexClasses.run(at);
    for (const { batchId, role } of row.classes) this.putIndexClass.run(batchId, role, at);
  }

  /**
   * A page of keys by index terms, in key order: those with any of `anyOf` (or every document of the
   * collection), each also having every `allOf` term, after `after`, starting with `prefix`. Reads the
   * terms' index, never the documents: its cost follows the keys the terms name.
   */
  keysByTerms(query: TermQuery): string[] {
    if (query.anyOf?.length === 0) return [];
    const from = query.anyOf === undefined ? 'views a' : 'view_terms a';
    const joinParameters: string[] = [];
    const joins = (query.allOf ?? []).map(({ collection, term }, index) => {
      joinParameters.push(collection, term);
      const filter = `f${index}`;
      return ` JOIN view_terms ${filter} ON ${filter}.collection = ? AND ${filter}.term = ? AND ${filter}.key = a.key`;
    });
    const where = ['a.collection = ?'];
    const whereParameters: (string | number)[] = [query.collection];
    if (query.anyOf !== undefined) {
      where.push(`a.term IN (${query.anyOf.map(() => '?').join(', ')})`);
      whereParameters.push(...query.anyOf);
    }
    if (query.after !== undefined) {
      where.push('a.key > ?');
      whereParameters.push(query.after);
    }
    if (query.prefix !== undefined && query.prefix !== '') {
      // Keys compare as code points: every key starting with the prefix sorts before prefix + U+10FFFF.
      where.push('a.key >= ? AND a.key < ?');
      whereParameters.push(query.prefix, `${query.prefix}\u{10FFFF}`);
    }
    const sql = `SELECT DISTINCT a.key FROM ${from}${joins.join('')} WHERE ${where.join(' AND ')} ORDER BY a.key LIMIT ?`;
    return this.db
      .prepare<(string | number)[], string>(sql)
      .pluck()
      .all(...joinParameters, ...whereParameters, query.limit);
  }

  /** Keys of a collection starting with `prefix`, in key order (a certifier's engagements). */
  keysWithPrefix(collection: string, prefix: string): string[] {
    return this.db
      .prepare<[string, string, string], string>(
        'SELECT key FROM views WHERE collection = ? AND key >= ? AND key < ? ORDER BY key',
      )
      .pluck()
      .all(collection, prefix, `${prefix}\u{10FFFF}`);
  }

  /**
   * The log positions and streams of the indexed EPCIS events after `after` that match `filter`, in log
   * order, at most `limit`: every filter is a column or the lots' table, each with its index.
   */
  epcisEvents(
    filter: EpcisIndexFilter,
    after: bigint,
    limit: number,
  ): { position: bigint; stream: string }[] {
    const where: string[] = ['e.position > ?'];
    const params: (string | number)[] = [Number(after)];
    // `IN ()` is no SQL: an empty list matches nothing, as `IN (NULL)` does.
    const marks = (values: readonly string[]) =>
      values.length === 0 ? 'NULL' : values.map(() => '?').join(', ');
    const anyOf = (column: string, values: readonly string[] | undefined) => {
      if (values === undefined) return;
      where.push(`${column} IN (${marks(values)})`);
      params.push(...values);
    };
    const bound = (sql: string, value: number | undefined) => {
      if (value === undefined) return;
      where.push(sql);
      params.push(value);
    };
    const lots = (values: readonly string[] | undefined, role?: string) => {
      if (values === undefined) return;
      where.push(
        `e.position IN (SELECT position FROM epcis_classes WHERE batch_id IN (${marks(values)})${role ? ' AND role = ?' : ''})`,
      );
      params.push(...values, ...(role ? [role] : []));
    };
    anyOf('e.event_type', filter.eventTypes);
    bound('e.event_time >= ?', filter.geEventTime);
    bound('e.event_time < ?', filter.ltEventTime);
    bound('e.record_time >= ?', filter.geRecordTime);
    bound('e.record_time < ?', filter.ltRecordTime);
    anyOf('e.biz_step', filter.bizSteps);
    anyOf('e.biz_location', filter.bizLocations);
    anyOf('e.disposition_set', filter.dispositionSet);
    lots(filter.anyClass);
    lots(filter.inputClass, 'input');
    lots(filter.outputClass, 'output');
    params.push(limit);
    return this.db
      .prepare<(string | number)[], { position: number; stream: string }>(
        `SELECT e.position, e.stream FROM epcis_events e WHERE ${where.join(' AND ')} ORDER BY e.position LIMIT ?`,
      )
      .all(...params)
      .map((row) => ({ position: BigInt(row.position), stream: row.stream }));
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

  /**
   * Keeps an EPCIS capture job (ADR 0031): not a view of the log — a refused capture writes nothing there —
   * but the answer `GET /epcis/capture/{id}` owes the capturing organisation after a restart. Its table is
   * created on first use and dropped by neither a schema change nor a rebuild of the views; the newest
   * `CAPTURE_JOBS_KEPT` jobs of each organisation are kept.
   */
  saveCaptureJob(captureId: string, orgId: string, job: unknown): void {
    const { db } = this;
    this.captureJobs ??= ReadModelStore.captureJobStatements(db);
    const statements = this.captureJobs;
    db.transaction(() => {
      statements.put.run(captureId, orgId, JSON.stringify(job));
      statements.prune.run(orgId, orgId, CAPTURE_JOBS_KEPT);
    }).immediate();
  }

  /**
   * Carries the EPCIS capture jobs of the views file at `path` (when it has any) into this one, oldest
   * first: a rebuild writes a new file (ADR 0033), and the jobs are not in the log to be rebuilt from.
   * Returns how many were carried.
   */
  adoptCaptureJobsFrom(path: string): number {
    let rows: { capture_id: string; org_id: string; job: string }[];
    try {
      // Read-only: the old file is about to be replaced, and may have a crashed server's side files.
      const old = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const kept = old
          .prepare<[], string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'epcis_capture_jobs'",
          )
          .pluck()
          .get();
        rows = kept
          ? old
              .prepare<[], { capture_id: string; org_id: string; job: string }>(
                'SELECT capture_id, org_id, job FROM epcis_capture_jobs ORDER BY seq',
              )
              .all()
          : [];
      } finally {
        old.close();
      }
    } catch {
      return 0; // no views file yet, or one too damaged to read: there is nothing to carry
    }
    this.captureJobs ??= ReadModelStore.captureJobStatements(this.db);
    const { put } = this.captureJobs;
    this.db.transaction(() => rows.forEach((row) => put.run(row.capture_id, row.org_id, row.job)))();
    return rows.length;
  }

  /** A capture job kept by `saveCaptureJob`, with the organisation that captured it. */
  captureJob<J>(captureId: string): { orgId: string; job: J } | undefined {
    // Read only: a file that has kept no job has no table yet, and creating it here would wait for the
    // write lock on the reader's thread (the request thread, while the followers' worker writes).
    this.readCaptureJob ??= this.db
      .prepare<[], number>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'epcis_capture_jobs'")
      .pluck()
      .get()
      ? this.db.prepare<[string], { org_id: string; job: string }>(
          'SELECT org_id, job FROM epcis_capture_jobs WHERE capture_id = ?',
        )
      : undefined;
    const row = this.readCaptureJob?.get(captureId);
    return row ? { orgId: row.org_id, job: JSON.parse(row.job) as J } : undefined;
  }

  private captureJobs?: ReturnType<typeof ReadModelStore.captureJobStatements>;
  private readCaptureJob?: Database.Statement<[string], { org_id: string; job: string }>;

  private static captureJobStatements(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS epcis_capture_jobs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      capture_id TEXT NOT NULL UNIQUE,
      org_id TEXT NOT NULL,
      job TEXT NOT NULL
    )`);
    db.exec('CREATE INDEX IF NOT EXISTS epcis_capture_jobs_by_org ON epcis_capture_jobs (org_id, seq)');
    return {
      put: db.prepare<[string, string, string]>(
        'INSERT OR REPLACE INTO epcis_capture_jobs (capture_id, org_id, job) VALUES (?, ?, ?)',
      ),
      // The organisation's jobs beyond its newest CAPTURE_JOBS_KEPT (seq ascends with each save).
      prune: db.prepare<[string, string, number]>(
        `DELETE FROM epcis_capture_jobs WHERE org_id = ? AND seq IN (
           SELECT seq FROM epcis_capture_jobs WHERE org_id = ? ORDER BY seq DESC LIMIT -1 OFFSET ?)`,
      ),
    };
  }

  /** Drops every view and the checkpoint, for a rebuild from position 0. */
  reset(): void {
    ReadModelStore.createSchema(this.db, this.fresh);
  }

  close(): void {
    this.db.close();
  }
}
