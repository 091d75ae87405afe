/** What a write expects of a stream before it is appended to. */
export type ExpectedRevision =
  | 'no_stream' // the stream must not exist (it has no events)
  | 'stream_exists' // the stream must have at least one event
  | 'any' // no check
  | bigint; // the stream's last event must have exactly this revision (0-based)

/** One event to append; ids come from the caller so a retry can be recognised. */
export interface EventToAppend {
  readonly eventId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The events to append to one stream, with what the stream must look like first. */
export interface StreamWrite {
  readonly stream: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly EventToAppend[];
}

export interface AppendResult {
  /** Global log position of the last event written by this append. */
  readonly position: bigint;
  /** Revision of each written stream's last event after the append. */
  readonly revisions: ReadonlyMap<string, bigint>;
}

/** An event as the log holds it. Positions start at 1 and have no gaps; revisions start at 0. */
export interface StoredEvent {
  readonly position: bigint;
  readonly stream: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** When the store committed the event (ISO 8601, UTC). */
  readonly recordedAt: string;
}

export interface EventStore {
  /** Appends to every stream atomically: all writes land, in order, or none does. */
  append(writes: readonly StreamWrite[]): Promise<AppendResult>;
  /** The stream's events from revision `from` (inclusive, default 0); empty if the stream does not exist. */
  readStream(stream: string, from?: bigint): AsyncIterable<StoredEvent>;
  /** Every event in log order from position `from` (inclusive, default 1). */
  readAll(from?: bigint): AsyncIterable<StoredEvent>;
  /** Catch up from `from` (inclusive, default 1), then deliver new events as they commit, until the iterator is closed. */
  subscribeAll(from?: bigint): AsyncIterable<StoredEvent>;
  /** Position of the last committed event (0n for an empty log). */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}
