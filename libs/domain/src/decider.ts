import { type BatchState, evolveBatch, initialBatchState } from './batch/batch.state';
import {
  type CertificateState,
  evolveCertificate,
  initialCertificateState,
} from './certificate/certificate.state';
import {
  type CredentialsState,
  evolveCredentials,
  initialCredentialsState,
} from './credentials/credentials.state';
import {
  type EngagementState,
  evolveEngagement,
  initialEngagementState,
} from './engagement/engagement.state';
import { evolveGln, type GlnState, initialGlnState } from './gln/gln.state';
import type { LedgerEvent } from './ledger-event';
import { evolveLicence, initialLicenceState, type LicenceState } from './licence/licence.state';
import {
  evolveOrganisation,
  initialOrganisationState,
  type OrganisationState,
} from './organisation/organisation.state';
import type { Actor } from './shared/actor';
import {
  evolveTransformation,
  initialTransformationState,
  type TransformationState,
} from './transformation/transformation.state';
import type { LedgerPolicy } from './shared/two-times';
import {
  toBatchStreamId,
  toCertificateStreamId,
  toCredentialsStreamId,
  toEngagementStreamId,
  toGlnStreamId,
  toLicenceStreamId,
  toOrgStreamId,
  toTransformationStreamId,
} from './streams';

/**
 * Who issued a command, when the ledger learnt of it (its clock, not the caller's), and the ledger's
 * configured policy (the executor fills it from the configuration; DEFAULT_LEDGER_POLICY when absent).
 */
export interface CommandMetadata {
  readonly actor: Actor;
  readonly recordedAt: string;
  readonly policy?: LedgerPolicy;
}

/** A command as every decider receives it: what was asked, with who asked and when it was recorded. */
export type Issued<Command> = Command & { readonly metadata: CommandMetadata };

/** How each kind of stream is named, starts and folds. Every decision reads streams of these kinds. */
export const STREAM_KINDS = {
  batches: { streamOf: toBatchStreamId, initial: initialBatchState, evolve: evolveBatch },
  organisations: { streamOf: toOrgStreamId, initial: initialOrganisationState, evolve: evolveOrganisation },
  licences: { streamOf: toLicenceStreamId, initial: initialLicenceState, evolve: evolveLicence },
  certificates: {
    streamOf: toCertificateStreamId,
    initial: initialCertificateState,
    evolve: evolveCertificate,
  },
  credentials: {
    streamOf: toCredentialsStreamId,
    initial: initialCredentialsState,
    evolve: evolveCredentials,
  },
  engagements: {
    streamOf: toEngagementStreamId,
    initial: initialEngagementState,
    evolve: evolveEngagement,
  },
  transformations: {
    streamOf: toTransformationStreamId,
    initial: initialTransformationState,
    evolve: evolveTransformation,
  },
  glns: { streamOf: toGlnStreamId, initial: initialGlnState, evolve: evolveGln },
} as const;

export type StreamKind = keyof typeof STREAM_KINDS;

export interface StateOfKind {
  batches: BatchState;
  organisations: OrganisationState;
  licences: LicenceState;
  certificates: CertificateState;
  credentials: CredentialsState;
  engagements: EngagementState;
  transformations: TransformationState;
  glns: GlnState;
}

/** The ids of each kind a decision reads. */
export type StreamsToLoad = { readonly [K in StreamKind]?: readonly string[] };

/** The folded state of each stream a decision loaded, by kind and id. */
export type LoadedStreams = { readonly [K in StreamKind]?: ReadonlyMap<string, StateOfKind[K]> };

/** What `decide` reads: the current state of every stream its decider named, and only those. */
export interface LedgerState {
  batch(batchId: string): BatchState;
  organisation(orgId: string): OrganisationState;
  licence(licenceId: string): LicenceState;
  certificate(certificateId: string): CertificateState;
  credentials(orgId: string): CredentialsState;
  engagement(engagementId: string): EngagementState;
  transformation(transformationId: string): TransformationState;
  gln(gln: string): GlnState;
  /** Whether the decision has loaded this stream (for a `follow` that reads what an earlier round named). */
  has(kind: StreamKind, id: string): boolean;
}

/** Events to append to one stream; a decision's streams are appended in one atomic write. */
export interface StreamEvents {
  readonly stream: string;
  readonly events: readonly LedgerEvent[];
}

/**
 * The one shape of every command's decision: which streams it reads, and a pure `decide` from the command
 * and their state to the events to append. The executor loads, decides, and appends atomically with each
 * stream at the revision it read; a decider never sees a store and never writes a stream it did not read.
 * `follow` names streams that depend on what `streams` loaded (the custodian's organisation of a batch,
 * say); they are loaded before `decide`, as part of the same decision. It sees only the streams `streams`
 * named, must not refuse (it returns nothing for what does not exist; `decide` refuses), and what it
 * names is read like the rest: a stream the decision writes is appended at the revision read. A decider
 * that sets `followRounds` is asked again while it names streams not yet loaded (up to that many times),
 * so it may name streams found in streams it named: it checks `state.has` before reading one.
 */
export interface Decider<Command> {
  readonly streams: (command: Issued<Command>) => StreamsToLoad;
  /**
   * Of the streams `streams` names, those the command expects not to exist yet (the new lot a mining
   * records). The executor's first attempt decides without reading them, as if they were empty, and
   * appends them at `no_stream`; a refusal, or a stream that did exist (the append is refused under the
   * write lock), sends the command down the ordinary path: everything read, decided again. So the outcome
   * is always the ordinary path's; only a new stream's read is saved (ADR 0036).
   */
  readonly creates?: (command: Issued<Command>) => StreamsToLoad;
  readonly follow?: (command: Issued<Command>, state: LedgerState) => StreamsToLoad;
  readonly followRounds?: number;
  readonly decide: (command: Issued<Command>, state: LedgerState) => StreamEvents[];
}

/** How many times `follow` is asked: once, unless the decider says more (`followRounds`). */
export const followRoundsOf = (decider: { readonly followRounds?: number }): number =>
  decider.followRounds ?? 1;

/**
 * Folds one stream's events into the state of its kind. `eventId` is the stored event's id: a batch keeps
 * it, so a correction or a void can name the event it changes (and the events that depend on it).
 */
export function evolveStream<K extends StreamKind>(
  kind: K,
  state: StateOfKind[K],
  event: LedgerEvent,
  eventId?: string,
): StateOfKind[K] {
  const evolve = STREAM_KINDS[kind].evolve as unknown as (
    state: StateOfKind[K],
    event: LedgerEvent,
    eventId?: string,
  ) => StateOfKind[K];
  return evolve(state, event, eventId);
}

export const initialStateOf = <K extends StreamKind>(kind: K): StateOfKind[K] =>
  STREAM_KINDS[kind].initial() as StateOfKind[K];

/** The state a decision sees; asking for a stream its decider did not name is a programming error. */
export function ledgerState(loaded: LoadedStreams): LedgerState {
  const get = <K extends StreamKind>(kind: K, id: string): StateOfKind[K] => {
    const state = loaded[kind]?.get(id);
    if (state === undefined) throw new Error(`The decision did not load ${STREAM_KINDS[kind].streamOf(id)}`);
    return state;
  };
  return {
    batch: (id) => get('batches', id),
    organisation: (id) => get('organisations', id),
    licence: (id) => get('licences', id),
    certificate: (id) => get('certificates', id),
    credentials: (id) => get('credentials', id),
    engagement: (id) => get('engagements', id),
    transformation: (id) => get('transformations', id),
    gln: (id) => get('glns', id),
    has: (kind, id) => loaded[kind]?.has(id) ?? false,
  };
}

/** Events for one stream of a kind, in the shape `decide` returns. */
export const eventsFor = <K extends StreamKind>(
  kind: K,
  id: string,
  events: readonly LedgerEvent[],
): StreamEvents => ({ stream: STREAM_KINDS[kind].streamOf(id), events });

/**
 * Stream states held in memory, decided against and folded the way the executor does against the store:
 * for decider specs (given events → when a command → then events), benches and tools that build a ledger
 * without a server.
 */
export class InMemoryStreams {
  private readonly states = new Map<string, { kind: StreamKind; state: unknown; revision: number }>();

  /**
   * Folds events into a stream, as if they had been appended to it. Each gets the event id
   * `{stream}@{revision}` (`batch-b1@0` for b1's first), so specs can name an event to correct or void.
   */
  given<K extends StreamKind>(kind: K, id: string, ...events: readonly LedgerEvent[]): this {
    const stream = STREAM_KINDS[kind].streamOf(id);
    let state = this.stateOf(kind, id);
    let revision = this.states.get(stream)?.revision ?? 0;
    for (const event of events) state = evolveStream(kind, state, event, `${stream}@${revision++}`);
    this.states.set(stream, { kind, state, revision });
    return this;
  }

  forget(kind: StreamKind, id: string): void {
    this.states.delete(STREAM_KINDS[kind].streamOf(id));
  }

  stateOf<K extends StreamKind>(kind: K, id: string): StateOfKind[K] {
    const held = this.states.get(STREAM_KINDS[kind].streamOf(id));
    return held ? (held.state as StateOfKind[K]) : initialStateOf(kind);
  }

  /** Runs the decision; if it decides, its events are folded in (as an append) and returned. */
  decide<Command>(decider: Decider<Command>, command: Issued<Command>): StreamEvents[] {
    const loaded: Partial<Record<StreamKind, Map<string, unknown>>> = {};
    const kinds = new Map<string, { kind: StreamKind; id: string }>();
    const load = (streams: StreamsToLoad) => {
      for (const [kind, ids] of Object.entries(streams) as [StreamKind, string[]][]) {
        const states = (loaded[kind] ??= new Map());
        for (const id of ids) {
          states.set(id, this.stateOf(kind, id));
          kinds.set(STREAM_KINDS[kind].streamOf(id), { kind, id });
        }
      }
    };
    load(decider.streams(command));
    for (let round = 0; decider.follow && round < followRoundsOf(decider); round++) {
      const before = kinds.size;
      load(decider.follow(command, ledgerState(loaded as LoadedStreams)));
      if (kinds.size === before) break;
    }
    const emitted = decider.decide(command, ledgerState(loaded as LoadedStreams));
    const targets = emitted.map(({ stream, events }) => {
      const target = kinds.get(stream);
      if (!target) throw new Error(`The decision wrote ${stream}, which it did not load`);
      return { ...target, events };
    });
    // Only once every stream written is known: a bad decision changes nothing.
    for (const { kind, id, events } of targets) this.given(kind, id, ...events);
    return emitted;
  }
}
