import type { LedgerEvent } from './ledger-event';
import type { Actor } from './shared/actor';
import { upcastBatchMinedV1, type UpcastableEvent } from './batch/batch-mined.upcast';

/**
 * The envelope's schema version this code writes; `decodeEvent` upcasts older ones to it. A stored event is
 * never changed: a changed shape is a new version with an upcast from the one before (docs/domain.md,
 * "Event versions"). 2: a transformation's declaration is recorded once, in `TransformationRecorded`
 * (ADR 0021), and `BatchMined` records the mine's country (ADR 0025).
 */
export const SCHEMA_VERSION = 2;

/** Everything the ledger records about an event besides its data: who, when, which command. */
export interface EventMetadata {
  readonly schemaVersion: number;
  /** The ledger's clock when the command arrived (ISO 8601, UTC). */
  readonly recordedAt?: string;
  /** When it happened, as the caller said (copied from the event's data, where it has one). */
  readonly occurredAt?: string;
  readonly commandId?: string;
  readonly commandType?: string;
  readonly actor?: Pick<Actor, 'orgId' | 'keyId' | 'roles'>;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /**
   * The command's verified RFC 9421 signed request, when its organisation signs commands: in the envelope of
   * the command's first event only (ADR 0026); the others name that event in `requestSignature`.
   */
  readonly signedRequest?: unknown;
  /**
   * The ledger's record that it verified the command's signed request (which key, which algorithm):
   * committed apart from the request, so an audit bundle that withholds the request still shows the
   * command was signed (ADR 0022). On every event of the command but the first, `requestEventId` names the
   * event whose envelope holds the request (ADR 0026).
   */
  readonly requestSignature?: RequestSignature;
  /** The stream's hash chain (added by sealing on the way into the store). */
  readonly hash?: string;
  readonly prevHash?: string | null;
}

/** The ledger's record of a command's verified signature, in the envelope of each of its events. */
export interface RequestSignature {
  readonly keyId: string;
  readonly alg: string;
  readonly verified: true;
  /** Absent on the event that holds `signedRequest`; on every other event of the command, that event's id. */
  readonly requestEventId?: string;
}

/** What a command contributes to the envelope of each event it appends. */
export type CommandEnvelope = Omit<EventMetadata, 'schemaVersion' | 'occurredAt' | 'hash' | 'prevHash'>;

/**
 * The envelope of each event of one command, asked in append order (ADR 0026): the first event gets the
 * envelope as given, signed request and all; when the command was signed, every later one gets it without
 * the request, its `requestSignature` naming the first event by `requestEventId`. A signed request (the raw
 * body among it) is so stored once per command, not once per event. One per attempt: the first event asked
 * for is the carrier.
 */
export function commandEnvelopes(envelope: CommandEnvelope): (eventId: string) => CommandEnvelope {
  const { signedRequest, requestSignature, ...rest } = envelope;
  if (signedRequest === undefined || requestSignature === undefined) return () => envelope;
  let referring: CommandEnvelope | undefined;
  return (eventId) => {
    if (referring) return referring;
    referring = { ...rest, requestSignature: { ...requestSignature, requestEventId: eventId } };
    return envelope;
  };
}

/** An event as it goes to the store, and as the store gives it back (plus position and revision). */
export interface EncodedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The one way an event is written: its data as is, and the envelope with the schema version. */
export function encodeEvent(event: LedgerEvent, envelope: CommandEnvelope, eventId: string): EncodedEvent {
  const occurredAt = (event.data as { occurredAt?: string }).occurredAt;
  const metadata: EventMetadata = {
    ...definedOnly(envelope),
    ...(occurredAt ? { occurredAt } : {}),
    schemaVersion: SCHEMA_VERSION,
  };
  return { eventId, type: event.type, data: event.data, metadata: { ...metadata } };
}

/** An event of one schema version brought to the next (its data, or its envelope). */
type Upcast = (event: UpcastableEvent) => UpcastableEvent;
/**
 * From each version to the next. 1 → 2 adds `BatchMined.country`. A v1 BatchRefined or BatchProduced still
 * carries its transformation's lists, which no v1 event records anywhere else: they are kept, besides the
 * v2 fields, and the projections read them where a v2 event has its transformation's declaration
 * (SchemaV1BatchRefinedData, SchemaV1BatchProducedData; ADR 0021).
 */
const UPCASTS: Readonly<Record<number, Upcast>> = { 1: upcastBatchMinedV1 };

/** The one way an event is read back: upcast to the current schema, then typed. */
export function decodeEvent(stored: Pick<EncodedEvent, 'type' | 'data' | 'metadata'>): {
  readonly event: LedgerEvent;
  readonly metadata: EventMetadata;
} {
  let current = {
    type: stored.type,
    data: stored.data as Record<string, unknown>,
    metadata: stored.metadata as Record<string, unknown>,
  };
  let version = typeof current.metadata.schemaVersion === 'number' ? current.metadata.schemaVersion : 1;
  while (version < SCHEMA_VERSION) {
    const upcast = UPCASTS[version];
    if (!upcast) throw new Error(`No upcast from schema version ${version} for ${stored.type}`);
    current = upcast(current);
    version += 1;
  }
  return {
    event: { type: current.type, data: current.data } as unknown as LedgerEvent,
    metadata: { ...(current.metadata as Partial<EventMetadata>), schemaVersion: version },
  };
}

const definedOnly = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
