import type Database from 'better-sqlite3';
import {
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../event-store.errors';
import type { AppendResult, ExpectedRevision } from '../event-store.port';
import { checkExpectedRevision, type EncodedWrite, existingEventIdError } from '../validate-append';

/** One append's fate within its group: written, or refused on its own (the rest of the group stands). */
export type Outcome =
  { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: Error };

/** A group written: each append's outcome, and the seconds from BEGIN to COMMIT (its fsync included). */
export interface GroupWritten {
  readonly outcomes: readonly Outcome[];
  readonly seconds: number;
  /**
   * The writing connection's data_version inside the group's transaction, under the write lock: no other
   * connection's commit falls between it and the group's own COMMIT. Read after COMMIT instead, it could
   * already count another connection's commit made meanwhile, and heads recorded under it would hide
   * that commit's events until some later commit moved it.
   */
  readonly dataVersion: number;
}

/**
 * The writing half of the SQLite store: one connection's group commit. Each flush writes a whole group of
 * appends in one transaction (one fsync under synchronous=FULL serves them all), each append in its own
 * savepoint, so that a refused append (a revision that moved, an event id already stored) leaves the rest
 * of its group intact. It runs on the store's own thread, or in the writer's worker thread (ADR 0037).
 */
export class SqliteGroupWriter {
  private readonly statements: ReturnType<typeof prepareWrites>;
  /** data_version inside the last group written; none yet: whoever started this writer may know less. */
  private version: number | undefined;

  constructor(private readonly db: Database.Database) {
    this.statements = prepareWrites(db);
  }

  /**
   * Writes the group in one transaction. A storage fault (disk full, a read-only file, I/O, the lock held
   * elsewhere) fails the whole group: it throws `EventStoreUnavailableError` and nothing of the group
   * stays. Some errors make SQLite roll back by itself; otherwise the group is undone here, so the next
   * group starts afresh and the store recovers by itself once the fault clears.
   */
  write(group: readonly (readonly EncodedWrite[])[]): GroupWritten {
    const began = performance.now();
    try {
      this.statements.begin.run();
      const dataVersion = this.statements.dataVersion.get()!;
      const recordedAt = new Date().toISOString();
      const outcomes = group.map((writes) => this.applyInSavepoint(writes, recordedAt));
      this.statements.commit.run();
      return { outcomes, seconds: (performance.now() - began) / 1000, dataVersion };
    } catch (error) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The connection has already discarded the transaction (SQLite rolls back on some I/O errors).
      }
      throw new EventStoreUnavailableError(`Commit failed: ${String(error)}`, { cause: error });
    }
  }

  /**
   * Whether another connection committed to the file between this writer's group before `written` and
   * `written` (SQLite's data_version, read inside each group's transaction, moves for other connections'
   * commits, never for this one's). The first answer is yes: what happened before this writer opened is
   * not known to it. A commit made just after the group's COMMIT is the next group's to report (or the
   * log's head moving tells the store meanwhile, ADR 0037).
   */
  othersCommittedBefore(written: GroupWritten): boolean {
    const moved = written.dataVersion !== this.version;
    this.version = written.dataVersion;
    return moved;
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
}

/** An outcome as it crosses from the writer's worker to the store's thread (errors are not cloned whole). */
export type WireOutcome =
  | { readonly ok: true; readonly position: bigint; readonly revisions: [string, bigint][] }
  | {
      readonly ok: false;
      readonly wrongRevision?: {
        readonly stream: string;
        readonly expected: ExpectedRevision;
        readonly actual: bigint | 'no_stream';
      };
      readonly message: string;
    };

export function toWire(outcome: Outcome): WireOutcome {
  if (outcome.ok)
    return { ok: true, position: outcome.result.position, revisions: [...outcome.result.revisions] };
  const { error } = outcome;
  return error instanceof WrongExpectedRevisionError
    ? {
        ok: false,
        wrongRevision: { stream: error.stream, expected: error.expected, actual: error.actual },
        message: error.message,
      }
    : { ok: false, message: error.message };
}

/** The outcome again, with the error classes the store's callers match on. */
export function fromWire(outcome: WireOutcome): Outcome {
  if (outcome.ok)
    return { ok: true, result: { position: outcome.position, revisions: new Map(outcome.revisions) } };
  const { wrongRevision } = outcome;
  return {
    ok: false,
    error: wrongRevision
      ? new WrongExpectedRevisionError(wrongRevision.stream, wrongRevision.expected, wrongRevision.actual)
      : new InvalidAppendError(outcome.message),
  };
}

function prepareWrites(db: Database.Database) {
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
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
}
