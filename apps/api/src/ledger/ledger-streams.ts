import { Inject, Injectable } from '@nestjs/common';
import {
  decodeEvent,
  evolveStream,
  initialStateOf,
  STREAM_KINDS,
  type StateOfKind,
  type StreamKind,
} from '@tracelode/domain';
import type { EventStore, ExpectedRevision } from '@tracelode/event-store';
import { EVENT_STORE } from './ledger.tokens';

const CAPACITY = 1000;

/** A stream folded to its current state, with the revision that state reflects. */
export interface LoadedStream<State> {
  readonly stream: string;
  readonly state: State;
  readonly revision: ExpectedRevision;
}

/**
 * The current state of any stream, folded from the store through one cache shared by the command executor,
 * API-key authentication and signature checks. Each stream is remembered folded up to a revision, so a
 * load reads only the events appended since (usually none) rather than the whole stream: an
 * organisation's stream is loaded by every request. Streams only grow and their events never change, so
 * the folded state plus the newer events is exactly what a full read gives, and every load still asks
 * the store for newer events — a write by another process is never missed. States are immutable
 * (evolve copies on write), so they are shared.
 */
@Injectable()
export class LedgerStreams {
  private readonly folded = new Map<string, { revision: bigint; state: unknown }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load<K extends StreamKind>(kind: K, id: string): Promise<LoadedStream<StateOfKind[K]>> {
    const stream = STREAM_KINDS[kind].streamOf(id);
    const cached = this.folded.get(stream);
    let state = (cached ? cached.state : initialStateOf(kind)) as StateOfKind[K];
    let revision: ExpectedRevision = cached ? cached.revision : 'no_stream';
    for await (const stored of this.store.readStream(stream, cached ? cached.revision + 1n : 0n)) {
      state = evolveStream<K>(kind, state, decodeEvent(stored).event, stored.eventId);
      revision = stored.revision;
    }
    if (revision !== 'no_stream') this.remember(stream, revision, state);
    return { stream, state, revision };
  }

  /**
   * The stream as if it did not exist, without reading it (an executor's first attempt at a command that
   * creates it, judged by the append at `no_stream`); undefined when this cache holds it, so it exists.
   */
  assumeNew<K extends StreamKind>(kind: K, id: string): LoadedStream<StateOfKind[K]> | undefined {
    const stream = STREAM_KINDS[kind].streamOf(id);
    if (this.folded.has(stream)) return undefined;
    return { stream, state: initialStateOf(kind), revision: 'no_stream' };
  }

  private remember(stream: string, revision: bigint, state: unknown): void {
    const entry = this.folded.get(stream);
    // Concurrent loads of one stream finish in any order: keep the furthest.
    if (entry && entry.revision >= revision) return;
    this.folded.delete(stream); // re-inserted last: the map's order is least recently loaded first
    this.folded.set(stream, { revision, state });
    if (this.folded.size > CAPACITY) this.folded.delete(this.folded.keys().next().value!);
  }
}
