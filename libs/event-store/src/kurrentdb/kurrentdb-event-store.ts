import {
  type AppendStreamRequest,
  type AppendStreamState,
  excludeSystemEvents,
  jsonEvent,
  KurrentDBClient,
  type Position,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { StreamsServiceService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_grpc_pb';
import {
  CorruptEventError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../event-store.errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  StoredEvent,
  StreamWrite,
} from '../event-store.port';
import { existingEventIdError, validateAppend } from '../validate-append';

/** The first KurrentDB release whose server features list multi-stream append (StreamsService/AppendSession). */
export const KURRENTDB_MINIMUM_VERSION = '25.1';

/**
 * multiStreamAppend only carries a flat string→string map as event metadata, so the port's metadata object
 * travels as JSON text under this one key, and is parsed back from it on read.
 */
export const METADATA_KEY = 'tracelode-metadata';

/**
 * When the append was made (ISO 8601, UTC, by the appending process's clock), one value per append. The
 * server's own `created` stamp would be the natural source, but client 1.3.1 hands it over with
 * millisecond precision on the gRPC (subscription) path and truncated to whole seconds on the native-bridge
 * (read) path, so the same event would show two different times. Falls back to `created` if absent.
 */
export const RECORDED_AT_KEY = 'tracelode-recorded-at';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** KurrentDB's own events ($users, $settings, stats, metadata…) have `$`-prefixed types: not part of Tracelode's log. */
function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

interface RecordedEventLike {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly created: Date;
  readonly position?: Position;
}

/**
 * Dense positions over KurrentDB's $all. The port promises positions 1, 2, 3… with no gaps in commit
 * order; KurrentDB's $all positions are transaction-log offsets (increasing, never dense). The index keeps,
 * in $all order, the log position of every non-system event: the port's position of an event is its
 * 1-based rank here. $all order is the same for every reader, so every replica derives the same numbers.
 * It costs one bigint pair and one event id per event in memory, filled by reading $all once at start-up.
 */
class DensePositionIndex {
  private readonly commits: bigint[] = [];
  private readonly prepares: bigint[] = [];
  /** Every event id in the log, with its dense position (a UUID per event: refused duplicates, own appends). */
  readonly eventIds = new Map<string, bigint>();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly client: KurrentDBClient) {}

  get size(): number {
    return this.commits.length;
  }

  /** KurrentDB position of the event at dense position `position` (1-based). */
  positionAt(position: number): Position | undefined {
    const commit = this.commits[position - 1];
    const prepare = this.prepares[position - 1];
    return commit === undefined || prepare === undefined ? undefined : { commit, prepare };
  }

  /** Dense position of the event at KurrentDB position `at`, or undefined if not indexed (yet). */
  denseOf(at: Position): bigint | undefined {
    const index = this.search(at);
    return this.commits[index] === at.commit && this.prepares[index] === at.prepare
      ? BigInt(index + 1)
      : undefined;
  }

  /** Reads $all from the last indexed event to the end; concurrent callers share reads. */
  catchUp(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    if (this.running === undefined) return this.run();
    const queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.run();
      });
    this.queued = queued;
    return queued;
  }

  private run(): Promise<void> {
    const running = this.readNew().finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }

  private async readNew(): Promise<void> {
    const last = this.positionAt(this.size);
    const events = this.client.readAll({ fromPosition: last ?? START });
    for await (const resolved of events) {
      const event = resolved.event as RecordedEventLike | undefined;
      const at = event?.position;
      if (event === undefined || at === undefined || isSystemEvent(event.type)) continue;
      if (last !== undefined && compare(at, last) <= 0) continue; // $all reads include their start
      this.commits.push(at.commit);
      this.prepares.push(at.prepare);
      this.eventIds.set(event.id, BigInt(this.commits.length));
    }
  }

  /** Index of the first entry at or after `at` (lower bound). */
  private search(at: Position): number {
    let low = 0;
    let high = this.commits.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const here = { commit: this.commits[middle]!, prepare: this.prepares[middle]! };
      if (compare(here, at) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function compare(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/**
 * The EventStore port on KurrentDB (≥ 25.1) through the official client. Every append — one stream or
 * several — is one `multiStreamAppend`, so atomicity is the same for both. See ADR 0009.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly index: DensePositionIndex;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private closed = false;

  private constructor(private readonly client: KurrentDBClient) {
    this.index = new DensePositionIndex(client);
  }

  /**
   * Connects, asks the server what it supports, and refuses one that cannot do multi-stream appends.
   * `connectionString` is a KurrentDB connection string (`kurrentdb://`, `kurrentdb+discover://`, `esdb://`
   * or `esdb+discover://`): TLS (`tls=`, `tlsCaFile=`…) and credentials (`user:pass@`) travel in it.
   */
  static async connect(connectionString: string): Promise<KurrentDbEventStore> {
    const normalised = connectionString.replace(/^esdb(\+discover)?:/i, (_, discover: string | undefined) =>
      discover ? 'kurrentdb+discover:' : 'kurrentdb:',
    );
    let client: KurrentDBClient;
    try {
      client = KurrentDBClient.connectionString(normalised);
    } catch (error) {
      throw new EventStoreUnavailableError(
        `Invalid KurrentDB connection string: ${(error as Error).message}`,
      );
    }
    const store = new KurrentDbEventStore(client);
    try {
      await store.checkServer();
      await store.index.catchUp();
    } catch (error) {
      await client.dispose().catch(() => undefined);
      if (error instanceof EventStoreUnavailableError) throw error;
      throw new EventStoreUnavailableError(`KurrentDB is unreachable: ${(error as Error).message}`);
    }
    return store;
  }

  private async checkServer(): Promise<void> {
    // Client.capabilities asks ServerFeatures/GetSupportedMethods once per channel (an UNIMPLEMENTED answer
    // lists nothing, so a server too old to answer is refused too).
    const features = await (
      this.client as unknown as {
        capabilities: Promise<{ serverVersion: string; supports(method: { path: string }): boolean }>;
      }
    ).capabilities;
    if (!features.supports(StreamsServiceService.appendSession))
      throw new EventStoreUnavailableError(
        `The KurrentDB server (version ${features.serverVersion}) does not support multi-stream appends ` +
          `(StreamsService/AppendSession); Tracelode needs KurrentDB ${KURRENTDB_MINIMUM_VERSION} or later.`,
      );
  }

  async append(writes: readonly StreamWrite[]): Promise<AppendResult> {
    this.assertOpen();
    const encoded = validateAppend(writes);
    for (const { events } of encoded)
      for (const { eventId } of events)
        if (!UUID.test(eventId))
          throw new InvalidAppendError(`Event id ${eventId} is not a UUID, as KurrentDB requires`);
    for (const { events } of encoded)
      for (const { eventId, type } of events)
        if (isSystemEvent(type))
          throw new InvalidAppendError(
            `Event ${eventId}: types starting with $ are KurrentDB's system events`,
          );
    // KurrentDB does not refuse a repeated event id (it deduplicates only recent identical writes), so the
    // port's rule is checked here against every event id in the log.
    try {
      await this.index.catchUp();
    } catch (error) {
      throw this.mapError(error);
    }
    for (const { events } of encoded) {
      const existing = events.find((event) => this.index.eventIds.has(event.eventId));
      if (existing) throw existingEventIdError(existing.eventId);
    }
    const recordedAt = new Date().toISOString();
    const requests: AppendStreamRequest[] = encoded.map(({ stream, expectedRevision, events }) => ({
      streamName: stream,
      expectedState: expectedState(expectedRevision),
      events: events.map((event) =>
        jsonEvent({
          id: event.eventId,
          type: event.type,
          data: JSON.parse(event.data) as Record<string, unknown>,
          metadata: { [METADATA_KEY]: event.metadata, [RECORDED_AT_KEY]: recordedAt },
        }),
      ),
    }));
    let result: Awaited<ReturnType<KurrentDBClient['multiStreamAppend']>>;
    try {
      result = await this.client.multiStreamAppend(requests);
    } catch (error) {
      throw this.mapError(error);
    }
    // The append's position is the rank of its last event in $all, found by id: this does not depend on
    // which $all position the server reports for an append session (last record, or its commit).
    const lastEventId = encoded.at(-1)!.events.at(-1)!.eventId;
    let position: bigint;
    try {
      position = await this.denseOfId(lastEventId);
    } catch (error) {
      throw this.mapError(error);
    }
    return {
      position,
      revisions: new Map(result.responses.map((response) => [response.streamName, response.revision])),
    };
  }

  readStream(stream: string, from = 0n): AsyncIterable<StoredEvent> {
    return this.readStreamFrom(stream, from < 0n ? 0n : from);
  }

  private async *readStreamFrom(stream: string, from: bigint): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    try {
      for await (const resolved of this.client.readStream(stream, { fromRevision: from })) {
        const event = resolved.event as RecordedEventLike | undefined;
        if (event === undefined) continue;
        yield this.toStored(event, await this.denseOf(event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return;
      throw this.mapError(error);
    }
  }

  readAll(from = 1n): AsyncIterable<StoredEvent> {
    return this.readAllFrom(from < 1n ? 1n : from);
  }

  private async *readAllFrom(from: bigint): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    if (from > BigInt(this.index.size)) await this.index.catchUp();
    if (from > BigInt(this.index.size)) return;
    const start = this.index.positionAt(Number(from))!;
    let position = from;
    try {
      for await (const resolved of this.client.readAll({ fromPosition: start })) {
        const event = resolved.event as RecordedEventLike | undefined;
        if (event === undefined || event.position === undefined || isSystemEvent(event.type)) continue;
        if (compare(event.position, start) < 0) continue;
        yield this.toStored(event, position++);
      }
    } catch (error) {
      throw this.mapError(error);
    }
  }

  subscribeAll(from = 1n): AsyncIterable<StoredEvent> {
    const subscription = new KurrentDbSubscription(this, from < 1n ? 1n : from, (ended) =>
      this.subscriptions.delete(ended),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Starts a $all subscription after the dense position `after` (0: from the start), filtered server-side. */
  async openSubscription(after: bigint) {
    this.assertOpen();
    if (after > BigInt(this.index.size)) await this.index.catchUp();
    const known = after > BigInt(this.index.size) ? BigInt(this.index.size) : after;
    const position = known === 0n ? START : this.index.positionAt(Number(known))!;
    const subscription = this.client.subscribeToAll({
      fromPosition: position,
      filter: excludeSystemEvents(),
    });
    return { subscription, counted: known };
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    try {
      await this.index.catchUp();
    } catch (error) {
      throw this.mapError(error);
    }
    return BigInt(this.index.size);
  }

  /**
   * Ends the subscriptions and disposes of the client, each given at most `CLOSE_WAIT_MS`: a KurrentDB that
   * accepts connections but never answers must not hold a server's shutdown past its deadline.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.end()));
    await settledWithin(this.client.dispose(), CLOSE_WAIT_MS);
  }

  /** An event as the ledger stores it; one whose metadata cannot be read is corrupt: reading it again won't mend it. */
  toStored(event: RecordedEventLike, position: bigint): StoredEvent {
    try {
      return {
        position,
        stream: event.streamId,
        revision: event.revision,
        eventId: event.id,
        type: event.type,
        data: event.data as StoredEvent['data'],
        metadata: decodeMetadata(event.metadata),
        recordedAt: recordedAtOf(event),
      };
    } catch (error) {
      throw new CorruptEventError(
        `Event ${event.id} at position ${position} cannot be read: ${(error as Error).message}`,
        position,
        event.id,
      );
    }
  }

  /**
   * Catches the index up until it holds commit position `commit`. A read served by a follower (client
   * nodePreference other than leader) may lag the leader that acknowledged the append: retry briefly.
   */
  private async indexThrough(commit: bigint): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.index.catchUp();
      if ((this.index.positionAt(this.index.size)?.commit ?? -1n) >= commit) return;
      if (attempt >= 100)
        throw new EventStoreUnavailableError(`KurrentDB did not serve position ${commit} of $all within 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Dense position of an event this store has just appended. A read served by a follower (client
   * nodePreference other than leader) may lag the leader that acknowledged the append: retry briefly.
   */
  private async denseOfId(eventId: string): Promise<bigint> {
    for (let attempt = 0; ; attempt++) {
      const dense = this.index.eventIds.get(eventId);
      if (dense !== undefined) return dense;
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      if (attempt > 100)
        throw new EventStoreUnavailableError(
          `Event ${eventId} was acknowledged but did not appear in $all within 5 s`,
        );
      await this.index.catchUp();
    }
  }

  private async denseOf(event: RecordedEventLike): Promise<bigint> {
    if (event.position === undefined)
      throw new EventStoreUnavailableError(`Event ${event.id} came without a position`);
    let dense = this.index.denseOf(event.position);
    if (dense === undefined) {
      await this.indexThrough(event.position.commit);
      dense = this.index.denseOf(event.position);
    }
    if (dense === undefined) throw new EventStoreUnavailableError(`Event ${event.id} is not in $all`);
    return dense;
  }

  mapError(error: unknown): Error {
    if (
      error instanceof WrongExpectedRevisionError ||
      error instanceof EventStoreUnavailableError ||
      error instanceof InvalidAppendError ||
      error instanceof CorruptEventError
    )
      return error;
    if (error instanceof WrongExpectedVersionError)
      return new WrongExpectedRevisionError(
        error.streamName,
        fromState(error.expectedState),
        error.actualState === 'no_stream' ? 'no_stream' : error.actualState,
      );
    if (error instanceof Error && this.closed)
      return new EventStoreUnavailableError('The event store is closed');
    if (
      error instanceof Error &&
      /unavailable|connect|closed|dispose/i.test(`${error.name} ${error.message}`)
    )
      return new EventStoreUnavailableError(`KurrentDB is unavailable: ${error.message}`);
    return error instanceof Error ? error : new Error(String(error));
  }

  assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
  }
}

/** How long closing waits for KurrentDB to acknowledge an unsubscribe or the client's disposal. */
const CLOSE_WAIT_MS = 1_000;

/** Resolves once `promise` settles, however, or after `ms`, whichever comes first. */
async function settledWithin(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.resolve(promise).catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

function expectedState(expected: ExpectedRevision): AppendStreamState {
  return expected;
}

function fromState(state: unknown): ExpectedRevision {
  if (state === 'no_stream' || state === 'stream_exists' || state === 'any' || typeof state === 'bigint')
    return state;
  return 'any';
}

function recordedAtOf(event: RecordedEventLike): string {
  const stamped = (event.metadata as Record<string, unknown> | undefined)?.[RECORDED_AT_KEY];
  return typeof stamped === 'string' ? stamped : event.created.toISOString();
}

function decodeMetadata(metadata: unknown): StoredEvent['metadata'] {
  if (typeof metadata !== 'object' || metadata === null) return {};
  const encoded = (metadata as Record<string, unknown>)[METADATA_KEY];
  if (typeof encoded !== 'string') return {};
  return JSON.parse(encoded) as StoredEvent['metadata'];
}

/** Catch-up then live over a KurrentDB $all subscription, numbering events densely as they arrive. */
class KurrentDbSubscription implements AsyncIterableIterator<StoredEvent> {
  private iterator: AsyncIterator<ResolvedEvent> | undefined;
  private cancel: (() => Promise<void>) | undefined;
  private starting: Promise<void> | undefined;
  private counted = 0n;
  private ended = false;
  private signalEnd: () => void = () => undefined;
  private readonly endedSignal = new Promise<'ended'>((resolve) => {
    this.signalEnd = () => resolve('ended');
  });
  private pulling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: KurrentDbEventStore,
    private readonly from: bigint,
    private readonly onEnd: (subscription: KurrentDbSubscription) => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StoredEvent>> {
    const result = this.pulling.then(() => this.pull());
    this.pulling = result.catch(() => undefined);
    return result;
  }

  async return(): Promise<IteratorResult<StoredEvent>> {
    await this.end();
    return { value: undefined, done: true };
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
    this.signalEnd();
    await settledWithin(this.cancel?.(), CLOSE_WAIT_MS);
  }

  private async pull(): Promise<IteratorResult<StoredEvent>> {
    const done = { value: undefined, done: true } as const;
    try {
      if (this.ended) return done;
      this.starting ??= this.start();
      // Ended while starting (a KurrentDB that does not answer): done now, not when it answers.
      if ((await Promise.race([this.starting, this.endedSignal])) === 'ended') return done;
      while (!this.ended) {
        const next = await Promise.race([this.iterator!.next(), this.endedSignal]);
        if (next === 'ended' || next.done === true) break;
        const event = next.value.event as RecordedEventLike | undefined;
        if (event === undefined || isSystemEvent(event.type)) continue;
        this.counted++;
        if (this.counted < this.from) continue;
        return { value: this.store.toStored(event, this.counted), done: false };
      }
      await this.end();
      return done;
    } catch (error) {
      const closing = this.ended;
      await this.end();
      if (closing) return done;
      throw this.store.mapError(error);
    }
  }

  private async start(): Promise<void> {
    const { subscription, counted } = await this.store.openSubscription(this.from - 1n);
    this.counted = counted;
    this.cancel = () => subscription.unsubscribe();
    this.iterator = subscription[Symbol.asyncIterator]();
    if (this.ended) await this.cancel();
  }
}
