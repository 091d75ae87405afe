import Database from 'better-sqlite3';
import { ownerOnlyDatabaseFile } from './owner-only-file';
import {
  CorruptEventError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../event-store.errors';
import type { AppendResult, EventStore, StoredEvent, StreamWrite } from '../event-store.port';
import { LogSubscription } from '../log-subscription';
import { readInPages } from '../read-in-pages';
import {
  checkExpectedRevision,
  type EncodedWrite,
  existingEventIdError,
  validateAppend,
} from '../validate-append';

const SCHEMA_VERSION = 1;
/** Bounds how long one flush holds the event loop; the rest of the queue goes in the next flush. */
const MAX_GROUP_SIZE = 1000;
/**
 * How long a flush may wait for more appends to join its group (see flush); a commit's fsync costs
 * milliseconds and blocks the event loop, so sharing it among more appends is worth a little latency.
 */
const MAX_GATHER_MS = 5;
/** Streams whose last revision the store remembers (see KnownHeads). */
const KNOWN_HEADS = 10_000;

// `position INTEGER PRIMARY KEY` is the rowid, which SQLite allocates as max + 1: rows undone by a
// ROLLBACK TO give their positions back, and events are never deleted, so the log stays gap-free.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY,
    stream      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream, revision)
  );
  CREATE TABLE IF NOT EXISTS streams (
    stream   TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

export interface SqliteEventStoreOptions {
  /** How often an idle subscription re-reads the file for events committed by other processes (default 250). */
  readonly pollIntervalMs?: number;
  /** How long a flush waits for another process's write lock before failing its group (default 5000). */
  readonly busyTimeoutMs?: number;
  /** How long a flush may wait for more appends to join its group (default 5 ms; see MAX_GATHER_MS). */
  readonly gatherMs?: number;
}

/** The connection's settings as SQLite reports them after open. */
export interface SqliteSettings {
  readonly journalMode: string;
  /** 2 = FULL. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
}

export interface SqliteEventStoreStats {
  /** Transactions committed; each serves a whole group of appends. */
  readonly commits: number;
  /** Appends written by those transactions. */
  readonly appends: number;
}

interface QueuedAppend {
  readonly writes: readonly EncodedWrite[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: Error };

interface EventRow {
  position: number;
  stream: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL. Concurrent appends are
 * group-committed — each flush writes every queued append in one transaction, so one fsync serves many —
 * and each append runs in its own savepoint so that a refused append leaves the rest of its group intact.
 * All database work is synchronous, so no transaction is ever open while other code on this connection runs.
 */
export class SqliteEventStore implements EventStore {
  private readonly queue: QueuedAppend[] = [];
  private readonly subscriptions = new Set<LogSubscription>();
  private flushHandle: NodeJS.Immediate | undefined;
  /** Queue length when the pending flush last looked, and when the oldest queued append arrived. */
  private queuedAtLastLook = 0;
  private oldestQueuedAt = 0;
  private closed = false;
  private readOnly = false;
  private commits = 0;
  private appendsCommitted = 0;
  /** Told of each group commit: the appends it wrote and the seconds from BEGIN to COMMIT (the metrics). */
  onCommit?: (appends: number, seconds: number) => void;

  private readonly statements: Statements;
  private readonly heads = new KnownHeads(KNOWN_HEADS);
  private versionThisTurn: number | undefined;
  private readonly commitListeners = new Set<(position: bigint) => void>();

  private constructor(
    private readonly db: Database.Database,
    readonly settings: SqliteSettings,
    private readonly pollIntervalMs: number,
    private readonly gatherMs: number,
  ) {
    this.statements = prepareStatements(db);
  }

  /** Opens (creating if needed, with its directory) the store at `path`; `:memory:` gives a private one. */
  static open(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    ownerOnlyDatabaseFile(path);
    const db = new Database(path, { timeout: busyTimeoutMs });
    try {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so an acknowledged append survives power loss.
      db.pragma('synchronous = FULL');
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      migrate(db);
      const settings: SqliteSettings = {
        journalMode: db.pragma('journal_mode', { simple: true }) as string,
        synchronous: db.pragma('synchronous', { simple: true }) as number,
        busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
      };
      return new SqliteEventStore(
        db,
        settings,
        options.pollIntervalMs ?? 250,
        options.gatherMs ?? MAX_GATHER_MS,
      );
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Opens an existing store file for reading only (another thread's or process's handle beside the
   * writer's): never created, migrated or written; an append is refused.
   */
  static openReadOnly(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (
        version !== SCHEMA_VERSION ||
        !db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get()
      )
        throw new EventStoreUnavailableError(
          `${path} holds no event log this build reads (schema version ${version}, expected ${SCHEMA_VERSION})`,
        );
      const settings: SqliteSettings = {
        journalMode: db.pragma('journal_mode', { simple: true }) as string,
        synchronous: db.pragma('synchronous', { simple: true }) as number,
        busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
      };
      const store = new SqliteEventStore(db, settings, options.pollIntervalMs ?? 250, 0);
      store.readOnly = true;
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  get stats(): SqliteEventStoreStats {
    return { commits: this.commits, appends: this.appendsCommitted };
  }

  append(writes: readonly StreamWrite[]): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen();
      if (this.readOnly) throw new EventStoreUnavailableError('This handle of the event store is read-only');
      const encoded = validateAppend(writes);
      if (this.queue.length === 0) this.oldestQueuedAt = performance.now();
      this.queue.push({ writes: encoded, resolve, reject });
      this.flushHandle ??= setImmediate(() => this.flush());
    });
  }

  readStream(stream: string, from = 0n): AsyncIterable<StoredEvent> {
    const start = from < 0n ? 0n : from;
    return readInPages(
      (revision, limit) => {
        this.assertOpen();
        // Nothing at or beyond the last revision this store knows, while no other connection has committed.
        const head = this.heads.get(stream, this.dataVersion());
        if (head !== undefined && revision > head) return [];
        const page = this.read(() => this.statements.readStream.all(stream, revision, limit));
        if (page.length < limit) {
          const last = page.at(-1);
          // A short page read from the start, or ending somewhere, tells where the stream ends now.
          if (last) this.heads.set(stream, last.revision);
          else if (revision === 0n) this.heads.set(stream, -1n);
        }
        return page;
      },
      start,
      (event) => event.revision + 1n,
    );
  }

  /**
   * SQLite's data_version: it changes when another connection (another process, a CLI) commits to the
   * file, never for this connection's own commits — so while it stands still, the heads this store
   * knows are the file's. Asked once per turn of the event loop (`fresh` asks again): the reads of one
   * turn see the file as of that turn's first read or later, as if they had all been made then. An
   * append is judged under the write lock whatever a read saw, so no decision rests on it alone.
   */
  private dataVersion(fresh = false): number {
    if (fresh || this.versionThisTurn === undefined) {
      if (this.versionThisTurn === undefined) setImmediate(() => (this.versionThisTurn = undefined));
      this.versionThisTurn = this.statements.dataVersion.get()!;
    }
    return this.versionThisTurn;
  }

  /**
   * Calls `listener` with the log's new head after every commit that wrote events (e.g. to wake a
   * follower on another thread, which then reads them through its own handle); returns the way to stop.
   */
  onCommitted(listener: (position: bigint) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Another connection has committed (as another thread says): subscriptions read on now, not at their next poll. */
  wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.notify();
  }

  readAll(from = 1n): AsyncIterable<StoredEvent> {
    return readInPages(this.readLogPage, from < 1n ? 1n : from, (event) => event.position + 1n);
  }

  subscribeAll(from = 1n): AsyncIterable<StoredEvent> {
    const subscription = new LogSubscription(
      this.readLogPage,
      from,
      (ended) => this.subscriptions.delete(ended),
      this.pollIntervalMs,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  headPosition(): Promise<bigint> {
    return new Promise((resolve) => {
      this.assertOpen();
      resolve(BigInt(this.statements.head.get() ?? 0));
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    while (this.queue.length > 0) this.commitGroup(this.queue.splice(0, MAX_GROUP_SIZE));
    for (const subscription of this.subscriptions) subscription.end();
    this.db.close();
    return Promise.resolve();
  }

  private readonly readLogPage = (position: bigint, limit: number): StoredEvent[] =>
    this.read(() => this.statements.readAll.all(position, limit));

  /**
   * Commits the queue once a whole turn of the event loop has added nothing to it: appends that arrived
   * during the last turn mean that concurrent requests are still being handled, and their appends had
   * better share this commit than wait for the next one. Bounded by the gather time and MAX_GROUP_SIZE.
   */
  private flush(): void {
    this.flushHandle = undefined;
    const queued = this.queue.length;
    if (
      queued > this.queuedAtLastLook &&
      queued < MAX_GROUP_SIZE &&
      performance.now() - this.oldestQueuedAt < this.gatherMs
    ) {
      this.queuedAtLastLook = queued;
      this.flushHandle = setImmediate(() => this.flush());
      return;
    }
    this.commitGroup(this.queue.splice(0, MAX_GROUP_SIZE));
    this.queuedAtLastLook = this.queue.length;
    if (this.queue.length > 0) this.flushHandle = setImmediate(() => this.flush());
  }

  /** Writes the group in one transaction; settles its promises only once COMMIT has returned. */
  private commitGroup(group: readonly QueuedAppend[]): void {
    let outcomes: Outcome[];
    const began = performance.now();
    let seconds = 0;
    try {
      this.statements.begin.run();
      const recordedAt = new Date().toISOString();
      outcomes = group.map((queued) => this.applyInSavepoint(queued.writes, recordedAt));
      this.statements.commit.run();
      seconds = (performance.now() - began) / 1000;
    } catch (error) {
      // A storage fault (disk full, a read-only file, I/O, the lock held elsewhere) fails the whole group:
      // every append in it is refused and nothing of it stays. Some errors make SQLite roll back by itself;
      // otherwise the group is undone here. The next flush starts afresh, so the store recovers by itself
      // once the fault clears.
      const failure = new EventStoreUnavailableError(`Commit failed: ${String(error)}`, { cause: error });
      for (const queued of group) queued.reject(failure);
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The connection has already discarded the transaction (SQLite rolls back on some I/O errors).
      }
      this.heads.clear();
      return;
    }
    this.commits += 1;
    const version = this.dataVersion(true);
    for (const outcome of outcomes) {
      if (outcome.ok)
        for (const [stream, revision] of outcome.result.revisions) this.heads.set(stream, revision, version);
    }
    group.forEach((queued, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) queued.resolve(outcome.result);
      else queued.reject(outcome.error);
    });
    const written = outcomes.filter((outcome) => outcome.ok).length;
    this.appendsCommitted += written;
    this.onCommit?.(written, seconds);
    if (written > 0) {
      for (const subscription of this.subscriptions) subscription.notify();
      let head = 0n;
      for (const outcome of outcomes)
        if (outcome.ok && outcome.result.position > head) head = outcome.result.position;
      for (const listener of this.commitListeners) listener(head);
    }
  }

  private applyInSavepoint(writes: readonly EncodedWrite[], recordedAt: string): Outcome {
    this.statements.savepoint.run();
    try {
      const result = this.applyAppend(writes, recordedAt);
      this.statements.release.run();
      return { ok: true, result };
    } catch (error) {
      // Only a refusal of this append is contained; anything else fails the whole group.
      if (!(error instanceof WrongExpectedRevisionError || error instanceof InvalidAppendError)) throw error;
      this.statements.rollbackTo.run();
      this.statements.release.run();
      return { ok: false, error };
    }
  }

  private applyAppend(writes: readonly EncodedWrite[], recordedAt: string): AppendResult {
    // Every expectation is checked before anything is written, so the error names the first failing stream.
    const actuals = writes.map(({ stream, expectedRevision }) => {
      const revision = this.statements.streamRevision.get(stream);
      const actual = revision === undefined ? 'no_stream' : BigInt(revision);
      checkExpectedRevision(stream, expectedRevision, actual);
      return actual;
    });
    let position = 0n;
    const revisions = new Map<string, bigint>();
    writes.forEach(({ stream, events }, i) => {
      const actual = actuals[i]!;
      let revision = actual === 'no_stream' ? -1n : actual;
      for (const event of events) {
        revision += 1n;
        position = this.insertEvent(stream, revision, event, recordedAt);
      }
      this.statements.upsertStream.run(stream, revision);
      revisions.set(stream, revision);
    });
    return { position, revisions };
  }

  private insertEvent(
    stream: string,
    revision: bigint,
    event: EncodedWrite['events'][number],
    recordedAt: string,
  ): bigint {
    try {
      const { lastInsertRowid } = this.statements.insertEvent.run(
        stream,
        revision,
        event.eventId,
        event.type,
        event.data,
        event.metadata,
        recordedAt,
      );
      return BigInt(lastInsertRowid);
    } catch (error) {
      // Matched by code, not `instanceof SqliteError`: the native addon keeps the error class of the first
      // module registry that loaded it, so under Jest's per-file registries instanceof can be false.
      if (
        (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
        String(error).includes('events.event_id')
      )
        throw existingEventIdError(event.eventId);
      throw error;
    }
  }

  private read(query: () => EventRow[]): StoredEvent[] {
    this.assertOpen();
    return query().map(toStoredEvent);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    savepoint: db.prepare('SAVEPOINT append'),
    release: db.prepare('RELEASE append'),
    rollbackTo: db.prepare('ROLLBACK TO append'),
    streamRevision: db.prepare<[string], number>('SELECT revision FROM streams WHERE stream = ?').pluck(),
    insertEvent: db.prepare<[string, bigint, string, string, string, string, string], void>(
      `INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertStream: db.prepare<[string, bigint], void>(
      `INSERT INTO streams (stream, revision) VALUES (?, ?)
       ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision`,
    ),
    readAll: db.prepare<[bigint, number], EventRow>(
      'SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT ?',
    ),
    readStream: db.prepare<[string, bigint, number], EventRow>(
      'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
    ),
    head: db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck(),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
}

/**
 * The last revision of recently read or written streams (-1: no such stream), each as of a data_version
 * of the connection: a read of a stream beyond its known head is answered without a query while nobody
 * else has written the file since. The command path reads streams it wrote or just read (the
 * organisation's, twice per command; a new batch's, empty), so most of its reads become none. Bounded,
 * least recently set first out; a change of data_version forgets everything.
 */
class KnownHeads {
  private readonly heads = new Map<string, bigint>();
  private version: number | undefined;

  constructor(private readonly capacity: number) {}

  get(stream: string, version: number): bigint | undefined {
    if (version !== this.version) {
      this.heads.clear();
      this.version = version;
      return undefined;
    }
    return this.heads.get(stream);
  }

  /** Without `version`: a head read under the version `get` last saw. */
  set(stream: string, revision: bigint, version = this.version): void {
    if (version !== this.version) {
      this.heads.clear();
      this.version = version;
    }
    this.heads.delete(stream);
    this.heads.set(stream, revision);
    if (this.heads.size > this.capacity) this.heads.delete(this.heads.keys().next().value!);
  }

  clear(): void {
    this.heads.clear();
    this.version = undefined;
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: BigInt(row.position),
    stream: row.stream,
    revision: BigInt(row.revision),
    eventId: row.event_id,
    type: row.type,
    data: parseColumn(row, 'data') as StoredEvent['data'],
    metadata: parseColumn(row, 'metadata') as StoredEvent['metadata'],
    recordedAt: row.recorded_at,
  };
}

/** A stored JSON column; one that no longer parses was altered outside the ledger, and says which event. */
function parseColumn(row: EventRow, column: 'data' | 'metadata'): unknown {
  try {
    return JSON.parse(row[column]);
  } catch (error) {
    throw new CorruptEventError(
      `Event ${row.event_id} at position ${row.position} (${row.stream}@${row.revision}) is unreadable: its ${column} is not JSON (${error instanceof Error ? error.message : String(error)})`,
      BigInt(row.position),
      row.event_id,
    );
  }
}

/** Creates or upgrades the schema, under the write lock so that two processes opening a new file agree. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    // Another Tracelode file (the views) has a user_version too: without the events table it is not ours.
    if (
      version > 0 &&
      !db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get()
    )
      throw new EventStoreUnavailableError('The file holds no event log (no such table: events)');
    if (version > SCHEMA_VERSION)
      throw new EventStoreUnavailableError(
        `Event store schema version ${version} is newer than this build supports (${SCHEMA_VERSION})`,
      );
    if (version < SCHEMA_VERSION) {
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}
