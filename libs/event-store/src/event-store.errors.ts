import type { ExpectedRevision } from './event-store.port';

/** A write's expected revision did not hold; nothing of the append was written. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's last revision, or 'no_stream' when it has no events. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`Stream ${stream}: expected ${String(expected)}, actual ${String(actual)}`);
  }
}

/** The append itself is malformed (no writes, an empty stream name, the same stream twice, a duplicate event id…). */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
}

/** The store cannot be used (closed, unreachable, incompatible server). */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
}

/** A stored event cannot be read back: the store's file was altered outside the ledger. */
export class CorruptEventError extends Error {
  override readonly name = 'CorruptEventError';
  constructor(
    message: string,
    readonly position: bigint,
    readonly eventId: string,
  ) {
    super(message);
  }
}
