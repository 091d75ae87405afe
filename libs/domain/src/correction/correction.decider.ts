import type { Decider } from '../decider';
import { eventsFor } from '../decider';
import { type ExistingBatch, type RecordedEvent, recordsOf } from '../batch/batch.state';
import { type Actor, hasRole } from '../shared/actor';
import { refuse } from '../shared/domain-error';
import { kgToGrams } from '../shared/mass';
import {
  batchMustExist,
  massMustBePositive,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecede,
  organisationMustExist,
} from '../rules';

export type CorrectEvent = {
  type: 'CorrectEvent';
  data: {
    correctionId: string;
    eventId: string;
    /** The batch whose stream holds the event (the API finds it from the event id). */
    batchId: string;
    reason: string;
    /** New values, named as in the command that recorded the event (`massKg`, `occurredAt`, …). */
    changes: Record<string, unknown>;
  };
};

export type VoidEvent = {
  type: 'VoidEvent';
  data: { voidId: string; eventId: string; batchId: string; reason: string };
};

/** How a correctable field is given, and which field of the event's data it sets. */
type FieldKind = 'kg' | 'kgCo2e' | 'instant' | 'grade' | 'nonNegative' | 'text' | 'documents';
interface Correctable {
  readonly field: string;
  readonly kind: FieldKind;
}

/**
 * The fields a correction may change, per event type, named as in the command that recorded the event:
 * masses, times, grades and assay values, documents, emissions, reasons. Never an identity (batch,
 * organisation, facility, shipment) nor a link (inputs, outputs), and no other event type: a wrong
 * transformation, split, blend or export is not a typo (ADR 0024).
 */
export const CORRECTABLE_FIELDS: Readonly<Record<string, Readonly<Record<string, Correctable>>>> = {
  BatchMined: {
    massKg: { field: 'massGrams', kind: 'kg' },
    extractionEmissionsKgCo2e: { field: 'extractionEmissionsKgCo2e', kind: 'kgCo2e' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchAssayed: {
    lab: { field: 'lab', kind: 'text' },
    method: { field: 'method', kind: 'text' },
    grade: { field: 'grade', kind: 'grade' },
    radioactivityBqPerG: { field: 'radioactivityBqPerG', kind: 'nonNegative' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchShipped: {
    documents: { field: 'documents', kind: 'documents' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchReceived: {
    receivedMassKg: { field: 'receivedMassGrams', kind: 'kg' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchHeld: {
    reason: { field: 'reason', kind: 'text' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchReleased: {
    reason: { field: 'reason', kind: 'text' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
};

/** Events that may be voided while nothing depends on them. */
const VOIDABLE = new Set(['BatchAssayed', 'BatchReceived', 'BatchHeld']);

/** What a correction or void is about: never another correction, a void, or a voided event. */
const CHANGES = new Set(['EventCorrected', 'EventVoided']);

/**
 * The organisation that recorded an event corrects or voids it; a hold or release also a regulator of the
 * holding authority's country.
 */
export const correctEvent: Decider<CorrectEvent> = {
  streams: ({ data, metadata }) => ({ batches: [data.batchId], organisations: [metadata.actor.orgId] }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    const { record, index } = recordMustExist(batch, data.eventId, 'corrected');
    if (batch.correctionIds.has(data.correctionId)) {
      throw refuse('CORRECTION_ALREADY_RECORDED', `Correction ${data.correctionId} is already recorded`);
    }
    const fields = CORRECTABLE_FIELDS[record.type];
    if (!fields) {
      throw refuse('EVENT_NOT_CORRECTABLE', `A ${record.type} cannot be corrected`, {
        eventType: record.type,
        correctable: Object.keys(CORRECTABLE_FIELDS),
      });
    }
    actorMustBeTheRecorder(record, actor, state.organisation(actor.orgId));
    const names = Object.keys(data.changes);
    if (names.length === 0)
      throw refuse('CORRECTION_VALUE_INVALID', 'A correction changes at least one field');
    const corrected: Record<string, unknown> = {};
    const previous: Record<string, unknown> = {};
    for (const name of names) {
      const correctable = fields[name];
      if (!correctable) {
        throw refuse('FIELD_NOT_CORRECTABLE', `${name} of a ${record.type} cannot be corrected`, {
          field: name,
          eventType: record.type,
          correctable: Object.keys(fields),
        });
      }
      corrected[correctable.field] = valueOf(name, correctable.kind, data.changes[name]);
      previous[correctable.field] = record.data[correctable.field] ?? null;
    }
    if (record.type === 'BatchReceived' && typeof corrected.receivedMassGrams === 'number') {
      // The shortfall follows the received mass: shipped − received, recorded rather than hidden.
      const shippedGrams =
        (record.data.receivedMassGrams as number) + (record.data.discrepancyGrams as number);
      corrected.discrepancyGrams = shippedGrams - corrected.receivedMassGrams;
      previous.discrepancyGrams = record.data.discrepancyGrams;
    }
    if (typeof corrected.occurredAt === 'string') {
      occurredAtMustBeWithinRecordingWindow(corrected.occurredAt, metadata);
      timeMustKeepItsPlace(batch, index, record, corrected.occurredAt);
    }
    massMustKeepWhatDependsOnIt(batch, index, record, corrected, previous);
    return [
      eventsFor('batches', data.batchId, [
        {
          type: 'EventCorrected',
          data: {
            batchId: data.batchId,
            correctionId: data.correctionId,
            eventId: data.eventId,
            eventType: record.type,
            byOrgId: actor.orgId,
            reason: data.reason,
            changes: data.changes,
            corrected,
            previous,
          },
        },
      ]),
    ];
  },
};

/** An assay, a receipt or a hold recorded in error, which nothing depends on yet, is voided. */
export const voidEvent: Decider<VoidEvent> = {
  streams: ({ data, metadata }) => ({ batches: [data.batchId], organisations: [metadata.actor.orgId] }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    const { record, index } = recordMustExist(batch, data.eventId, 'voided');
    if (batch.correctionIds.has(data.voidId)) {
      throw refuse('VOID_ALREADY_RECORDED', `Void ${data.voidId} is already recorded`);
    }
    if (!VOIDABLE.has(record.type)) {
      throw refuse('EVENT_NOT_VOIDABLE', `A ${record.type} cannot be voided`, {
        eventType: record.type,
        voidable: [...VOIDABLE],
      });
    }
    actorMustBeTheRecorder(record, actor, state.organisation(actor.orgId));
    const later = recordsOf(batch)
      .slice(index + 1)
      .filter((event) => !event.voided && !CHANGES.has(event.type));
    // An assay is a measurement nothing builds on; a hold, only its release; a receipt, all that followed.
    const dependents =
      record.type === 'BatchAssayed'
        ? []
        : record.type === 'BatchHeld'
          ? later.filter((event) => event.type === 'BatchReleased')
          : later;
    if (dependents.length > 0) {
      throw refuse(
        'EVENT_HAS_DEPENDENTS',
        `${record.type} ${record.eventId} cannot be voided: ${dependents.length} later event(s) depend on it`,
        { dependentEvents: dependents.map(summary) },
      );
    }
    return [
      eventsFor('batches', data.batchId, [
        {
          type: 'EventVoided',
          data: {
            batchId: data.batchId,
            voidId: data.voidId,
            eventId: data.eventId,
            eventType: record.type,
            byOrgId: actor.orgId,
            reason: data.reason,
          },
        },
      ]),
    ];
  },
};

function recordMustExist(
  batch: ExistingBatch,
  eventId: string,
  toDo: 'corrected' | 'voided',
): { record: RecordedEvent; index: number } {
  const records = recordsOf(batch);
  const index = records.findIndex((record) => record.eventId === eventId);
  const record = records[index];
  if (!record) {
    throw refuse('BATCH_EVENT_NOT_FOUND', `Batch ${batch.batchId} has no event ${eventId}`);
  }
  if (CHANGES.has(record.type)) {
    const message = `A ${record.type} cannot be ${toDo}: correct or void the event it changed`;
    const details = { eventType: record.type };
    if (toDo === 'corrected') throw refuse('EVENT_NOT_CORRECTABLE', message, details);
    throw refuse('EVENT_NOT_VOIDABLE', message, details);
  }
  if (record.voided) throw refuse('EVENT_VOIDED', `Event ${eventId} was voided: it cannot change again`);
  return { record, index };
}

/** Who recorded an event, by its data: the miner, the consignee, the assayer, the sender, the authority. */
function recorderOf(record: RecordedEvent): string | undefined {
  const { data } = record;
  const field =
    record.type === 'BatchAssayed'
      ? data.byOrgId
      : record.type === 'BatchShipped'
        ? data.fromOrgId
        : record.type === 'BatchHeld' || record.type === 'BatchReleased'
          ? data.authorityOrgId
          : data.orgId;
  return typeof field === 'string' ? field : undefined;
}

function actorMustBeTheRecorder(
  record: RecordedEvent,
  actor: Actor,
  organisation: Parameters<typeof organisationMustExist>[0],
): void {
  const recorder = recorderOf(record);
  if (recorder === actor.orgId) return;
  const country = record.data.authorityCountry;
  if (
    (record.type === 'BatchHeld' || record.type === 'BatchReleased') &&
    hasRole(actor, 'regulator') &&
    organisation.exists &&
    typeof country === 'string' &&
    organisation.country === country
  ) {
    return;
  }
  throw refuse(
    'NOT_RECORDER',
    `Only ${recorder ?? 'the organisation that recorded it'} may correct or void this ${record.type}`,
    { recordedBy: recorder ?? null },
  );
}

const summary = (record: RecordedEvent) => ({ eventId: record.eventId, type: record.type });

/** The events recorded after `index` that still stand (neither corrections, voids nor voided). */
const standingAfter = (batch: ExistingBatch, index: number) =>
  recordsOf(batch)
    .slice(index + 1)
    .filter((event) => !event.voided && !CHANGES.has(event.type));

/**
 * A corrected time keeps the event where it was in the lot's history: not before the event it followed
 * (the lot's coming into being, the shipment a receipt received) and not after any later event of the lot.
 */
function timeMustKeepItsPlace(
  batch: ExistingBatch,
  index: number,
  record: RecordedEvent,
  occurredAt: string,
): void {
  if (record.type !== 'BatchMined' && record.type !== 'BatchProduced') {
    occurredAtMustNotPrecede(occurredAt, batch.originAt, 'the batch came into being');
  }
  if (record.type === 'BatchReceived') {
    const shipped = recordsOf(batch).find(
      (event) => event.type === 'BatchShipped' && event.data.shipmentId === record.data.shipmentId,
    );
    if (typeof shipped?.data.occurredAt === 'string') {
      occurredAtMustNotPrecede(occurredAt, shipped.data.occurredAt, 'the shipment left');
    }
  }
  const before = standingAfter(batch, index).filter(
    (event) =>
      typeof event.data.occurredAt === 'string' && Date.parse(event.data.occurredAt) < Date.parse(occurredAt),
  );
  if (before.length > 0) {
    throw refuse(
      'CORRECTION_BREAKS_DEPENDENTS',
      `occurredAt ${occurredAt} is after ${before.length} later event(s) of batch ${batch.batchId}`,
      { dependentEvents: before.map(summary) },
    );
  }
}

/** Events that took mass out of the lot (into other lots), and those that moved the whole lot on. */
const DRAWS = new Set(['BatchRefined', 'BatchSplit', 'BatchBlended']);
const MOVES_WHOLE = new Set(['BatchShipped', 'BatchExported']);

/**
 * A corrected mass (mined, received) must still cover what was taken out of the lot since (split off,
 * refined, blended), and the lot must not have moved on whole since: a shipment or export carried the mass
 * as it then stood, and a licence was drawn down by it. A receipt stays at most what was shipped.
 */
function massMustKeepWhatDependsOnIt(
  batch: ExistingBatch,
  index: number,
  record: RecordedEvent,
  corrected: Record<string, unknown>,
  previous: Record<string, unknown>,
): void {
  const field = record.type === 'BatchMined' ? 'massGrams' : 'receivedMassGrams';
  const grams = corrected[field];
  if (typeof grams !== 'number') return;
  const later = standingAfter(batch, index);
  const moved = later.filter((event) => MOVES_WHOLE.has(event.type));
  if (moved.length > 0) {
    throw refuse(
      'CORRECTION_BREAKS_DEPENDENTS',
      `Batch ${batch.batchId} moved on whole after this event: its mass can no longer be corrected`,
      { dependentEvents: moved.map(summary) },
    );
  }
  if (record.type === 'BatchReceived') {
    const shipped = recordsOf(batch).find(
      (event) => event.type === 'BatchShipped' && event.data.shipmentId === record.data.shipmentId,
    );
    const shippedGrams = shipped?.data.massGrams;
    if (typeof shippedGrams === 'number' && grams > shippedGrams) {
      throw refuse('RECEIVED_MASS_EXCEEDS_SHIPPED', 'More mass cannot arrive than was shipped', {
        shippedGrams,
        receivedGrams: grams,
        shipmentEventId: shipped?.eventId,
      });
    }
  }
  const remaining = batch.remainingGrams + grams - (previous[field] as number);
  if (remaining < 0) {
    throw refuse(
      'CORRECTION_BREAKS_DEPENDENTS',
      `Batch ${batch.batchId} has already given ${batch.massGrams - batch.remainingGrams} g to other lots; ${grams} g cannot cover it`,
      {
        correctedGrams: grams,
        drawnGrams: (previous[field] as number) - batch.remainingGrams,
        dependentEvents: later.filter((event) => DRAWS.has(event.type)).map(summary),
      },
    );
  }
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A change's value, checked for its kind and converted to the event's unit (kilograms to grams). */
function valueOf(name: string, kind: FieldKind, value: unknown): unknown {
  const invalid = (what: string) =>
    refuse('CORRECTION_VALUE_INVALID', `${name} must be ${what}`, { field: name });
  switch (kind) {
    case 'kg': {
      if (typeof value !== 'number') throw invalid('a number of kilograms');
      const grams = kgToGrams(value);
      massMustBePositive(grams);
      return grams;
    }
    case 'kgCo2e':
    case 'nonNegative':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e12)
        throw invalid('a number from 0 to 10^12');
      return value;
    case 'instant':
      if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value)))
        throw invalid('an ISO 8601 instant with an offset');
      return value;
    case 'text':
      if (typeof value !== 'string' || value.length < 1 || value.length > 500)
        throw invalid('text of 1 to 500 characters');
      return value;
    case 'grade': {
      const entries =
        value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
      if (
        entries.length < 1 ||
        entries.length > 64 ||
        !entries.every(([, percent]) => typeof percent === 'number' && percent >= 0 && percent <= 100)
      )
        throw invalid('a map of 1 to 64 analytes to percentages');
      return Object.fromEntries(entries);
    }
    case 'documents': {
      const valid =
        Array.isArray(value) &&
        value.length <= 20 &&
        value.every(
          (document: unknown) =>
            !!document &&
            typeof document === 'object' &&
            typeof (document as { type?: unknown }).type === 'string' &&
            typeof (document as { number?: unknown }).number === 'string' &&
            ((document as { sha256?: unknown }).sha256 === undefined ||
              /^[0-9a-f]{64}$/.test(String((document as { sha256?: unknown }).sha256))),
        );
      if (!valid) throw invalid('at most 20 documents {type, number, sha256?}');
      return (value as { type: string; number: string; sha256?: string }[]).map(
        ({ type, number, sha256 }) => ({
          type,
          number,
          ...(sha256 !== undefined ? { sha256 } : {}),
        }),
      );
    }
  }
}
