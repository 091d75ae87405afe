import { InvalidAppendError, WrongExpectedRevisionError } from './event-store.errors';
import type { ExpectedRevision, StreamWrite } from './event-store.port';

/** An event whose data and metadata are already JSON text, as every adapter stores them. */
export interface EncodedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface EncodedWrite {
  readonly stream: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly EncodedEvent[];
}

/**
 * Checks an append's shape (not the log: revisions and existing event ids are each adapter's job) and
 * encodes its payloads, so that both adapters accept, refuse and round-trip exactly the same appends.
 */
export function validateAppend(writes: readonly StreamWrite[]): EncodedWrite[] {
  if (writes.length === 0) throw new InvalidAppendError('An append needs at least one stream write');
  const streams = new Set<string>();
  const eventIds = new Set<string>();
  return writes.map(({ stream, expectedRevision, events }) => {
    if (typeof stream !== 'string' || stream.trim() === '')
      throw new InvalidAppendError('A stream name must not be empty');
    if (streams.has(stream)) throw new InvalidAppendError(`Stream ${stream} is written twice in one append`);
    streams.add(stream);
    if (typeof expectedRevision === 'bigint' && expectedRevision < 0n)
      throw new InvalidAppendError(`Stream ${stream}: expected revision must not be negative`);
    if (events.length === 0) throw new InvalidAppendError(`The write to stream ${stream} has no events`);
    const encoded = events.map(({ eventId, type, data, metadata }) => {
      if (typeof eventId !== 'string' || eventId === '') throw new InvalidAppendError('An event id is empty');
      if (eventIds.has(eventId))
        throw new InvalidAppendError(`Event id ${eventId} appears twice in one append`);
      eventIds.add(eventId);
      if (typeof type !== 'string' || type === '')
        throw new InvalidAppendError(`Event ${eventId} has no type`);
      return {
        eventId,
        type,
        data: encodeJson(data, eventId, 'data'),
        metadata: encodeJson(metadata, eventId, 'metadata'),
      };
    });
    return { stream, expectedRevision, events: encoded };
  });
}

/** Throws if the stream's last revision (or its absence) does not satisfy what the write expects. */
export function checkExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): void {
  const holds =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    expected === actual;
  if (!holds) throw new WrongExpectedRevisionError(stream, expected, actual);
}

export function existingEventIdError(eventId: string): InvalidAppendError {
  return new InvalidAppendError(`Event id ${eventId} already exists in the log`);
}

function encodeJson(value: unknown, eventId: string, field: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidAppendError(`Event ${eventId}: ${field} must be a JSON object`);
  try {
    return JSON.stringify(value);
  } catch {
    // BigInts and cycles: JSON.stringify throws rather than losing them silently.
    throw new InvalidAppendError(`Event ${eventId}: ${field} is not serialisable as JSON`);
  }
}
