import {
  chainOf,
  type EventStore,
  eventHash,
  EventSealError,
  asError,
  LogFollower,
  ownerOnlyDatabaseFile,
  type StoredEvent,
} from '@tracelode/event-store';
import Database from 'better-sqlite3';
import { type CheckpointSigner, type SignedCheckpoint } from './checkpoint';
import { leafHash, MerkleLog } from './merkle';

export interface NotaryOptions {
  /** Sign a checkpoint once this many events have been added since the last one. */
  readonly everyEvents: number;
  /** Sign a checkpoint this often when events have been added since the last one. */
  readonly everyMs: number;
  readonly now?: () => Date;
}

/** The log holds an event whose stored hash is missing or does not match its content. */
export class LogIntegrityError extends Error {
  override readonly name = 'LogIntegrityError';
  constructor(
    message: string,
    readonly position: bigint,
    readonly eventId: string,
  ) {
    super(message);
  }
}

interface CheckpointRow {
  tree_size: number;
  root_hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
}

/** A stream's last notarised event. */
export interface StreamHead {
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
}

const MAX_BATCH = 1000;
/** The notary is off the request path: it gathers events a little longer, for fewer, larger transactions. */
const GATHER_MS = 20;

/**
 * Keeps the ledger's RFC 9162 Merkle log: follows the event log, checks each event's hash against its
 * content, adds it as the next leaf, and signs checkpoints `{treeSize, rootHash, timestamp}` every N
 * events or T seconds. Leaves, tree nodes, the event-id index and every signed checkpoint live in one
 * SQLite file; a batch of leaves and the checkpoint it triggers land in one transaction.
 */
export class LogNotary extends LogFollower {
  private readonly tree: MerkleLog;
  private timer?: NodeJS.Timeout;
  /** Why the timer's last checkpoint could not be written, until one is. */
  private signingFailure?: Error;
  /** Leaves in the tree, kept in memory (the tree's own count is a query). */
  private leaves: number;
  private readonly statements: {
    remember: Database.Statement<[number, string, string]>;
    head: Database.Statement<[string, number, number, string]>;
  };

  protected constructor(
    store: EventStore,
    private readonly db: Database.Database,
    readonly signer: CheckpointSigner,
    private readonly options: NotaryOptions,
  ) {
    super(store, { max: MAX_BATCH, gatherMs: GATHER_MS });
    db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (
        tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL, timestamp TEXT NOT NULL,
        key_id TEXT NOT NULL, signature TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS notarised_events (
        position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS stream_heads (
        stream TEXT PRIMARY KEY, revision INTEGER NOT NULL, position INTEGER NOT NULL, event_id TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
    this.tree = new MerkleLog(db);
    this.leaves = this.tree.size;
    this.statements = {
      remember: db.prepare('INSERT INTO notarised_events (position, event_id, event_hash) VALUES (?, ?, ?)'),
      head: db.prepare(
        `INSERT INTO stream_heads (stream, revision, position, event_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, position = excluded.position, event_id = excluded.event_id`,
      ),
    };
  }

  /** Opens (or creates) the notary's file at `path` (':memory:' for a ledger that keeps nothing). */
  static open(store: EventStore, path: string, signer: CheckpointSigner, options: NotaryOptions): LogNotary {
    return new LogNotary(store, LogNotary.openDatabase(path), signer, options);
  }

  protected static openDatabase(path: string): Database.Database {
    ownerOnlyDatabaseFile(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // Derived from the log: a crash may lose the last leaves (re-notarised on start) and a checkpoint just
    // signed, which stays valid — the same log gives the same root at its tree size again.
    db.pragma('synchronous = NORMAL');
    return db;
  }

  /** Leaves in the tree: the log position of the last event notarised. */
  get size(): number {
    return this.leaves;
  }

  protected get reached(): bigint {
    return BigInt(this.leaves);
  }

  override start(): void {
    super.start();
    this.timer ??= setInterval(() => this.signIfGrown(), this.options.everyMs);
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    await super.stop();
    this.db.close();
  }

  /**
   * The last leaf must be the log's event at that position: an integrity file kept for another ledger (two
   * ledgers whose views share a directory share the default integrity file), or a log restored to an
   * older state under a newer file, would otherwise be followed and mixed into one tree, whose proofs then
   * fail. It stops the notary instead, with the reason (the ledger then answers 503, as for any break).
   */
  protected override async checkReached(): Promise<void> {
    const last = this.leaves;
    if (last === 0) return;
    const notarised = this.db
      .prepare<[number], { event_id: string }>('SELECT event_id FROM notarised_events WHERE position = ?')
      .get(last);
    const events = this.store.readAll(BigInt(last))[Symbol.asyncIterator]();
    const found = await events.next();
    await events.return?.();
    const event = found.done ? undefined : found.value;
    if (!notarised || event?.position !== BigInt(last) || event.eventId !== notarised.event_id) {
      throw new LogIntegrityError(
        `The integrity file holds ${last} events, the last ${notarised?.event_id ?? '(unknown)'}, but the log's ` +
          `event at position ${last} is ${event?.position === BigInt(last) ? event.eventId : 'missing'}: ` +
          'the file belongs to another ledger or to a later state of this log (set TRACELODE_INTEGRITY to this ' +
          "ledger's own file)",
        BigInt(last),
        event?.eventId ?? notarised?.event_id ?? '',
      );
    }
  }

  /** Adds a batch of events as leaves (and a checkpoint when one is due), in one transaction. */
  protected apply(batch: readonly StoredEvent[]): void {
    const start = this.leaves;
    const hashes = batch.map((stored, i) => {
      const expected = BigInt(start + i + 1);
      if (stored.position !== expected) {
        throw new LogIntegrityError(
          `The log skips from position ${expected - 1n} to ${stored.position} (event ${stored.eventId})`,
          stored.position,
          stored.eventId,
        );
      }
      return checkedHash(stored);
    });
    const { remember, head } = this.statements;
    try {
      this.db
        .transaction(() => {
          this.tree.append(hashes.map((hash) => leafHash(Buffer.from(hash, 'hex'))));
          this.leaves = start + batch.length;
          batch.forEach((stored, i) => {
            remember.run(Number(stored.position), stored.eventId, hashes[i]!);
            head.run(stored.stream, Number(stored.revision), Number(stored.position), stored.eventId);
          });
          const last = this.latestCheckpoint()?.treeSize ?? 0;
          if (this.leaves - last >= this.options.everyEvents) this.insertCheckpoint();
          // IMMEDIATE: the write lock is taken (or waited for) at BEGIN. A deferred transaction that read first
          // would fail at once with SQLITE_BUSY when another connection (a `tracelode` command, or the
          // request thread signing for a bundle when no worker can) had committed since its read began, and
          // the notary would stop.
        })
        .immediate();
    } catch (error) {
      this.leaves = start; // rolled back
      throw error;
    }
  }

  /**
   * The timer's checkpoint. A file that cannot take it just now (a full disk) leaves it to the next tick,
   * the reason shown as the notary's interruption meanwhile: thrown from a timer, it would end the process.
   */
  private signIfGrown(): void {
    if (this.error || !this.db.open) return;
    try {
      if (this.leaves > (this.latestCheckpoint()?.treeSize ?? 0)) this.insertCheckpoint();
      if (this.signingFailure && this.interruption === this.signingFailure) this.interrupt(undefined);
      this.signingFailure = undefined;
    } catch (error) {
      this.signingFailure = asError(error);
      this.interrupt(this.signingFailure);
    }
  }

  private insertCheckpoint(): SignedCheckpoint {
    // `size`, not `leaves`: a notary following the log on another thread knows the tree's size from there.
    const size = this.size;
    const checkpoint = this.signer.sign({
      treeSize: size,
      rootHash: this.tree.root(size).toString('hex'),
      timestamp: (this.options.now?.() ?? new Date()).toISOString(),
    });
    this.db
      .prepare(
        'INSERT OR IGNORE INTO checkpoints (tree_size, root_hash, timestamp, key_id, signature) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        checkpoint.treeSize,
        checkpoint.rootHash,
        checkpoint.timestamp,
        checkpoint.keyId,
        checkpoint.signature,
      );
    return this.checkpointAt(checkpoint.treeSize)!;
  }

  /**
   * As `checkpointCovering`, by whoever writes the notary's file: here this notary; a notary whose tree is
   * kept by the followers' worker asks the worker to sign (NotaryInWorker), so the caller's thread never
   * waits for the file's write lock. Callers that may run beside such a worker use this one.
   */
  signedCheckpointCovering(size: number): Promise<SignedCheckpoint | undefined> {
    return Promise.resolve(this.checkpointCovering(size));
  }

  /** A signed checkpoint whose tree holds the first `size` events: the latest if it does, else one signed now. */
  checkpointCovering(size: number): SignedCheckpoint | undefined {
    return this.latestCoveringOr(size, () => this.insertCheckpoint());
  }

  /**
   * Undefined when the tree holds fewer than `size` events (or none); the latest checkpoint if it covers
   * them; else what `sign` gives.
   */
  protected latestCoveringOr<T>(size: number, sign: () => T): SignedCheckpoint | undefined | T {
    if (this.size < size || this.size === 0) return undefined;
    const latest = this.latestCheckpoint();
    if (latest && latest.treeSize >= size) return latest;
    return sign();
  }

  latestCheckpoint(): SignedCheckpoint | undefined {
    const row = this.db
      .prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1')
      .get();
    return row && toCheckpoint(row);
  }

  checkpointAt(treeSize: number): SignedCheckpoint | undefined {
    const row = this.db
      .prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE tree_size = ?')
      .get(treeSize);
    return row && toCheckpoint(row);
  }

  /** Signed checkpoints from tree size `from` upwards, oldest first. */
  checkpoints(from: number, limit: number): SignedCheckpoint[] {
    return this.db
      .prepare<[number, number], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?',
      )
      .all(from, limit)
      .map(toCheckpoint);
  }

  /** The log position of an event, if it has been notarised. */
  positionOf(eventId: string): number | undefined {
    return this.db
      .prepare<[string], { position: number }>('SELECT position FROM notarised_events WHERE event_id = ?')
      .get(eventId)?.position;
  }

  /** The last event of a stream as notarised: what the store must still hold. */
  streamHead(stream: string): StreamHead | undefined {
    return streamHeadIn(this.db, stream);
  }

  /** The event hash notarised at a log position. */
  eventHashAt(position: number): string {
    const row = this.db
      .prepare<[number], { event_hash: string }>('SELECT event_hash FROM notarised_events WHERE position = ?')
      .get(position);
    if (!row) throw new RangeError(`No event at position ${position} has been notarised`);
    return row.event_hash;
  }

  root(treeSize: number): Buffer {
    return this.tree.root(treeSize);
  }

  leaf(position: number): Buffer {
    return this.tree.leaf(position - 1);
  }

  inclusionProof(position: number, treeSize: number): Buffer[] {
    return this.tree.inclusionProof(position - 1, treeSize);
  }

  consistencyProof(from: number, to: number): Buffer[] {
    return this.tree.consistencyProof(from, to);
  }
}

function streamHeadIn(db: Database.Database, stream: string): StreamHead | undefined {
  const row = db
    .prepare<[string], { revision: number; position: number; event_id: string }>(
      'SELECT revision, position, event_id FROM stream_heads WHERE stream = ?',
    )
    .get(stream);
  return row && { revision: row.revision, position: row.position, eventId: row.event_id };
}

/**
 * The notary's file opened read-only beside the running notary (by a worker thread): stream heads and
 * inclusion proofs, for trees the notary has already committed. It never signs or writes.
 */
export class NotarisedLogReader {
  private readonly tree: MerkleLog;

  private constructor(private readonly db: Database.Database) {
    this.tree = new MerkleLog(db);
  }

  static open(path: string): NotarisedLogReader {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return new NotarisedLogReader(db);
  }

  streamHead(stream: string): StreamHead | undefined {
    return streamHeadIn(this.db, stream);
  }

  inclusionProof(position: number, treeSize: number): Buffer[] {
    return this.tree.inclusionProof(position - 1, treeSize);
  }

  close(): void {
    this.db.close();
  }
}

/** The event's stored hash, after checking it against the event's content and stored predecessor hash. */
export function checkedHash(stored: StoredEvent): string {
  const { hash, prevHash } = chainOf(stored.metadata);
  if (hash === undefined || prevHash === undefined) {
    throw new LogIntegrityError(
      `Event ${stored.eventId} at position ${stored.position} (${stored.stream}@${stored.revision}) carries no hash`,
      stored.position,
      stored.eventId,
    );
  }
  let recomputed: string;
  try {
    recomputed = eventHash(stored, prevHash);
  } catch (error) {
    if (!(error instanceof EventSealError)) throw error;
    throw new LogIntegrityError(
      `Event ${stored.eventId} at position ${stored.position} (${stored.stream}@${stored.revision}) cannot be hashed: ${error.message}`,
      stored.position,
      stored.eventId,
    );
  }
  if (recomputed !== hash) {
    throw new LogIntegrityError(
      `Event ${stored.eventId} at position ${stored.position} (${stored.stream}@${stored.revision}) does not match its hash: it was altered after it was written`,
      stored.position,
      stored.eventId,
    );
  }
  return hash;
}

const toCheckpoint = (row: CheckpointRow): SignedCheckpoint => ({
  treeSize: row.tree_size,
  rootHash: row.root_hash,
  timestamp: row.timestamp,
  keyId: row.key_id,
  signature: row.signature,
});

/** A notary's file opened read-only by a verifier: its signed checkpoints and the hash notarised at each position. */
export interface NotaryRecord {
  /** Leaves in the notarised tree: the log position of the last event notarised. */
  readonly size: number;
  readonly checkpoints: SignedCheckpoint[];
  readonly notarisedHashAt: (position: number) => string | undefined;
  close(): void;
}

export function readNotaryRecord(path: string): NotaryRecord {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const hashAt = db.prepare<[number], { event_hash: string }>(
    'SELECT event_hash FROM notarised_events WHERE position = ?',
  );
  return {
    size: db.prepare<[], number>('SELECT COUNT(*) FROM notarised_events').pluck().get() ?? 0,
    checkpoints: db
      .prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size')
      .all()
      .map(toCheckpoint),
    notarisedHashAt: (position) => hashAt.get(position)?.event_hash,
    close: () => db.close(),
  };
}
