import { EventStoreUnavailableError } from '../event-store.errors';
import type { AppendResult, EventStore, StoredEvent, StreamWrite } from '../event-store.port';
import { LogSubscription } from '../log-subscription';
import { readInPages } from '../read-in-pages';
import { checkExpectedRevision, existingEventIdError, validateAppend } from '../validate-append';

/** The event store in process memory, for tests: same contract as the durable adapters, nothing persisted. */
export class InMemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly eventIds = new Set<string>();
  private readonly subscriptions = new Set<LogSubscription>();
  private closed = false;

  append(writes: readonly StreamWrite[]): Promise<AppendResult> {
    return new Promise((resolve) => resolve(this.appendNow(writes)));
  }

  readStream(stream: string, from = 0n): AsyncIterable<StoredEvent> {
    return readInPages(
      (revision, limit) => this.slice(this.streams.get(stream) ?? [], revision, limit),
      from < 0n ? 0n : from,
      (event) => event.revision + 1n,
    );
  }

  readAll(from = 1n): AsyncIterable<StoredEvent> {
    return readInPages(
      (position, limit) => this.slice(this.log, position - 1n, limit),
      from < 1n ? 1n : from,
      (event) => event.position + 1n,
    );
  }

  subscribeAll(from = 1n): AsyncIterable<StoredEvent> {
    const subscription = new LogSubscription(
      (position, limit) => this.slice(this.log, position - 1n, limit),
      from,
      (ended) => this.subscriptions.delete(ended),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  headPosition(): Promise<bigint> {
    return new Promise((resolve) => {
      this.assertOpen();
      resolve(BigInt(this.log.length));
    });
  }

  close(): Promise<void> {
    this.closed = true;
    for (const subscription of this.subscriptions) subscription.end();
    return Promise.resolve();
  }

  private appendNow(writes: readonly StreamWrite[]): AppendResult {
    this.assertOpen();
    const encoded = validateAppend(writes);
    for (const write of encoded)
      checkExpectedRevision(write.stream, write.expectedRevision, this.revisionOf(write.stream));
    for (const { events } of encoded) {
      const existing = events.find((event) => this.eventIds.has(event.eventId));
      if (existing) throw existingEventIdError(existing.eventId);
    }
    const recordedAt = new Date().toISOString();
    const revisions = new Map<string, bigint>();
    for (const { stream, events } of encoded) {
      const streamEvents = this.streams.get(stream) ?? [];
      this.streams.set(stream, streamEvents);
      for (const event of events) {
        // Parsed back from JSON so callers see what a durable store would give them, not their own objects.
        const stored: StoredEvent = {
          position: BigInt(this.log.length + 1),
          stream,
          revision: BigInt(streamEvents.length),
          eventId: event.eventId,
          type: event.type,
          data: JSON.parse(event.data) as StoredEvent['data'],
          metadata: JSON.parse(event.metadata) as StoredEvent['metadata'],
          recordedAt,
        };
        this.log.push(stored);
        streamEvents.push(stored);
        this.eventIds.add(event.eventId);
      }
      revisions.set(stream, BigInt(streamEvents.length - 1));
    }
    for (const subscription of this.subscriptions) subscription.notify();
    return { position: BigInt(this.log.length), revisions };
  }

  private revisionOf(stream: string): bigint | 'no_stream' {
    const length = this.streams.get(stream)?.length ?? 0;
    return length === 0 ? 'no_stream' : BigInt(length - 1);
  }

  private slice(events: readonly StoredEvent[], start: bigint, limit: number): StoredEvent[] {
    this.assertOpen();
    return events.slice(Number(start), Number(start) + limit);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
  }
}
