import { eventHash, type StoredEvent, type StreamWrite } from '@tracelode/event-store';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

/** `count` small events on one stream, for tests about the log rather than the domain. */
export function notes(stream: string, count = 1): StreamWrite {
  return {
    stream,
    expectedRevision: 'any',
    events: Array.from({ length: count }, (_, i) => ({
      eventId: randomUUID(),
      type: 'Noted',
      data: { i, note: 'ñ €' },
      metadata: { schemaVersion: 1 },
    })),
  };
}

export async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Polls until `condition` holds, failing after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `count` small events appended to `stream` at `expectedRevision`, for tests of a store's own rules. */
export function streamWrite(
  stream: string,
  expectedRevision: StreamWrite['expectedRevision'],
  count = 1,
): StreamWrite {
  const events = Array.from({ length: count }, () => ({
    eventId: randomUUID(),
    type: 'BatchRecorded',
    data: { quantity: 1 },
    metadata: {},
  }));
  return { stream, expectedRevision, events };
}

/** The revisions or positions `first` to `last`, as bigints. */
export function range(first: number, last: number): bigint[] {
  return Array.from({ length: last - first + 1 }, (_, i) => BigInt(first + i));
}

/** Recomputes each event's hash from its content and checks that it chains to its predecessor's. */
export function expectChained(events: readonly StoredEvent[]): void {
  let prevHash: string | null = null;
  for (const event of events) {
    expect(event.metadata.prevHash).toBe(prevHash);
    expect(event.metadata.hash).toBe(eventHash(event, prevHash));
    prevHash = event.metadata.hash as string;
  }
}

/** An event as `commitFromAnotherConnection` writes it: small defaults for what a test leaves out. */
export interface RawEvent {
  readonly stream: string;
  readonly revision: bigint;
  readonly eventId?: string;
  readonly type?: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * One event committed to a SQLite event log on a connection of its own, synchronously, as another process
 * would at that very moment (the stream's row moved with it). Nothing seals it: a test that needs a seal
 * passes the sealed metadata.
 */
export function commitFromAnotherConnection(file: string, event: RawEvent): void {
  const {
    stream,
    revision,
    eventId = randomUUID(),
    type = 'BatchRecorded',
    data = {},
    metadata = {},
  } = event;
  const db = new Database(file);
  try {
    db.transaction(() => {
      db.prepare(
        `INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        stream,
        revision,
        eventId,
        type,
        JSON.stringify(data),
        JSON.stringify(metadata),
        new Date().toISOString(),
      );
      db.prepare(
        `INSERT INTO streams (stream, revision) VALUES (?, ?)
         ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision`,
      ).run(stream, revision);
    })();
  } finally {
    db.close();
  }
}

/**
 * Settles the appends `start` makes while another connection holds the SQLite file's write lock, then
 * lets the lock go (for tests of a group that cannot commit).
 */
export async function whileLockedElsewhere<T>(
  file: string,
  start: () => readonly Promise<T>[],
): Promise<PromiseSettledResult<T>[]> {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  try {
    return await Promise.allSettled(start());
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
}
