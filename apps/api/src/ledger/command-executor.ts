import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandRecorded,
  conflict,
  type LedgerEvent,
  ruleBroken,
  toCommandStreamId,
} from '@tracelode/domain';
import {
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type StoredEvent,
  type StreamWrite,
  WrongExpectedRevisionError,
} from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../common/sha256';
import type { CommandMeta } from './command-meta';
import { EVENT_STORE } from './ledger.tokens';

type EventOf<Union, Type> = Extract<Union, { type: Type }>;

/**
 * Recently loaded streams, each folded up to a revision, so that a load reads only the events appended
 * since (usually none) rather than the whole stream: an organisation's stream is loaded by every batch
 * command. Streams only grow and their events never change, so the folded state plus the newer events is
 * exactly what a full read would give, and every load still asks the store for those newer events — a
 * write by another process is never missed. States are immutable (deciders copy on write), so they are
 * shared. Keyed by stream and evolve function, as a stream may be folded into different states.
 */
export class FoldedStreams {
  private readonly entries = new Map<string, { evolve: unknown; revision: bigint; state: unknown }>();

  constructor(private readonly capacity = 1000) {}

  get<State>(stream: string, evolve: unknown): { revision: bigint; state: State } | undefined {
    const entry = this.entries.get(stream);
    if (!entry || entry.evolve !== evolve) return undefined;
    return { revision: entry.revision, state: entry.state as State };
  }

  remember(stream: string, evolve: unknown, revision: bigint, state: unknown): void {
    const entry = this.entries.get(stream);
    // Concurrent loads of one stream finish in any order: keep the furthest.
    if (entry && entry.evolve === evolve && entry.revision >= revision) return;
    this.entries.delete(stream); // re-inserted last: the map's order is least recently loaded first
    this.entries.set(stream, { evolve, revision, state });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * What one attempt at a command has read and wants to write. `load` folds a stream and remembers the
 * revision it saw; `emit` queues events for a loaded stream, appended with that revision as expected.
 */
export class DecisionSession {
  private readonly revisions = new Map<string, ExpectedRevision>();
  private readonly pending = new Map<string, LedgerEvent[]>();

  constructor(
    private readonly store: EventStore,
    private readonly folded?: FoldedStreams,
  ) {}

  async load<State, Event extends LedgerEvent>(
    stream: string,
    evolve: (state: State, event: Event) => State,
    initial: State,
  ): Promise<State> {
    const cached = this.folded?.get<State>(stream, evolve);
    let state = cached ? cached.state : initial;
    let revision: ExpectedRevision = cached ? cached.revision : 'no_stream';
    for await (const stored of this.store.readStream(stream, cached ? cached.revision + 1n : 0n)) {
      state = evolve(state, { type: stored.type, data: stored.data } as Event);
      revision = stored.revision;
    }
    this.revisions.set(stream, revision);
    if (revision !== 'no_stream') this.folded?.remember(stream, evolve, revision, state);
    return state;
  }

  emit(stream: string, events: readonly LedgerEvent[]): void {
    if (!this.revisions.has(stream)) throw new Error(`Stream ${stream} must be loaded before it is written`);
    this.pending.set(stream, [...(this.pending.get(stream) ?? []), ...events]);
  }

  writes(meta: CommandMeta): StreamWrite[] {
    return [...this.pending].map(([stream, events]) => ({
      stream,
      expectedRevision: this.revisions.get(stream) ?? 'no_stream',
      events: events.map((event) => envelope(event, meta)),
    }));
  }
}

export interface ExecuteOptions<Result> {
  /** What a retry with the same Idempotency-Key gets back (default: the result); must hold no secrets. */
  readonly replayable?: (result: Result) => Record<string, unknown>;
}

const MAX_ATTEMPTS = 5;

/**
 * Runs a command the one way every command runs: load, decide, append with expected revisions in one
 * atomic multi-stream append, retry on a concurrency conflict, and record the Idempotency-Key in the
 * same append so a retried request is answered from the log, on any store and after any crash.
 */
@Injectable()
export class CommandExecutor {
  private readonly folded = new FoldedStreams();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute<Result extends Record<string, unknown>>(
    meta: CommandMeta,
    decide: (session: DecisionSession) => Promise<Result>,
    options: ExecuteOptions<Result> = {},
  ): Promise<Result & { position: string }> {
    const commandStream = meta.idempotencyKey
      ? toCommandStreamId(sha256Hex(`${meta.actor.orgId}\n${meta.idempotencyKey}`))
      : undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (commandStream) {
        const earlier = await this.recordedCommand(commandStream);
        if (earlier) return this.replay<Result>(earlier, meta);
      }
      const session = new DecisionSession(this.store, this.folded);
      let result: Result;
      try {
        result = await decide(session);
      } catch (refusal) {
        // A twin of this request may have committed between the check above and the decision, which its
        // events then refuse (BATCH_ALREADY_EXISTS): a retry is answered from the log, not refused.
        const earlier = commandStream ? await this.recordedCommand(commandStream) : undefined;
        if (earlier) return this.replay<Result>(earlier, meta);
        throw refusal;
      }
      const writes = session.writes(meta);
      if (commandStream && meta.idempotencyKey) {
        const recorded: CommandRecorded = {
          type: 'CommandRecorded',
          data: {
            orgId: meta.actor.orgId,
            idempotencyKey: meta.idempotencyKey,
            requestSha256: meta.requestSha256,
            commandType: meta.commandType,
            response: options.replayable ? options.replayable(result) : result,
          },
        };
        // Last in the append, so its position is the append's position and a replay answers the same.
        writes.push({
          stream: commandStream,
          expectedRevision: 'no_stream',
          events: [envelope(recorded, meta)],
        });
      }
      try {
        const { position } = await this.store.append(writes);
        return { ...result, position: position.toString() };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw conflict(
      'CONCURRENCY_CONFLICT',
      `The command lost ${MAX_ATTEMPTS} races for the same streams; retry it`,
    );
  }

  private async recordedCommand(stream: string): Promise<StoredEvent | undefined> {
    for await (const stored of this.store.readStream(stream)) return stored;
    return undefined;
  }

  private replay<Result>(stored: StoredEvent, meta: CommandMeta): Result & { position: string } {
    const recorded = stored.data as EventOf<LedgerEvent, 'CommandRecorded'>['data'];
    if (recorded.requestSha256 !== meta.requestSha256) {
      throw ruleBroken(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key "${meta.idempotencyKey}" was already used for a different request`,
        { commandType: recorded.commandType },
      );
    }
    return { ...(recorded.response as Result), position: stored.position.toString() };
  }
}

function envelope(event: LedgerEvent, meta: CommandMeta): EventToAppend {
  const occurredAt = (event.data as { occurredAt?: string }).occurredAt;
  return {
    eventId: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: {
      commandId: meta.commandId,
      commandType: meta.commandType,
      actor: { orgId: meta.actor.orgId, keyId: meta.actor.keyId, roles: meta.actor.roles },
      ...(occurredAt ? { occurredAt } : {}),
      recordedAt: meta.recordedAt,
      correlationId: meta.correlationId,
      causationId: meta.commandId,
      ...(meta.idempotencyKey ? { idempotencyKey: meta.idempotencyKey } : {}),
      ...(meta.signedRequest ? { signedRequest: meta.signedRequest } : {}),
      schemaVersion: 1,
    },
  };
}
