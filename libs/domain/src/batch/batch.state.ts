import type { Material } from '../shared/material';
import type { EventCorrected, EventVoided } from '../correction/correction.events';
import type { BatchEvent, BatchShipped } from './batch.events';
import type { DisclosureScope } from '../disclosure/disclosure.events';

export type CustodyStatus = 'in_custody' | 'in_transit' | 'consumed' | 'exported';

export interface OpenShipment {
  readonly shipmentId: string;
  readonly toOrgId: string;
  readonly toFacilityId: string;
  readonly massGrams: number;
  readonly occurredAt: string;
}

/** One event of the batch's stream as it stands now: its data with corrections applied, or voided. */
export interface RecordedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly voided: boolean;
}

/**
 * The stream's events in order, appended in place while the state is the newest (the fold is linear, and
 * a state is never evolved twice but by a decision's copy): O(1) per event, copied only on a fork.
 */
export interface RecordedEvents {
  readonly items: RecordedEvent[];
  readonly length: number;
}

function appendRecord(records: RecordedEvents, record: RecordedEvent): RecordedEvents {
  const items =
    records.items.length === records.length ? records.items : records.items.slice(0, records.length);
  items.push(record);
  return { items, length: records.length + 1 };
}

/** The records a batch has now (only the first `length` items are its own). */
export const recordsOf = (batch: ExistingBatch): readonly RecordedEvent[] =>
  batch.records.items.slice(0, batch.records.length);

/** A disclosure of a participant's part of the batch to another organisation (docs/visibility.md). */
export interface DisclosureState {
  readonly disclosureId: string;
  readonly byOrgId: string;
  readonly toOrgId: string;
  readonly scope: DisclosureScope;
  readonly until?: string;
  readonly revoked: boolean;
}

/** A hold that was released: from the hold's `occurredAt` to the release's. */
export interface HeldPeriod {
  readonly from: string;
  readonly to: string;
}

export type BatchState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly batchId: string;
      readonly status: CustodyStatus;
      readonly custodian: { readonly orgId: string; readonly facilityId: string };
      readonly massGrams: number;
      readonly remainingGrams: number;
      readonly held: boolean;
      /**
       * Who holds it, while it is held: only they, or a regulator of their country, release it; and when the
       * hold occurred, which its release may not precede.
       */
      readonly hold?: {
        readonly authorityOrgId: string;
        readonly authorityCountry?: string;
        readonly occurredAt: string;
      };
      /**
       * The holds released, each from its `occurredAt` to its release's: nothing moved the lot then, so a
       * step recorded after the release cannot be dated back into one (ADR 0017).
       */
      readonly heldPeriods: readonly HeldPeriod[];
      readonly material: Material;
      /** When the batch came into being (mined or produced): nothing can happen to it earlier. */
      readonly originAt: string;
      /**
       * When its custodian came to hold it: its origin, or the receipt that brought it there. The custodian
       * cannot have moved or processed it before (ADR 0017: a step is not dated back past the event it follows).
       */
      readonly custodySince: string;
      readonly transformationIds: ReadonlySet<string>;
      readonly openShipment?: OpenShipment;
      readonly shipmentIds: ReadonlySet<string>;
      readonly assayIds: ReadonlySet<string>;
      /** Splits made of this lot (as parent), and blends it went into: each id is recorded once. */
      readonly splitIds: ReadonlySet<string>;
      readonly blendIds: ReadonlySet<string>;
      /** Corrections and voids recorded on this lot's events: each id once. */
      readonly correctionIds: ReadonlySet<string>;
      /** Every event of the stream, as corrected: what a correction or void names and checks. */
      readonly records: RecordedEvents;
      /** Every organisation that has held custody of it (mined, produced, received it): its participants. */
      readonly participants: ReadonlySet<string>;
      readonly disclosures: ReadonlyMap<string, DisclosureState>;
    };

export const initialBatchState = (): BatchState => ({ exists: false });

/** A batch as it comes into being, mined or produced: whole, in its maker's custody, not held. */
function newBatch(
  data: Extract<
    BatchEvent,
    { type: 'BatchMined' | 'BatchProduced' | 'BatchSplitOff' | 'BlendProduced' }
  >['data'],
  transformationIds: string[],
): BatchState {
  const { batchId, orgId, facilityId, massGrams, occurredAt, material } = data;
  return {
    exists: true,
    batchId,
    status: 'in_custody',
    custodian: { orgId, facilityId },
    massGrams,
    remainingGrams: massGrams,
    held: false,
    heldPeriods: [],
    material,
    originAt: occurredAt,
    custodySince: occurredAt,
    shipmentIds: new Set(),
    assayIds: new Set(),
    splitIds: new Set(),
    blendIds: new Set(),
    correctionIds: new Set(),
    records: { items: [], length: 0 },
    transformationIds: new Set(transformationIds),
    participants: new Set([orgId]),
    disclosures: new Map(),
  };
}

export function evolveBatch(state: BatchState, event: BatchEvent, eventId = ''): BatchState {
  const next = evolveBatchState(state, event);
  if (!next.exists) return next;
  const record = { eventId, type: event.type, data: event.data as Record<string, unknown>, voided: false };
  return { ...next, records: appendRecord(next.records, record) };
}

function evolveBatchState(state: BatchState, event: BatchEvent): BatchState {
  switch (event.type) {
    case 'BatchMined':
      return newBatch(event.data, []);
    case 'BatchProduced':
      return newBatch(event.data, [event.data.transformationId]);
    case 'BatchSplitOff':
    case 'BlendProduced':
      return newBatch(event.data, []);
    case 'BatchSplit': {
      if (!state.exists) return state;
      const { remainingGrams, splitId } = event.data;
      return {
        ...state,
        remainingGrams,
        status: remainingGrams === 0 ? 'consumed' : state.status,
        splitIds: new Set(state.splitIds).add(splitId),
      };
    }
    case 'BatchBlended': {
      if (!state.exists) return state;
      const { remainingGrams, blendId } = event.data;
      return {
        ...state,
        remainingGrams,
        status: remainingGrams === 0 ? 'consumed' : state.status,
        blendIds: new Set(state.blendIds).add(blendId),
      };
    }
    case 'BatchRefined': {
      if (!state.exists) return state;
      const { remainingGrams, transformationId } = event.data;
      return {
        ...state,
        remainingGrams,
        status: remainingGrams === 0 ? 'consumed' : state.status,
        transformationIds: new Set(state.transformationIds).add(transformationId),
      };
    }
    case 'BatchAssayed':
      return state.exists ? { ...state, assayIds: new Set(state.assayIds).add(event.data.assayId) } : state;
    case 'BatchShipped': {
      if (!state.exists) return state;
      const { shipmentId, toOrgId, toFacilityId, massGrams, occurredAt } = event.data;
      return {
        ...state,
        status: 'in_transit',
        openShipment: { shipmentId, toOrgId, toFacilityId, massGrams, occurredAt },
        shipmentIds: new Set(state.shipmentIds).add(shipmentId),
      };
    }
    case 'BatchReceived': {
      if (!state.exists) return state;
      const { orgId, facilityId, receivedMassGrams, occurredAt } = event.data;
      return {
        ...state,
        status: 'in_custody',
        custodian: { orgId, facilityId },
        custodySince: occurredAt,
        remainingGrams: receivedMassGrams,
        openShipment: undefined,
        participants: new Set(state.participants).add(orgId),
      };
    }
    case 'BatchHeld': {
      if (!state.exists) return state;
      const { authorityOrgId, authorityCountry, occurredAt } = event.data;
      const hold = {
        authorityOrgId,
        ...(authorityCountry !== undefined ? { authorityCountry } : {}),
        occurredAt,
      };
      return { ...state, held: true, hold };
    }
    case 'BatchReleased': {
      if (!state.exists) return state;
      const released = state.hold ? [{ from: state.hold.occurredAt, to: event.data.occurredAt }] : [];
      return { ...state, held: false, hold: undefined, heldPeriods: [...state.heldPeriods, ...released] };
    }
    case 'BatchExported':
      return state.exists ? { ...state, status: 'exported', remainingGrams: 0 } : state;
    case 'EventCorrected':
      return state.exists ? corrected(state, event.data) : state;
    case 'EventVoided':
      return state.exists ? voided(state, event.data) : state;
    case 'DisclosureGranted': {
      if (!state.exists) return state;
      const { batchId: _batchId, ...granted } = event.data;
      const disclosure: DisclosureState = { ...granted, revoked: false };
      return { ...state, disclosures: new Map(state.disclosures).set(disclosure.disclosureId, disclosure) };
    }
    case 'DisclosureRevoked': {
      const disclosure = state.exists ? state.disclosures.get(event.data.disclosureId) : undefined;
      if (!state.exists || !disclosure) return state;
      const revoked = { ...disclosure, revoked: true };
      return { ...state, disclosures: new Map(state.disclosures).set(disclosure.disclosureId, revoked) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export type ExistingBatch = Extract<BatchState, { exists: true }>;

/** The record of `eventId` replaced by `change(record)`, in a copy of the list (a void is rare). */
function withRecord(
  batch: ExistingBatch,
  eventId: string,
  change: (record: RecordedEvent) => RecordedEvent,
): RecordedEvents {
  const items = recordsOf(batch).map((record) => (record.eventId === eventId ? change(record) : record));
  return { items, length: items.length };
}

/**
 * A correction applied: the event it names, and each event that follows from it on this stream, take their
 * corrected fields; what the lot derives from its events (mass, remaining mass, custody, open shipment, when
 * it came into being) is folded again from its events as they now stand. A correction is rare, so the
 * stream's length per correction is its cost.
 */
function corrected(batch: ExistingBatch, data: EventCorrected['data']): ExistingBatch {
  const changes = new Map([
    [data.eventId, data.corrected],
    ...(data.downstream ?? []).map((change) => [change.eventId, change.corrected] as const),
  ]);
  const records = recordsOf(batch).map((record) => {
    const fields = changes.get(record.eventId);
    return fields ? { ...record, data: { ...record.data, ...fields } } : record;
  });
  const next: ExistingBatch = {
    ...batch,
    correctionIds: new Set(batch.correctionIds).add(data.correctionId),
    records: { items: records, length: records.length },
  };
  return { ...next, ...derivedFrom(records) };
}

/** The fields a lot derives from its events, folded from its standing events (not changes, not voided). */
function derivedFrom(records: readonly RecordedEvent[]): Partial<ExistingBatch> {
  let state: BatchState = { exists: false };
  for (const record of records) {
    if (record.voided || record.type === 'EventCorrected' || record.type === 'EventVoided') continue;
    state = evolveBatchState(state, { type: record.type, data: record.data } as BatchEvent);
  }
  if (!state.exists) return {};
  const { status, custodian, massGrams, remainingGrams, held, hold, heldPeriods, material } = state;
  const { originAt, custodySince, openShipment } = state;
  return {
    status,
    custodian,
    massGrams,
    remainingGrams,
    held,
    hold,
    heldPeriods,
    material,
    originAt,
    custodySince,
    openShipment,
  };
}

function voided(batch: ExistingBatch, data: EventVoided['data']): ExistingBatch {
  const records = recordsOf(batch);
  const record = records.find((candidate) => candidate.eventId === data.eventId);
  let next: ExistingBatch = {
    ...batch,
    correctionIds: new Set(batch.correctionIds).add(data.voidId),
    records: withRecord(batch, data.eventId, (found) => ({ ...found, voided: true })),
  };
  if (data.eventType === 'BatchHeld') next = { ...next, held: false, hold: undefined };
  if (data.eventType === 'BatchReceived' && record) {
    // Back in transit, as before the receipt: the shipment it received is open again.
    const shipped = records.find(
      (candidate) =>
        candidate.type === 'BatchShipped' && candidate.data.shipmentId === record.data.shipmentId,
    )?.data as BatchShipped['data'] | undefined;
    if (shipped) {
      const { shipmentId, toOrgId, toFacilityId, massGrams, occurredAt } = shipped;
      next = {
        ...next,
        status: 'in_transit',
        custodian: { orgId: shipped.fromOrgId, facilityId: shipped.fromFacilityId },
        // The sender's custody began where it did before the receipt: fold the events that still stand.
        custodySince: derivedFrom(recordsOf(next)).custodySince ?? batch.custodySince,
        remainingGrams: massGrams,
        openShipment: { shipmentId, toOrgId, toFacilityId, massGrams, occurredAt },
      };
    }
  }
  return next;
}
