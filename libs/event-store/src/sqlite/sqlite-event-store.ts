import Database from 'better-sqlite3';
import { ownerOnlyDatabaseFile } from './owner-only-file';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CorruptEventError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
} from '../event-store.errors';
import type { AppendResult, EventStore, StoredEvent, StreamWrite } from '../event-store.port';
import { LogSubscription } from '../log-subscription';
import { readInPages } from '../read-in-pages';
import { type EncodedWrite, validateAppend } from '../validate-append';
import { type GroupWritten, SqliteGroupWriter } from './sqlite-group-writer';
import { SqliteWriterThread, WriterLostError } from './sqlite-writer-thread';

const SCHEMA_VERSION = 1;
/** Bounds how long one group holds the thread that writes it; the rest of the queue goes in the next group. */
const MAX_GROUP_SIZE = 1000;
/**
 * How long a flush may wait for more appends to join its group (see flush); a commit's fsync costs
 * milliseconds and blocks the event loop, so sharing it among more appends is worth a little latency.
 */
const MAX_GATHER_MS = 5;
/** Streams whose last revision the store remembers (see KnownHeads). */
const KNOWN_HEADS = 10_000;
/**
 * The writer's worker, as built beside this file (ADR 0037). Asked for when a store opens, never at load:
 * the browser's verifier bundles this library, and a browser has no `__dirname`.
 */
const sqliteWriterScript = () => join(__dirname, 'sqlite-writer-worker.js');

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
  /**
   * Where the group commits run (ADR 0037): `thread` (default), on this thread; `worker`, in a worker
   * thread with a connection of its own, so the COMMIT and its fsync block that thread, not this one.
   */
  readonly writer?: 'thread' | 'worker';
  /** The writer's worker script (default: the built one beside this file; Jest's sources have none). */
  readonly writerScript?: string;
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
  /** Pages of a stream read from the file: a read beyond a head the store knows makes none. */
  readonly streamQueries: number;
}

interface QueuedAppend {
  readonly writes: readonly EncodedWrite[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

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
 * and each append runs in its own savepoint so that a refused append leaves the rest of its group intact
 * (`SqliteGroupWriter`). The group commits run on this thread, or with `writer: 'worker'` in a worker
 * thread on a connection of its own, one group at a time, so that the COMMIT and its fsync block that
 * thread and not this one (ADR 0037); this connection then only reads. All database work is synchronous,
 * so no transaction is ever open while other code on a connection runs.
 */
export class SqliteEventStore implements EventStore {
  private readonly queue: QueuedAppend[] = [];
  private readonly subscriptions = new Set<LogSubscription>();
  private flushHandle: NodeJS.Immediate | undefined;
  /** Queue length when the pending flush last looked, and when the oldest queued append arrived. */
  private queuedAtLastLook = 0;
  private oldestQueuedAt = 0;
  /** Closing: appends are refused, what is queued is written; closed: reads are refused too. */
  private closing = false;
  private closed = false;
  private closeDone: Promise<void> | undefined;
  private readOnly = false;
  private commits = 0;
  private appendsCommitted = 0;
  private streamQueries = 0;
  /** Told of each group commit: the appends it wrote and the seconds from BEGIN to COMMIT (the metrics). */
  onCommit?: (appends: number, seconds: number) => void;

  private readonly statements: Statements;
  private readonly heads = new KnownHeads(KNOWN_HEADS);
  private versionThisTurn: number | undefined;
  private readonly commitListeners = new Set<(position: bigint) => void>();
  /** This thread's writer, or the worker's (ADR 0037); none on a read-only handle. */
  private groupWriter: SqliteGroupWriter | undefined;
  private writerThread: SqliteWriterThread | undefined;
  /**
   * With the writer in its worker: the group being written there; the log's head as its replies left it;
   * how many times this store has found that a connection other than its writer's has committed.
   */
  private inFlight: Promise<void> | undefined;
  private writtenHead = 0n;
  private othersEpoch = 0;

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
      const store = new SqliteEventStore(
        db,
        settings,
        options.pollIntervalMs ?? 250,
        options.gatherMs ?? MAX_GATHER_MS,
      );
      if (options.writer === 'worker') {
        const script = options.writerScript ?? sqliteWriterScript();
        if (!existsSync(script))
          throw new EventStoreUnavailableError(`The SQLite writer's worker script ${script} is not built`);
        store.writtenHead = BigInt(store.statements.head.get() ?? 0);
        store.writerThread = new SqliteWriterThread(script, { path, busyTimeoutMs });
      } else store.groupWriter = new SqliteGroupWriter(db);
      return store;
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
    return { commits: this.commits, appends: this.appendsCommitted, streamQueries: this.streamQueries };
  }

  append(writes: readonly StreamWrite[]): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.closing) throw new EventStoreUnavailableError('The event store is closed');
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
        this.streamQueries += 1;
        const page = this.read(() => this.statements.readStream.all(stream, revision, limit));
        // A short page tells where the stream ends now: at its last event, or, empty, before `revision`.
        // The second is a bound, not always the head, and serves as well: it is what a reader that asks
        // again from `revision` (the command path, for a stream it has folded) needs. Without it, a stream
        // whose head was pushed out of memory was read from the file at every command from then on.
        if (page.length < limit) this.heads.set(stream, page.at(-1)?.revision ?? revision - 1n);
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
   * `known`: the value this connection read inside a group's transaction, taken as the fresh one.
   */
  private dataVersion(fresh = false, known?: number): number {
    if (fresh || this.versionThisTurn === undefined) {
      if (this.versionThisTurn === undefined) setImmediate(() => (this.versionThisTurn = undefined));
      this.versionThisTurn =
        known ?? (this.writerThread ? this.othersVersion() : this.statements.dataVersion.get()!);
    }
    return this.versionThisTurn;
  }

  /**
   * With the writer in its worker this connection never writes, and its data_version moves at every
   * group the worker commits. What tells of another connection's commit instead (ADR 0037):
   * - while no group is being written, the log's head beyond the last position the worker reported
   *   (events are never deleted, so any commit that adds events moves the head);
   * - while one is, its reply: the worker compares its own connection's data_version after each group
   *   with the one after the group before, so it sees every other connection's commit in between. Until
   *   that reply, which follows the group's fsync, a read may miss another connection's commit made
   *   meanwhile; a decision resting on it is refused by the append (judged under the write lock), whose
   *   reply says so, and retried.
   */
  private othersVersion(): number {
    if (!this.inFlight && BigInt(this.statements.head.get() ?? 0) !== this.writtenHead) this.othersEpoch += 1;
    return this.othersEpoch;
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

  /** Writes what is queued, then closes: every append made before `close` is settled first. */
  close(): Promise<void> {
    this.closeDone ??= this.shutDown();
    return this.closeDone;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    if (this.writerThread) {
      await this.inFlight;
      while (this.queue.length > 0) await this.sendGroup(this.queue.splice(0, MAX_GROUP_SIZE));
      await this.writerThread.close();
    } else {
      while (this.queue.length > 0) this.commitGroup(this.queue.splice(0, MAX_GROUP_SIZE));
    }
    for (const subscription of this.subscriptions) subscription.end();
    this.closed = true;
    this.db.close();
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
    // One group at a time in the writer's worker: the appends arriving meanwhile form the next group.
    if (this.inFlight || this.closing) return;
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
    const group = this.queue.splice(0, MAX_GROUP_SIZE);
    if (this.writerThread) {
      this.inFlight = this.sendGroup(group).finally(() => {
        this.inFlight = undefined;
        this.queuedAtLastLook = this.queue.length;
        if (this.queue.length > 0) this.flushHandle ??= setImmediate(() => this.flush());
      });
      return;
    }
    this.commitGroup(group);
    this.queuedAtLastLook = this.queue.length;
    if (this.queue.length > 0) this.flushHandle = setImmediate(() => this.flush());
  }

  /** Has the writer's worker write the group; settles it as `commitGroup` does. Never rejects. */
  private async sendGroup(group: readonly QueuedAppend[]): Promise<void> {
    try {
      let written: GroupWritten & { othersCommitted: boolean };
      try {
        written = await this.writerThread!.write(group.map((queued) => queued.writes));
      } catch (error) {
        if (error instanceof WriterLostError) this.settleLostGroup(group, error);
        else {
          this.groupFailed(group, error);
          // The appends queued meanwhile would meet the same fault, each group after a busy timeout.
          this.groupFailed(this.queue.splice(0), error);
        }
        return;
      }
      if (written.othersCommitted) this.othersEpoch += 1;
      for (const outcome of written.outcomes)
        if (outcome.ok && outcome.result.position > this.writtenHead)
          this.writtenHead = outcome.result.position;
      this.settleGroup(group, written);
    } catch (error) {
      // Settling failed (a read of the file): what is not settled yet is refused (a settled promise ignores it).
      this.groupFailed(group, error);
    }
  }

  /**
   * The writer's worker stopped with the group in flight, before or after its COMMIT: each append whose
   * events are in the log was written (the group committed, and it is answered as written); the others
   * were not (the group never committed, or it refused them), and are refused as unavailable.
   */
  private settleLostGroup(group: readonly QueuedAppend[], lost: WriterLostError): void {
    this.heads.clear();
    let written = 0;
    let head = 0n;
    for (const queued of group) {
      let result: AppendResult | undefined;
      try {
        result = this.findWritten(queued.writes);
      } catch {
        result = undefined;
      }
      if (result) {
        written += 1;
        if (result.position > head) head = result.position;
        queued.resolve(result);
      } else queued.reject(lost);
    }
    if (written === 0) return;
    // The group committed: counted, and its followers told, as any other.
    this.commits += 1;
    this.appendsCommitted += written;
    for (const subscription of this.subscriptions) subscription.notify();
    for (const listener of this.commitListeners) listener(head);
  }

  /** An append's result as the log holds it, or undefined if its events are not there. */
  private findWritten(writes: readonly EncodedWrite[]): AppendResult | undefined {
    let position = 0n;
    const revisions = new Map<string, bigint>();
    for (const { stream, events } of writes) {
      for (const { eventId } of events) {
        const row = this.statements.eventById.get(eventId);
        if (!row) return undefined;
        if (BigInt(row.position) > position) position = BigInt(row.position);
        const revision = BigInt(row.revision);
        if (revision > (revisions.get(stream) ?? -1n)) revisions.set(stream, revision);
      }
    }
    return { position, revisions };
  }

  /** Writes the group in one transaction on this thread; settles its promises only once COMMIT has returned. */
  private commitGroup(group: readonly QueuedAppend[]): void {
    let written: GroupWritten;
    try {
      written = this.groupWriter!.write(group.map((queued) => queued.writes));
    } catch (error) {
      this.groupFailed(group, error);
      return;
    }
    this.settleGroup(group, written);
  }

  /** A storage fault failed the whole group: every append in it is refused, and nothing of it stays. */
  private groupFailed(group: readonly QueuedAppend[], error: unknown): void {
    const failure =
      error instanceof EventStoreUnavailableError
        ? error
        : new EventStoreUnavailableError(`Commit failed: ${String(error)}`, { cause: error });
    for (const queued of group) queued.reject(failure);
    this.heads.clear();
  }

  private settleGroup(
    group: readonly QueuedAppend[],
    { outcomes, seconds, dataVersion }: GroupWritten,
  ): void {
    this.commits += 1;
    let version: number | undefined;
    try {
      // Written on this connection: the heads are as of the group's own transaction (see GroupWritten).
      version = this.dataVersion(true, this.writerThread ? undefined : dataVersion);
    } catch {
      this.heads.clear(); // the file could not be asked: the group's heads are not recorded
    }
    for (const outcome of outcomes) {
      if (outcome.ok && version !== undefined)
        for (const [stream, revision] of outcome.result.revisions)
          this.heads.raise(stream, revision, version);
      // A refused expectation says the stream is not where this store thought: read it afresh next time.
      if (!outcome.ok && outcome.error instanceof WrongExpectedRevisionError)
        this.heads.forget(outcome.error.stream);
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
    readAll: db.prepare<[bigint, number], EventRow>(
      'SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT ?',
    ),
    readStream: db.prepare<[string, bigint, number], EventRow>(
      'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
    ),
    head: db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck(),
    eventById: db.prepare<[string], { position: number; revision: number }>(
      'SELECT position, revision FROM events WHERE event_id = ?',
    ),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
}

/**
 * For recently read or written streams, a revision beyond which the stream has no event (its last
 * revision, or a bound above it; -1: no such stream), each as of a data_version of the connection: a read
 * of a stream beyond it is answered without a query while nobody else has written the file since. The
 * command path reads streams it wrote or just read (the organisation's, twice per command; a new batch's,
 * empty), so most of its reads become none. Bounded, least recently set first out; a change of
 * data_version forgets everything.
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

  /**
   * As `set`, but never below what is known under the same version: both are bounds, and the higher one is
   * the safer. A group's reply can come after a read that already found another connection's later event
   * (with the writer in its worker, that commit is reported with the next group).
   */
  raise(stream: string, revision: bigint, version: number): void {
    const known = version === this.version ? this.heads.get(stream) : undefined;
    this.set(stream, known !== undefined && known > revision ? known : revision, version);
  }

  forget(stream: string): void {
    this.heads.delete(stream);
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
