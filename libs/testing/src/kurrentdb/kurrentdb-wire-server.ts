import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb';
import {
  Empty,
  StreamIdentifier,
  UUID,
} from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb';
import { Status } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/status_pb';
import { StreamsService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb';
import { ReadReq, ReadResp } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb';
import {
  StreamAlreadyInAppendSessionErrorDetails,
  StreamRevisionConflictErrorDetails,
} from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/errors_pb';
import { StreamsServiceService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_grpc_pb';
import {
  AppendRequest,
  AppendResponse,
  AppendSessionResponse,
  SchemaFormat,
} from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';

/*
 * An in-process KurrentDB for tests: a real gRPC server on 127.0.0.1 that answers exactly the RPCs
 * `@kurrent/kurrentdb-client` 1.3.1 makes for Tracelode's adapter, with KurrentDB's semantics, so the real
 * client is driven over a real socket. It reuses the client package's own generated service definitions
 * and messages, so the wire format cannot drift from what the client sends and parses.
 *
 * RPCs served (anything else answers UNIMPLEMENTED, as an older server would):
 * - event_store.client.server_features.ServerFeatures/GetSupportedMethods
 * - event_store.client.streams.Streams/Read (stream reads, $all reads, $all subscriptions)
 * - kurrentdb.protocol.v2.streams.StreamsService/AppendSession (multi-stream append, KurrentDB 25.1+)
 */

/** .NET ticks (100 ns) between 0001-01-01 and the Unix epoch: KurrentDB's `created` is ticks since the Unix epoch. */
const TICKS_PER_MS = 10_000n;
/** The expected-revision sentinels of the v2 protocol (ExpectedRevisionConstants in streams.proto). */
const ANY = -2n;
const NO_STREAM = -1n;
const STREAM_EXISTS = -4n;
/** google.rpc.Status type URLs are `type.googleapis.com/<full message name>`. */
const ERRORS_PACKAGE = 'type.googleapis.com/kurrentdb.protocol.v2.streams.errors';

export interface WireRecord {
  readonly stream: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: 'application/json' | 'application/octet-stream';
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** Log position (KurrentDB's commit and prepare positions are equal outside explicit v1 transactions). */
  readonly position: bigint;
  readonly createdTicks: bigint;
}

export interface KurrentDbWireServerOptions {
  /** Reported by ServerFeatures; 25.1.0 is the first release with multi-stream append. */
  readonly serverVersion?: string;
  /** False: the server does not list (nor serve) StreamsService/AppendSession, like KurrentDB before 25.1. */
  readonly multiStreamAppend?: boolean;
  /** False: ServerFeatures answers UNIMPLEMENTED, like EventStoreDB before 21.10. */
  readonly serverFeatures?: boolean;
}

type Subscriber = () => void;

export class KurrentDbWireServer {
  readonly log: WireRecord[] = [];
  private readonly streams = new Map<string, WireRecord[]>();
  private readonly subscribers = new Set<Subscriber>();
  private nextPosition = 0n;
  private server: grpc.Server | undefined;
  port = 0;

  constructor(private readonly options: KurrentDbWireServerOptions = {}) {
    // A fresh KurrentDB is not empty: it writes system events (users, settings…) to `$`-streams at start-up.
    // Seeding a few keeps clients honest about filtering them out of $all.
    this.write('$users', [systemRecord('$User', { loginName: 'admin' })]);
    this.write('$user-admin', [systemRecord('$UserCreated', { loginName: 'admin' })]);
    this.write('$settings', [systemRecord('$settings', { $userStreamAcl: {} })]);
  }

  /** Connection string the client (and the adapter) take. */
  get connectionString(): string {
    return `kurrentdb://127.0.0.1:${this.port}?tls=false`;
  }

  async start(port = 0): Promise<this> {
    const server = new grpc.Server();
    if (this.options.serverFeatures !== false)
      server.addService(ServerFeaturesService, {
        getSupportedMethods: this.getSupportedMethods,
      });
    server.addService(StreamsService, { read: this.read });
    if (this.options.multiStreamAppend !== false)
      server.addService(StreamsServiceService, {
        appendSession: this.appendSession,
      });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.server = server;
    return this;
  }

  /** Ends every call at once: a graceful shutdown never ends while a subscription stays open. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    this.subscribers.clear();
  }

  // --- ServerFeatures -------------------------------------------------------------------------------------

  private readonly getSupportedMethods = (
    _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
    callback: grpc.sendUnaryData<SupportedMethods>,
  ): void => {
    // The client keys features by `/<service>/<method>` (case-insensitive), i.e. the gRPC path.
    const paths: string[] = [StreamsService.read.path];
    if (this.options.multiStreamAppend !== false) paths.push(StreamsServiceService.appendSession.path);
    const answer = new SupportedMethods();
    answer.setEventStoreServerVersion(this.options.serverVersion ?? '25.1.0');
    answer.setMethodsList(
      paths.map((path) => {
        const [, service = '', method = ''] = path.split('/');
        const supported = new SupportedMethod();
        supported.setServiceName(service.toLowerCase());
        supported.setMethodName(method.toLowerCase());
        return supported;
      }),
    );
    callback(null, answer);
  };

  // --- v2 AppendSession (multi-stream append) --------------------------------------------------------------

  private readonly appendSession = (
    call: grpc.ServerReadableStream<AppendRequest, AppendSessionResponse>,
    callback: grpc.sendUnaryData<AppendSessionResponse>,
  ): void => {
    const requests: AppendRequest[] = [];
    call.on('data', (request: AppendRequest) => requests.push(request));
    call.on('error', () => undefined);
    call.on('end', () => {
      try {
        callback(null, this.commitSession(requests));
      } catch (error) {
        callback(error as grpc.ServiceError);
      }
    });
  };

  /**
   * All or nothing (docs: "Either all streams are updated, or the entire operation fails"): every
   * request's expected revision is checked against the log before anything is written, and the first
   * failing one (in request order) fails the whole session with StreamRevisionConflictErrorDetails.
   */
  private commitSession(requests: AppendRequest[]): AppendSessionResponse {
    if (requests.length === 0)
      throw statusError(grpc.status.INVALID_ARGUMENT, 'An append session needs a request');
    const seen = new Set<string>();
    for (const request of requests) {
      const stream = request.getStream();
      if (stream === '') throw statusError(grpc.status.INVALID_ARGUMENT, 'Stream name is required');
      // A stream may appear once per session (StreamAlreadyInAppendSessionErrorDetails in errors.proto).
      if (seen.has(stream)) {
        const details = new StreamAlreadyInAppendSessionErrorDetails();
        details.setStream(stream);
        throw statusError(
          grpc.status.ABORTED,
          `Stream ${stream} is already in this append session`,
          'StreamAlreadyInAppendSessionErrorDetails',
          details.serializeBinary(),
        );
      }
      seen.add(stream);
      if (request.getRecordsList().length === 0)
        throw statusError(grpc.status.INVALID_ARGUMENT, `The request for ${stream} has no records`);
    }
    for (const request of requests) {
      const stream = request.getStream();
      const expected = BigInt(request.getExpectedRevision() ?? ANY);
      const actual = this.revisionOf(stream);
      const holds =
        expected === ANY ||
        (expected === NO_STREAM && actual === NO_STREAM) ||
        (expected === STREAM_EXISTS && actual !== NO_STREAM) ||
        (expected >= 0n && expected === actual);
      if (!holds) {
        const details = new StreamRevisionConflictErrorDetails();
        details.setStream(stream);
        details.setExpectedRevision(expected.toString());
        details.setActualRevision(actual.toString());
        throw statusError(
          grpc.status.FAILED_PRECONDITION,
          `Append failed due to a revision conflict on stream '${stream}': expected ${expected}, actual ${actual}`,
          'StreamRevisionConflictErrorDetails',
          details.serializeBinary(),
        );
      }
    }
    const response = new AppendSessionResponse();
    for (const request of requests) {
      const records = request.getRecordsList().map((record) => {
        const schema = record.getSchema();
        // Properties are a flat string→string map; KurrentDB exposes them to v1 readers as JSON metadata.
        const properties: Record<string, string> = {};
        record.getPropertiesMap().forEach((value, key) => {
          properties[key] = value.getStringValue();
        });
        const id = record.getRecordId() ?? '';
        // Record ids are event ids: KurrentDB stores them as UUIDs and refuses anything else.
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
          throw statusError(grpc.status.INVALID_ARGUMENT, `Record id "${id}" is not a UUID`);
        const type = schema?.getName() ?? '';
        if (type === '')
          throw statusError(grpc.status.INVALID_ARGUMENT, 'A record needs a schema name (event type)');
        return {
          id,
          type,
          contentType:
            schema?.getFormat() === SchemaFormat.SCHEMA_FORMAT_JSON
              ? ('application/json' as const)
              : ('application/octet-stream' as const),
          data: record.getData_asU8(),
          customMetadata: Buffer.from(JSON.stringify(properties), 'utf8'),
        };
      });
      const written = this.write(request.getStream(), records);
      const output = new AppendResponse();
      output.setStream(request.getStream());
      output.setStreamRevision(written.at(-1)!.revision.toString());
      output.setPosition(written.at(-1)!.position.toString());
      response.addOutput(output);
    }
    response.setPosition(this.log.at(-1)!.position.toString());
    this.notify();
    return response;
  }

  // --- v1 Read ----------------------------------------------------------------------------------------------

  private readonly read = (call: grpc.ServerWritableStream<ReadReq, ReadResp>): void => {
    void this.serveRead(call).catch((error: unknown) => {
      if (!call.cancelled) call.destroy(error as Error);
    });
  };

  private async serveRead(call: grpc.ServerWritableStream<ReadReq, ReadResp>): Promise<void> {
    const options = call.request.getOptions();
    if (options === undefined) throw statusError(grpc.status.INVALID_ARGUMENT, 'Read needs options');
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const send = (message: ReadResp) => writeWithBackpressure(call, message);
    const sendRecord = (record: WireRecord) => send(eventMessage(record, structuredIds));

    if (options.hasStream()) {
      if (options.hasSubscription())
        throw statusError(
          grpc.status.UNIMPLEMENTED,
          'Stream subscriptions are not served by this test server',
        );
      const streamOptions = options.getStream()!;
      const name = Buffer.from(streamOptions.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      const events = this.streams.get(name);
      if (events === undefined || events.length === 0) {
        // A read of a stream that does not exist answers a StreamNotFound message, not an error status.
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(streamOptions.getStreamIdentifier());
        const message = new ReadResp();
        message.setStreamNotFound(notFound);
        await send(message);
        call.end();
        return;
      }
      let count = BigInt(options.getCount() || '0');
      let ordered = backwards ? [...events].reverse() : events;
      if (streamOptions.hasRevision()) {
        const from = BigInt(streamOptions.getRevision());
        ordered = ordered.filter((event) => (backwards ? event.revision <= from : event.revision >= from));
      } else if (streamOptions.hasEnd()) ordered = backwards ? ordered : [];
      for (const record of ordered) {
        if (count-- <= 0n || call.cancelled) break;
        await sendRecord(record);
      }
      call.end();
      return;
    }

    const all = options.getAll();
    if (all === undefined)
      throw statusError(grpc.status.INVALID_ARGUMENT, 'Read needs stream or all options');
    const matches = filterOf(options);

    if (!options.hasSubscription()) {
      // A $all read from a position includes the event at that position (reads are inclusive).
      let count = BigInt(options.getCount() || '0');
      let ordered: WireRecord[];
      if (all.hasPosition()) {
        const from = BigInt(all.getPosition()!.getCommitPosition());
        ordered = backwards
          ? this.log.filter((record) => record.position < from).reverse()
          : this.log.filter((record) => record.position >= from);
      } else if (all.hasEnd()) ordered = backwards ? [...this.log].reverse() : [];
      else ordered = backwards ? [] : [...this.log];
      for (const record of ordered) {
        if (count <= 0n || call.cancelled) break;
        if (!matches(record)) continue;
        count--;
        await sendRecord(record);
      }
      call.end();
      return;
    }

    // Subscription to $all: confirmation, catch-up, caught-up, then live. A subscription from a position
    // starts *after* that position (docs: "subscribe from a position … receives events after it").
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(`sub-${Math.random().toString(36).slice(2)}`);
    const confirmed = new ReadResp();
    confirmed.setConfirmation(confirmation);
    await send(confirmed);
    let next: number;
    if (all.hasPosition()) {
      const after = BigInt(all.getPosition()!.getCommitPosition());
      next = this.log.findIndex((record) => record.position > after);
      if (next < 0) next = this.log.length;
    } else next = all.hasEnd() ? this.log.length : 0;
    let wake: (() => void) | undefined;
    const subscriber: Subscriber = () => wake?.();
    this.subscribers.add(subscriber);
    call.once('cancelled', subscriber);
    let caughtUpSent = false;
    try {
      while (!call.cancelled && this.server !== undefined) {
        while (next < this.log.length && !call.cancelled) {
          const record = this.log[next++]!;
          if (matches(record)) await sendRecord(record);
        }
        if (!caughtUpSent) {
          caughtUpSent = true;
          await send(caughtUp(this.log.at(-1)?.position));
        }
        if (next < this.log.length) continue;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.subscribers.delete(subscriber);
    }
  }

  // --- the log -----------------------------------------------------------------------------------------------

  private revisionOf(stream: string): bigint {
    const events = this.streams.get(stream);
    return events === undefined || events.length === 0 ? NO_STREAM : BigInt(events.length - 1);
  }

  private write(
    stream: string,
    records: Omit<WireRecord, 'stream' | 'revision' | 'position' | 'createdTicks'>[],
  ): WireRecord[] {
    const events = this.streams.get(stream) ?? [];
    this.streams.set(stream, events);
    const createdTicks = BigInt(Date.now()) * TICKS_PER_MS;
    return records.map((record) => {
      // $all positions are byte offsets in the transaction log: increasing, never dense.
      this.nextPosition += 64n + BigInt(record.data.length + record.customMetadata.length + stream.length);
      const stored: WireRecord = {
        ...record,
        stream,
        revision: BigInt(events.length),
        position: this.nextPosition,
        createdTicks,
      };
      events.push(stored);
      this.log.push(stored);
      return stored;
    });
  }

  private notify(): void {
    for (const subscriber of this.subscribers) subscriber();
  }
}

function systemRecord(
  type: string,
  data: unknown,
): Omit<WireRecord, 'stream' | 'revision' | 'position' | 'createdTicks'> {
  return {
    id: crypto.randomUUID(),
    type,
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(data)),
    customMetadata: new Uint8Array(),
  };
}

/** The server-side filter: on event type or stream name, by regex or by prefixes (FilterOptions). */
function filterOf(options: ReadReq.Options): (record: WireRecord) => boolean {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const expression = filter.hasEventType() ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const field = filter.hasEventType() ? ('type' as const) : ('stream' as const);
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const pattern = regex === '' ? undefined : new RegExp(regex);
  return (record) => {
    const value = record[field];
    if (pattern !== undefined && !pattern.test(value)) return false;
    if (prefixes.length > 0 && !prefixes.some((prefix) => value.startsWith(prefix))) return false;
    return true;
  };
}

function eventMessage(record: WireRecord, structuredIds: boolean): ReadResp {
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(record.stream, 'utf8'));
  const id = new UUID();
  if (structuredIds) {
    const hex = record.id.replace(/-/g, '');
    const structured = new UUID.Structured();
    structured.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
    structured.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
    id.setStructured(structured);
  } else id.setString(record.id);
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(id);
  recorded.setStreamIdentifier(identifier);
  recorded.setStreamRevision(record.revision.toString());
  recorded.setPreparePosition(record.position.toString());
  recorded.setCommitPosition(record.position.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('content-type', record.contentType);
  metadata.set('created', record.createdTicks.toString());
  recorded.setCustomMetadata(record.customMetadata);
  recorded.setData(record.data);
  const event = new ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(record.position.toString());
  const message = new ReadResp();
  message.setEvent(event);
  return message;
}

function caughtUp(position: bigint | undefined): ReadResp {
  const caught = new ReadResp.CaughtUp();
  const timestamp = new Timestamp();
  timestamp.fromDate(new Date());
  caught.setTimestamp(timestamp);
  if (position !== undefined) {
    const at = new ReadResp.Position();
    at.setCommitPosition(position.toString());
    at.setPreparePosition(position.toString());
    caught.setPosition(at);
  }
  const message = new ReadResp();
  message.setCaughtUp(caught);
  return message;
}

function writeWithBackpressure(
  call: grpc.ServerWritableStream<ReadReq, ReadResp>,
  message: ReadResp,
): Promise<void> {
  if (call.cancelled) return Promise.resolve();
  if (call.write(message)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      resolve();
    };
    call.once('drain', done);
    call.once('cancelled', done);
  });
}

/** An error status whose google.rpc.Status travels in `grpc-status-details-bin`, as KurrentDB's v2 errors do. */
function statusError(
  code: grpc.status,
  message: string,
  detailsType?: string,
  detailsBytes?: Uint8Array,
): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (detailsType !== undefined && detailsBytes !== undefined) {
    const status = new Status();
    status.setCode(code as number);
    status.setMessage(message);
    const any = new Any();
    any.setTypeUrl(`${ERRORS_PACKAGE}.${detailsType}`);
    any.setValue(detailsBytes);
    status.setDetails(any);
    metadata.set('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  }
  return Object.assign(new Error(message), { code, details: message, metadata });
}

/** Starts a wire server on a free port of 127.0.0.1. */
export function startKurrentDbWireServer(options?: KurrentDbWireServerOptions): Promise<KurrentDbWireServer> {
  return new KurrentDbWireServer(options).start();
}
