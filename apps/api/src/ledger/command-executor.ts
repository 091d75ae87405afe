import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type Actor,
  batchNotFound,
  type BatchState,
  commandEnvelopes,
  type CommandEnvelope,
  type CommandRecorded,
  type Decider,
  decodeEvent,
  type ExistingBatch,
  DomainError,
  evolveStream,
  encodeEvent,
  followRoundsOf,
  type Issued,
  type LedgerEvent,
  ledgerState,
  licenceNotFound,
  type LedgerState,
  type LoadedStreams,
  recordsOf,
  refuse,
  STREAM_KINDS,
  toldOfBatch,
  type StreamKind,
  type StreamsToLoad,
  toCommandStreamId,
} from '@tracelode/domain';
import {
  type EventStore,
  type ExpectedRevision,
  newEventId,
  type StoredEvent,
  type StreamWrite,
  WrongExpectedRevisionError,
} from '@tracelode/event-store';
import { sha256Hex } from '../common/sha256';
import type { LedgerConfig } from '../config/ledger-config';
import type { CommandMeta } from './command-meta';
import { LedgerStreams } from './ledger-streams';
import { EVENT_STORE, LEDGER_CONFIG, REACH } from './ledger.tokens';

type Response = Record<string, unknown>;

/**
 * Any command of the ledger, as the controllers send it on the CommandBus: the use case's decider, the
 * command, who sent it and how, and the response it earns (apart from the log position).
 */
export class LedgerCommand<Body extends { type: string }, Result extends Response> extends Command<
  Result & { position: string }
> {
  constructor(
    readonly decider: Decider<Body>,
    readonly command: Body,
    readonly meta: CommandMeta,
    readonly result: Result,
    /** What a retry with the same Idempotency-Key gets back (default: the result); must hold no secrets. */
    readonly replayable: (result: Result) => Response = (result) => result,
  ) {
    super();
  }
}

const MAX_ATTEMPTS = 5;

/** The kinds of stream a stranger is not told exist (ADR 0023): lots and licences. */
type Guarded = 'batches' | 'licences';
const GUARDED: readonly Guarded[] = ['batches', 'licences'];
const NOT_FOUND: Record<Guarded, (id: string) => DomainError> = {
  batches: batchNotFound,
  licences: licenceNotFound,
};

/** The recorded event a correction or a void names, if the command names one. */
function eventNamedBy(issued: Issued<{ type: string }>): string | undefined {
  const eventId = (issued as { data?: { eventId?: unknown } }).data?.eventId;
  return typeof eventId === 'string' ? eventId : undefined;
}

/** Whether a lot's own stream holds the event: the lot is the event's, found from its id. */
const holdsEvent = (state: { exists: boolean }, eventId: string): boolean =>
  state.exists && recordsOf(state as ExistingBatch).some((record) => record.eventId === eventId);

/** Every string a command holds, at any depth, but under `skip` (its envelope). */
function stringsIn(value: unknown, skip: string, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') found.add(value);
  else if (Array.isArray(value)) for (const element of value) stringsIn(element, skip, found);
  else if (value !== null && typeof value === 'object') {
    for (const [name, member] of Object.entries(value)) if (name !== skip) stringsIn(member, skip, found);
  }
  return found;
}

/** Whether an actor may know a lot or a licence exists: what its own reads would show it. */
export interface Reach {
  /** Resolves once the read policy holds what this server committed (the views' own wait). */
  caughtUp(): Promise<void>;
  /** Whether its reads would show the actor the lot or licence, as the policy stands now. */
  knows(actor: Actor, kind: Guarded, id: string): boolean;
}

/**
 * Runs every command the one way: load the streams its decider names, decide, and append the events to
 * all of them in one atomic multi-stream append, each at the revision read; retry on a concurrency
 * conflict; record the Idempotency-Key in the same append so a retried request is answered from the log,
 * on any store and after any crash.
 */
@CommandHandler(LedgerCommand)
export class CommandExecutor implements ICommandHandler<LedgerCommand<{ type: string }, Response>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly streams: LedgerStreams,
    @Inject(LEDGER_CONFIG) private readonly config: Pick<LedgerConfig, 'maxRecordingDelayMs'>,
    /** Without it (a test's executor), every refusal is told as it is. */
    @Optional() @Inject(REACH) private readonly reach?: Reach,
  ) {}

  async execute({
    decider,
    command,
    meta,
    result,
    replayable,
  }: LedgerCommand<{ type: string }, Response>): Promise<Response & { position: string }> {
    const issued: Issued<{ type: string }> = { ...command, metadata: this.metadataOf(meta) };
    const commandStream = commandStreamOf(meta);
    // A first attempt that does not read the streams the command creates (a new lot): they are appended at
    // `no_stream`, so if one exists the append is refused under the write lock and nothing of it is
    // written. Whatever makes this attempt fail (a refusal, a conflict) sends the command down the
    // ordinary path, whose outcome is the answer (ADR 0036).
    let assumed = decider.creates && new AssumedNew(decider.creates(issued));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const earlier = commandStream && (await this.recordedCommand(commandStream));
      if (earlier) return replay(earlier, meta);
      const { loaded, revisions } = await this.load(decider, issued, assumed);
      const optimistic = assumed?.taken === true;
      assumed = undefined;
      // In append order: the first event encoded carries the signed request, the rest refer to it (ADR 0026).
      const envelopeFor = commandEnvelopes(envelopeOf(meta));
      let writes: StreamWrite[];
      try {
        writes = this.writesOf(decider.decide(issued, ledgerState(loaded)), revisions, envelopeFor);
      } catch (refusal) {
        // Decided on streams assumed new: decide again on what the ordinary path reads (not an attempt lost).
        if (optimistic) {
          attempt--;
          continue;
        }
        // A twin of this request may have committed between the check above and the decision, which its
        // events then refuse (BATCH_ALREADY_EXISTS): a retry is answered from the log, not refused.
        const twin = commandStream && (await this.recordedCommand(commandStream));
        if (twin) return replay(twin, meta);
        throw await this.asToldTo(meta.actor, refusal, decider, issued, loaded);
      }
      if (commandStream) writes.push(recordedWrite(commandStream, meta, replayable(result), envelopeFor));
      try {
        const { position } = await this.store.append(writes);
        return { ...result, position: position.toString() };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (optimistic) attempt--;
      }
    }
    throw refuse(
      'CONCURRENCY_CONFLICT',
      `The command lost ${MAX_ATTEMPTS} races for the same streams; retry it`,
    );
  }

  /**
   * Several commands as one decision (an EPCIS capture in rollback mode): each is decided in order by its
   * own decider against the streams as the commands before it left them, and all their events are one
   * atomic append, each stream at the revision first read — all of them or none. A refusal names the
   * index of the command refused (`StepRefused`). Recorded under `meta.idempotencyKey` as any command is.
   */
  async executeAll(
    steps: readonly { decider: Decider<{ type: string }>; command: { type: string } }[],
    meta: CommandMeta,
    result: Response,
  ): Promise<Response & { position: string }> {
    const metadata = this.metadataOf(meta);
    const commandStream = commandStreamOf(meta);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const earlier = commandStream && (await this.recordedCommand(commandStream));
      if (earlier) return replay(earlier, meta);
      const { loaded, revisions, kinds, load } = this.loader();
      const envelopeFor = commandEnvelopes(envelopeOf(meta));
      const byStream = new Map<string, ReturnType<typeof encodeEvent>[]>();
      for (const [index, step] of steps.entries()) {
        const issued: Issued<{ type: string }> = { ...step.command, metadata };
        let emitted: ReturnType<Decider<{ type: string }>['decide']>;
        try {
          await load(step.decider.streams(issued));
          const state: LedgerState = ledgerState(loaded);
          if (step.decider.follow) await load(step.decider.follow(issued, state));
          emitted = step.decider.decide(issued, ledgerState(loaded));
        } catch (refusal) {
          const twin = commandStream && (await this.recordedCommand(commandStream));
          if (twin) return replay(twin, meta);
          // What the commands before this one wrote, the actor made: it is not hidden from it.
          const told = await this.asToldTo(meta.actor, refusal, step.decider, issued, loaded, (stream) =>
            byStream.has(stream),
          );
          if (told instanceof DomainError) throw new StepRefused(index, told);
          throw told;
        }
        for (const { stream, events } of emitted) {
          const target = kinds.get(stream);
          if (!target) throw new Error(`The decision wrote ${stream}, which it did not load`);
          const states = loaded[target.kind]!;
          let folded = states.get(target.id) as never;
          for (const event of events) {
            const eventId = newEventId();
            byStream.set(stream, [
              ...(byStream.get(stream) ?? []),
              encodeEvent(event, envelopeFor(eventId), eventId),
            ]);
            // The next command sees this one's events, as it would after its append.
            folded = evolveStream(target.kind, folded, event, eventId) as never;
          }
          states.set(target.id, folded);
        }
      }
      // One append writes each stream once, so the commands' events are grouped by stream, in the order
      // the streams are first written, except that transformation declarations come first: a batch
      // written by an earlier command (a lot mined, then refined) would otherwise carry the refining
      // before the declaration it names, and the views cannot read a batch event of a transformation
      // that has no declaration yet. A declaration itself depends on no other stream's events.
      const declarationsFirst = [...byStream].sort(
        ([a], [b]) =>
          Number(kinds.get(b)?.kind === 'transformations') - Number(kinds.get(a)?.kind === 'transformations'),
      );
      const writes: StreamWrite[] = declarationsFirst.map(([stream, events]) => ({
        stream,
        expectedRevision: revisions.get(stream)!,
        events,
      }));
      if (commandStream) writes.push(recordedWrite(commandStream, meta, result, envelopeFor));
      if (writes.length === 0) return { ...result, position: (await this.store.headPosition()).toString() };
      try {
        const { position } = await this.store.append(writes);
        return { ...result, position: position.toString() };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw refuse(
      'CONCURRENCY_CONFLICT',
      `The commands lost ${MAX_ATTEMPTS} races for the same streams; retry them`,
    );
  }

  /**
   * A refusal as the actor may be told it: a stranger to a lot or a licence learns no more from a command
   * than from a read, where it does not exist (ADR 0023: strangers get 404). The command is decided again
   * with every lot and licence the actor may not know of taken as never written, and that refusal is the
   * answer: what the same command naming ids nobody used would get. Where that decision would pass (a new
   * lot under an id already taken), the refusal stands; where it needs a stream not loaded, the first
   * hidden one is not found. `madeHere`: streams the refused command's own predecessors wrote.
   */
  private async asToldTo(
    actor: Actor,
    refusal: unknown,
    decider: Decider<{ type: string }>,
    issued: Issued<{ type: string }>,
    loaded: LoadedStreams,
    madeHere: (stream: string) => boolean = () => false,
  ): Promise<unknown> {
    if (!(refusal instanceof DomainError) || !this.reach) return refusal;
    // Every refusal waits for the views, whatever it names: a wait only for real lots would tell them,
    // by its time under load, from unused ids.
    await this.reach.caughtUp();
    const event = eventNamedBy(issued);
    const named = stringsIn(issued, 'metadata');
    const seen: Record<string, ReadonlyMap<string, unknown>> = { ...loaded };
    let first: { kind: Guarded; id: string } | undefined;
    for (const kind of GUARDED) {
      for (const [id, state] of loaded[kind] ?? []) {
        if (!state.exists || !named.has(id) || madeHere(STREAM_KINDS[kind].streamOf(id))) continue;
        // A correction or a void names a recorded event, whose id only its readers were shown: the lot
        // that holds it is the event's, not a name the sender chose, and the refusal stands (NOT_RECORDER).
        // A lot that does not hold it was the sender's choice (an EPCIS error declaration names its lot
        // beside a made-up event id) and is hidden as any other.
        if (event !== undefined && kind === 'batches' && holdsEvent(state, event)) continue;
        if (kind === 'batches' && toldOfBatch(state as BatchState, actor.orgId)) continue;
        if (this.reach.knows(actor, kind, id)) continue;
        first ??= { kind, id };
        const states = new Map(seen[kind]);
        states.set(id, STREAM_KINDS[kind].initial());
        seen[kind] = states;
      }
    }
    if (!first) return refusal;
    try {
      decider.decide(issued, ledgerState(seen));
      return refusal;
    } catch (told) {
      return told instanceof DomainError ? told : NOT_FOUND[first.kind](first.id);
    }
  }

  /** Every stream the decider names (`streams`, then `follow`), folded, with the revision each was read at. */
  private async load(
    decider: Decider<{ type: string }>,
    issued: Issued<{ type: string }>,
    assumed?: AssumedNew,
  ): Promise<{ loaded: LoadedStreams; revisions: Map<string, ExpectedRevision> }> {
    const { loaded, revisions, load } = this.loader(assumed);
    await load(decider.streams(issued));
    // Streams named by what was loaded: read now, appended (if written) at the revision read here.
    for (let round = 0; decider.follow && round < followRoundsOf(decider); round++) {
      const before = revisions.size;
      await load(decider.follow(issued, ledgerState(loaded)));
      if (revisions.size === before) break;
    }
    return { loaded, revisions };
  }

  /** The ledger's side of every command's envelope: deciders stay pure, judging by what they are given. */
  private metadataOf(meta: CommandMeta): Issued<{ type: string }>['metadata'] {
    return {
      actor: meta.actor,
      recordedAt: meta.recordedAt,
      policy: { maxRecordingDelayMs: this.config.maxRecordingDelayMs },
    };
  }

  /**
   * Streams folded as they are read, each once, with the revision it was read at (appended, if written,
   * at that revision) and which kind and id it is.
   */
  private loader(assumed?: AssumedNew) {
    const loaded: Record<string, Map<string, unknown>> = {};
    const revisions = new Map<string, ExpectedRevision>();
    const kinds = new Map<string, { kind: StreamKind; id: string }>();
    const load = async (streams: StreamsToLoad) => {
      for (const [kind, ids] of Object.entries(streams) as [StreamKind, string[]][]) {
        const states = (loaded[kind] ??= new Map<string, unknown>());
        for (const id of ids) {
          if (states.has(id)) continue;
          const { stream, state, revision } =
            (assumed && this.assumeNew(assumed, kind, id)) || (await this.streams.load(kind, id));
          states.set(id, state);
          revisions.set(stream, revision);
          kinds.set(stream, { kind, id });
        }
      }
    };
    return { loaded, revisions, kinds, load };
  }

  /** The stream taken as empty, unread, if the first attempt may and nothing says it exists. */
  private assumeNew(assumed: AssumedNew, kind: StreamKind, id: string) {
    const taken = assumed.has(kind, id) ? this.streams.assumeNew(kind, id) : undefined;
    if (taken) assumed.taken = true;
    return taken;
  }

  private writesOf(
    emitted: ReturnType<Decider<{ type: string }>['decide']>,
    revisions: ReadonlyMap<string, ExpectedRevision>,
    envelopeFor: (eventId: string) => CommandEnvelope,
  ): StreamWrite[] {
    const byStream = new Map<string, LedgerEvent[]>();
    for (const { stream, events } of emitted) {
      if (!revisions.has(stream)) throw new Error(`The decision wrote ${stream}, which it did not load`);
      byStream.set(stream, [...(byStream.get(stream) ?? []), ...events]);
    }
    // The store appends the writes and their events in this order: the first encoded is the first appended.
    return [...byStream].map(([stream, events]) => ({
      stream,
      expectedRevision: revisions.get(stream)!,
      events: events.map((event) => encoded(event, envelopeFor)),
    }));
  }

  private async recordedCommand(stream: string): Promise<StoredEvent | undefined> {
    for await (const stored of this.store.readStream(stream)) return stored;
    return undefined;
  }
}

/** The streams a first attempt takes as empty without reading them (see `execute`). */
class AssumedNew {
  private readonly keys = new Set<string>();
  /** Whether a stream was taken as empty (one this process knows exists is read as usual). */
  taken = false;

  constructor(creates: StreamsToLoad) {
    for (const [kind, ids] of Object.entries(creates))
      for (const id of ids ?? []) this.keys.add(`${kind}\n${id}`);
  }

  has(kind: StreamKind, id: string): boolean {
    return this.keys.has(`${kind}\n${id}`);
  }
}

/** A refusal of one of several commands decided together (`executeAll`): which one, and why. */
export class StepRefused extends Error {
  constructor(
    readonly index: number,
    readonly refusal: DomainError,
  ) {
    super(refusal.message);
  }
}

/** Where a command sent with an Idempotency-Key is recorded, per organisation and key. */
function commandStreamOf(meta: CommandMeta): string | undefined {
  return meta.idempotencyKey
    ? toCommandStreamId(sha256Hex(`${meta.actor.orgId}\n${meta.idempotencyKey}`))
    : undefined;
}

/**
 * The command's record under its Idempotency-Key, with the response a retry is answered with: last in the
 * append, so its position is the append's position and a replay answers the same.
 */
function recordedWrite(
  stream: string,
  meta: CommandMeta,
  response: Response,
  envelopeFor: (eventId: string) => CommandEnvelope,
): StreamWrite {
  const recorded: CommandRecorded = {
    type: 'CommandRecorded',
    data: {
      orgId: meta.actor.orgId,
      idempotencyKey: meta.idempotencyKey!,
      requestSha256: meta.requestSha256,
      commandType: meta.commandType,
      response,
    },
  };
  return { stream, expectedRevision: 'no_stream', events: [encoded(recorded, envelopeFor)] };
}

function replay(stored: StoredEvent, meta: CommandMeta): Response & { position: string } {
  const { event } = decodeEvent(stored);
  if (event.type !== 'CommandRecorded') throw new Error(`${stored.stream} holds ${event.type}`);
  if (event.data.requestSha256 !== meta.requestSha256) {
    throw refuse(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "${meta.idempotencyKey}" was already used for a different request`,
      { commandType: event.data.commandType },
    );
  }
  return { ...(event.data.response as Response), position: stored.position.toString() };
}

function encoded(event: LedgerEvent, envelopeFor: (eventId: string) => CommandEnvelope) {
  const eventId = newEventId();
  return encodeEvent(event, envelopeFor(eventId), eventId);
}

/** What the command contributes to each event's envelope (the signed request only to its first: ADR 0026). */
function envelopeOf(meta: CommandMeta): CommandEnvelope {
  const { orgId, keyId, roles } = meta.actor;
  return {
    commandId: meta.commandId,
    commandType: meta.commandType,
    actor: { orgId, keyId, roles },
    recordedAt: meta.recordedAt,
    correlationId: meta.correlationId,
    causationId: meta.commandId,
    idempotencyKey: meta.idempotencyKey,
    signedRequest: meta.signedRequest,
    requestSignature: meta.signedRequest && {
      keyId: meta.signedRequest.keyId,
      alg: meta.signedRequest.alg,
      verified: true as const,
    },
  };
}
