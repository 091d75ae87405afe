import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  StoredEvent,
  StreamWrite,
} from '../event-store.port';
import { WrongExpectedRevisionError } from '../event-store.errors';
import { validateAppend } from '../validate-append';
import {
  chainOf,
  eventHash,
  freshSalts,
  HASH_FIELDS,
  HASH_VERSION,
  type HashableEvent,
  hashVersionOf,
  isWithheld,
} from './event-hash';

/** A stream's last event as the sealer knows it: the predecessor of the next event appended. */
interface StreamHead {
  readonly revision: bigint;
  readonly hash: string;
}

export class UnsealedEventError extends Error {
  override readonly name = 'UnsealedEventError';
}

/** How an event is sealed: its metadata with the seal fields, given its place and its predecessor's hash. */
export type Sealer = (event: HashableEvent, prevHash: string | null) => Readonly<Record<string, unknown>>;

/**
 * Hash version 2 (ADR 0022): fresh salts for every committed field, drawn here at append time from the
 * CSPRNG, then the hash over the fields' digests. A value shaped like a withheld field's place holder is
 * refused: a reader could not tell it from one.
 */
export const sealV2: Sealer = (event, prevHash) => {
  for (const [part, fields] of [
    ['data', event.data],
    ['metadata', event.metadata],
  ] as const) {
    for (const [name, value] of Object.entries(fields)) {
      if (isWithheld(value) || (Array.isArray(value) && value.some(isWithheld))) {
        throw new TypeError(`Event ${event.eventId}: ${part}.${name} holds a reserved {"...": …} value`);
      }
    }
  }
  const salts = freshSalts(event.data, event.metadata);
  const metadata = { ...event.metadata, hashVersion: HASH_VERSION, salts };
  return { ...metadata, prevHash, hash: eventHash({ ...event, metadata }, prevHash) };
};

/**
 * An event store that seals every appended event into its stream's hash chain: each event's metadata gets
 * `hashVersion`, `salts` (one per committed field), `prevHash` (its predecessor's hash, null for a
 * stream's first event) and `hash` (eventHash over the event's field digests, its place and prevHash)
 * before the append, so every store holds the same hashes. The append is
 * made with the exact revision the predecessor was read at, so a concurrent writer cannot slip an event
 * between an event and the hash it chains to: "any" and "stream_exists" are tightened to the revision
 * read. The heads of recently written streams are remembered, so an append usually reads nothing extra.
 */
export class SealingEventStore implements EventStore {
  private readonly heads = new Map<string, StreamHead>();

  constructor(
    private readonly inner: EventStore,
    private readonly capacity = 10_000,
    /** Only the bench seals otherwise (the superseded scheme, for its cost beside this one's). */
    private readonly seal: Sealer = sealV2,
  ) {}

  async append(writes: readonly StreamWrite[]): Promise<AppendResult> {
    validateAppend(writes); // what the store would refuse is refused before anything is read or hashed
    const sealed: StreamWrite[] = [];
    const newHeads: [string, StreamHead][] = [];
    for (const write of writes) {
      let head: StreamHead | undefined;
      try {
        head = await this.headBefore(write.stream, write.expectedRevision);
      } catch (error) {
        // The store names an append's first failing stream: an earlier one expected new may be it.
        if (error instanceof WrongExpectedRevisionError)
          throw (await this.existingBefore(writes, write)) ?? error;
        throw error;
      }
      let revision = head ? head.revision + 1n : 0n;
      let prevHash = head ? head.hash : null;
      const events = write.events.map((event): EventToAppend => {
        const metadata: Record<string, unknown> = { ...event.metadata };
        for (const field of HASH_FIELDS) delete metadata[field];
        const sealedMetadata = this.seal({ stream: write.stream, revision, ...event, metadata }, prevHash);
        const sealedEvent = { ...event, metadata: sealedMetadata };
        prevHash = sealedMetadata.hash as string;
        revision += 1n;
        return sealedEvent;
      });
      // Exactly the predecessor read; without one, the caller's expectation stands (and the store judges it).
      const expectedRevision = head
        ? head.revision
        : write.expectedRevision === 'any'
          ? 'no_stream'
          : write.expectedRevision;
      sealed.push({ stream: write.stream, expectedRevision, events });
      if (prevHash !== null) newHeads.push([write.stream, { revision: revision - 1n, hash: prevHash }]);
    }
    const result = await this.inner.append(sealed);
    for (const [stream, head] of newHeads) this.remember(stream, head);
    return result;
  }

  /**
   * The stream's last event before this append, as the expected revision requires it to be. Where the
   * expectation names an event the reads do not find (a revision, or "stream_exists" for a stream read
   * empty), the append is refused here rather than left to the store: a read can miss another
   * connection's newest events for a moment (the SQLite store's known heads, ADR 0029), and the store,
   * which does see them, would then take the append with a seal that does not chain to them.
   */
  private async headBefore(stream: string, expected: ExpectedRevision): Promise<StreamHead | undefined> {
    if (expected === 'no_stream') return undefined;
    const known = this.heads.get(stream);
    if (typeof expected === 'bigint') {
      if (known?.revision === expected) return known;
      for await (const stored of this.inner.readStream(stream, expected)) {
        if (stored.revision === expected) return headOf(stored);
        break;
      }
    }
    // "any" / "stream_exists" / an expected event not found: the stream's current last event, read from what
    // is known onwards.
    let head = known;
    for await (const stored of this.inner.readStream(stream, known ? known.revision : 0n)) {
      head = headOf(stored);
    }
    // The second read starts lower and may find the expected event the first one was answered without.
    if (typeof expected === 'bigint' ? head?.revision !== expected : expected === 'stream_exists' && !head)
      throw new WrongExpectedRevisionError(stream, expected, head ? head.revision : 'no_stream');
    return head;
  }

  /** The refusal of the first write before `refused` that expects a new stream which exists, if any. */
  private async existingBefore(
    writes: readonly StreamWrite[],
    refused: StreamWrite,
  ): Promise<WrongExpectedRevisionError | undefined> {
    for (const write of writes) {
      if (write === refused) return undefined;
      if (write.expectedRevision !== 'no_stream') continue; // the others' predecessors were found
      let last: bigint | undefined;
      for await (const stored of this.inner.readStream(write.stream)) last = stored.revision;
      if (last !== undefined) return new WrongExpectedRevisionError(write.stream, 'no_stream', last);
    }
    return undefined;
  }

  private remember(stream: string, head: StreamHead): void {
    this.heads.delete(stream);
    this.heads.set(stream, head);
    if (this.heads.size > this.capacity) this.heads.delete(this.heads.keys().next().value!);
  }

  readStream(stream: string, from?: bigint): AsyncIterable<StoredEvent> {
    return this.inner.readStream(stream, from);
  }

  readAll(from?: bigint): AsyncIterable<StoredEvent> {
    return this.inner.readAll(from);
  }

  subscribeAll(from?: bigint): AsyncIterable<StoredEvent> {
    return this.inner.subscribeAll(from);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function headOf(stored: StoredEvent): StreamHead {
  const { hash } = chainOf(stored.metadata);
  if (hash === undefined) {
    throw new UnsealedEventError(
      `Event ${stored.eventId} (${stored.stream}@${stored.revision}) carries no hash: the stream was written without sealing and cannot be extended`,
    );
  }
  const version = hashVersionOf(stored.metadata);
  if (version !== HASH_VERSION) {
    throw new UnsealedEventError(
      `Event ${stored.eventId} (${stored.stream}@${stored.revision}) was sealed with hash version ${version}: the stream cannot be extended with version ${HASH_VERSION} (ADR 0022)`,
    );
  }
  return { revision: stored.revision, hash };
}
