import type { Decider, LedgerState, StreamEvents } from '../decider';
import { eventsFor } from '../decider';
import type { ExistingLicence } from '../licence/licence.state';
import { licenceStatusAt } from '../licence/licence.state';
import type { TransformationState } from '../transformation/transformation.state';
import type { CorrectedRecord } from './correction.events';
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
    /**
     * The stream that holds the event, as the API finds it from the event id: a batch's (`batchId`), or a
     * transformation's (`transformationId`, for its `TransformationRecorded`). Exactly one is set.
     */
    batchId?: string;
    transformationId?: string;
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
type FieldKind =
  | 'kg'
  | 'kgCo2e'
  | 'instant'
  | 'grade'
  | 'nonNegative'
  | 'text'
  | 'documents'
  | 'consumedList'
  | 'outputList';
interface Correctable {
  readonly field: string;
  readonly kind: FieldKind;
}

/**
 * The fields a correction may change, per event type, named as in the command that recorded the event:
 * masses, times, grades and assay values, documents, emissions, customs references, reasons. Never an
 * identity (batch, organisation, facility, shipment, licence) nor a link (which lots are inputs or
 * outputs): a list (`inputs`, `outputs`) names existing members by `batchId` and changes only their masses.
 * A transformation, a split and a blend are corrected at the event that declares them whole
 * (`TransformationRecorded`, `BatchSplit`, `BlendProduced`), and each of their lots' events follows
 * (ADR 0024). An export's mass is the lot's remaining mass: it follows a correction of that mass.
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
  TransformationRecorded: {
    inputs: { field: 'inputs', kind: 'consumedList' },
    outputs: { field: 'outputs', kind: 'outputList' },
    processEmissionsKgCo2e: { field: 'processEmissionsKgCo2e', kind: 'kgCo2e' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchSplit: {
    outputs: { field: 'outputs', kind: 'outputList' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BlendProduced: {
    inputs: { field: 'inputs', kind: 'consumedList' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
  BatchExported: {
    customsDeclarationNo: { field: 'customsDeclarationNo', kind: 'text' },
    port: { field: 'port', kind: 'text' },
    occurredAt: { field: 'occurredAt', kind: 'instant' },
  },
};

/** A lot's share of a fact declared elsewhere: correct the event that declares the fact whole. */
const PART_OF = {
  BatchRefined: 'TransformationRecorded',
  BatchProduced: 'TransformationRecorded',
  BatchSplitOff: 'BatchSplit',
  BatchBlended: 'BlendProduced',
} as const;

/** Events that may be voided while nothing depends on them. */
const VOIDABLE = new Set(['BatchAssayed', 'BatchReceived', 'BatchHeld']);

/** What a correction or void is about: never another correction, a void, or a voided event. */
const CHANGES = new Set(['EventCorrected', 'EventVoided']);

/**
 * The organisation that recorded an event corrects it; a hold or release also a regulator of the holding
 * authority's country. A correction of one fact is appended, in one atomic write, to every stream whose
 * event carried a changed value (the lots of a transformation, split or blend; the licence an export drew
 * on), each stream at the revision read: nothing it relies on can change unseen.
 */
export const correctEvent: Decider<CorrectEvent> = {
  streams: ({ data, metadata }) => ({
    batches: data.batchId !== undefined ? [data.batchId] : [],
    transformations: data.transformationId !== undefined ? [data.transformationId] : [],
    organisations: [metadata.actor.orgId],
  }),
  // The lots of the fact the event belongs to, then the licences their exports drew on (a second round).
  followRounds: 3,
  follow: ({ data }, state) => {
    const record = namedRecord(data, state);
    const batches = new Set<string>();
    const transformations = new Set<string>();
    if (record) {
      const { data: fields } = record;
      const ids = (list: unknown) => (list as { batchId: string }[]).map((item) => item.batchId);
      if (record.type === 'TransformationRecorded')
        [...ids(fields.inputs), ...ids(fields.outputs)].forEach((id) => batches.add(id));
      if (record.type === 'BatchSplit') ids(fields.outputs).forEach((id) => batches.add(id));
      if (record.type === 'BlendProduced') ids(fields.inputs).forEach((id) => batches.add(id));
      if (record.type === 'BatchRefined' || record.type === 'BatchProduced')
        transformations.add(String(fields.transformationId));
      if (record.type === 'BatchSplitOff') batches.add(String(fields.fromBatchId));
      if (record.type === 'BatchBlended') batches.add(String(fields.outputBatchId));
    }
    const licences = new Set<string>();
    for (const id of [...(data.batchId !== undefined ? [data.batchId] : []), ...batches]) {
      const batch = state.has('batches', id) ? state.batch(id) : undefined;
      if (!batch?.exists) continue;
      for (const event of recordsOf(batch)) {
        if (event.type === 'BatchExported' && !event.voided) licences.add(String(event.data.licenceId));
      }
    }
    return { batches: [...batches], transformations: [...transformations], licences: [...licences] };
  },
  decide: (command, state) => {
    const { data, metadata } = command;
    const { actor } = metadata;
    const target = targetMustExist(data, state);
    const { record } = target;
    if (target.correctionIds.has(data.correctionId)) {
      throw refuse('CORRECTION_ALREADY_RECORDED', `Correction ${data.correctionId} is already recorded`);
    }
    const whole = PART_OF[record.type as keyof typeof PART_OF];
    if (whole) {
      throw refuse(
        'EVENT_NOT_CORRECTABLE',
        `A ${record.type} is one lot's part of a ${whole}: correct the ${whole}, and every lot's event follows`,
        { eventType: record.type, correct: whole, correctEventId: wholeEventId(record, state) ?? null },
      );
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
    const lists: { inputs?: Map<string, number>; outputs?: Map<string, number> } = {};
    for (const name of names) {
      const correctable = fields[name];
      if (!correctable) {
        throw refuse('FIELD_NOT_CORRECTABLE', `${name} of a ${record.type} cannot be corrected`, {
          field: name,
          eventType: record.type,
          correctable: Object.keys(fields),
        });
      }
      if (correctable.kind === 'consumedList' || correctable.kind === 'outputList') {
        lists[name as 'inputs' | 'outputs'] = massesOf(name, correctable.kind, data.changes[name], record);
        continue;
      }
      corrected[correctable.field] = valueOf(name, correctable.kind, data.changes[name]);
      previous[correctable.field] = record.data[correctable.field] ?? null;
    }
    if (typeof corrected.occurredAt === 'string') {
      occurredAtMustBeWithinRecordingWindow(corrected.occurredAt, metadata);
    }
    const plan = new Correction(data, actor.orgId);
    if (record.type === 'TransformationRecorded') {
      correctTransformation(plan, target, state, corrected, previous, lists);
    } else if (!target.batch) {
      throw new Error(`${record.type} ${record.eventId} is not a batch's event`);
    } else if (record.type === 'BatchSplit') {
      correctSplit(plan, target.batch, target.index, record, state, corrected, lists.outputs);
    } else if (record.type === 'BlendProduced') {
      correctBlend(plan, target.batch, target.index, record, state, corrected, lists.inputs);
    } else {
      correctLotEvent(plan, target.batch, target.index, record, corrected, previous);
    }
    return plan.events(state);
  },
};

/** The event a correction names, with the state of the stream that holds it. */
interface Target {
  readonly record: RecordedEvent;
  readonly index: number;
  readonly correctionIds: ReadonlySet<string>;
  readonly batch?: ExistingBatch;
  readonly transformation?: Extract<TransformationState, { exists: true }>;
}

/** The named event as its stream now holds it, or nothing yet (for `follow`, which must not refuse). */
function namedRecord(data: CorrectEvent['data'], state: LedgerState): RecordedEvent | undefined {
  if (data.transformationId !== undefined) {
    const transformation = state.transformation(data.transformationId);
    return transformation.exists && transformation.eventId === data.eventId
      ? declarationRecord(transformation)
      : undefined;
  }
  const batch = data.batchId !== undefined ? state.batch(data.batchId) : undefined;
  return batch?.exists ? recordsOf(batch).find((record) => record.eventId === data.eventId) : undefined;
}

const declarationRecord = (
  transformation: Extract<TransformationState, { exists: true }>,
): RecordedEvent => ({
  eventId: transformation.eventId,
  type: 'TransformationRecorded',
  data: transformation.data,
  voided: false,
});

function targetMustExist(data: CorrectEvent['data'], state: LedgerState): Target {
  if (data.transformationId !== undefined) {
    const transformation = state.transformation(data.transformationId);
    if (!transformation.exists || transformation.eventId !== data.eventId) {
      throw refuse(
        'BATCH_EVENT_NOT_FOUND',
        `Transformation ${data.transformationId} has no event ${data.eventId}`,
      );
    }
    const { correctionIds } = transformation;
    return { record: declarationRecord(transformation), index: 0, correctionIds, transformation };
  }
  const batchId = data.batchId ?? '';
  const batch = batchMustExist(state.batch(batchId), batchId);
  const { record, index } = recordMustExist(batch, data.eventId, 'corrected');
  return { record, index, correctionIds: batch.correctionIds, batch };
}

/** The id of the event that declares whole the fact a lot's event is part of (when it was loaded). */
function wholeEventId(record: RecordedEvent, state: LedgerState): string | undefined {
  const { data } = record;
  if (record.type === 'BatchRefined' || record.type === 'BatchProduced') {
    const id = String(data.transformationId);
    const transformation = state.has('transformations', id) ? state.transformation(id) : undefined;
    return transformation?.exists ? transformation.eventId : undefined;
  }
  const [batchId, type, key, value] =
    record.type === 'BatchSplitOff'
      ? [String(data.fromBatchId), 'BatchSplit', 'splitId', data.splitId]
      : [String(data.outputBatchId), 'BlendProduced', 'blendId', data.blendId];
  const batch = state.has('batches', batchId) ? state.batch(batchId) : undefined;
  if (!batch?.exists) return undefined;
  return recordsOf(batch).find((event) => event.type === type && event.data[key] === value)?.eventId;
}

/** An export whose licence drawdown follows the correction: its carried mass, or its time. */
interface ExportChange {
  readonly licenceId: string;
  readonly exportId: string;
  readonly exportEvent: RecordedEvent;
  readonly deltaGrams: number;
  readonly occurredAt?: string;
}

/** What a correction changes, stream by stream, and how it is written. */
class Correction {
  private transformation?: { id: string; named: CorrectedRecord };
  private readonly batches = new Map<string, { named: CorrectedRecord; downstream: CorrectedRecord[] }>();
  private readonly exports: ExportChange[] = [];

  constructor(
    private readonly command: CorrectEvent['data'],
    private readonly byOrgId: string,
  ) {}

  declaration(id: string, named: CorrectedRecord): void {
    this.transformation = { id, named };
  }

  lot(batchId: string, named: CorrectedRecord, followed: Cascade): void {
    this.batches.set(batchId, { named, downstream: followed.downstream });
    this.exports.push(...followed.exports);
  }

  export(change: ExportChange): void {
    this.exports.push(change);
  }

  events(state: LedgerState): StreamEvents[] {
    const { correctionId, reason, changes } = this.command;
    const common = { correctionId, byOrgId: this.byOrgId, reason, changes };
    const written: StreamEvents[] = [];
    // The declaration first: whoever folds the log in order knows it before its lots' corrections.
    if (this.transformation) {
      const { id, named } = this.transformation;
      written.push(
        eventsFor('transformations', id, [
          { type: 'EventCorrected', data: { transformationId: id, ...common, ...recordFields(named) } },
        ]),
      );
    }
    for (const [batchId, { named, downstream }] of this.batches) {
      const batch = state.batch(batchId);
      if (batch.exists && batch.correctionIds.has(correctionId)) {
        throw refuse('CORRECTION_ALREADY_RECORDED', `Correction ${correctionId} is already recorded`);
      }
      const data = {
        batchId,
        ...common,
        ...recordFields(named),
        ...(downstream.length > 0 ? { downstream } : {}),
      };
      written.push(eventsFor('batches', batchId, [{ type: 'EventCorrected', data }]));
    }
    written.push(...this.licenceEvents(state, common));
    return written;
  }

  /** Each drawdown that follows, on its licence: within the licence's cap, at a time it was in force. */
  private licenceEvents(
    state: LedgerState,
    common: { correctionId: string; byOrgId: string; reason: string; changes: Record<string, unknown> },
  ): StreamEvents[] {
    const byLicence = new Map<string, ExportChange[]>();
    for (const change of this.exports) {
      byLicence.set(change.licenceId, [...(byLicence.get(change.licenceId) ?? []), change]);
    }
    return [...byLicence].map(([licenceId, changes]) => {
      const licence = state.licence(licenceId);
      if (!licence.exists) throw new Error(`Licence ${licenceId} of an export does not exist`);
      const delta = changes.reduce((total, change) => total + change.deltaGrams, 0);
      if (delta > 0 && licence.drawnGrams + delta > licence.quantityGrams) {
        throw refuse(
          'CORRECTION_BREAKS_DEPENDENTS',
          `Licence ${licenceId} has ${licence.quantityGrams - licence.drawnGrams} g left; the export(s) it paid for would now carry ${delta} g more`,
          {
            dependentEvents: changes.map((change) => summary(change.exportEvent)),
            licenceId,
            refusedBy: 'LICENCE_EXHAUSTED',
            quantityGrams: licence.quantityGrams,
            drawnGrams: licence.drawnGrams,
            correctedDrawnGrams: licence.drawnGrams + delta,
          },
        );
      }
      const events = changes.map((change) => {
        const drawdown = licence.drawdowns.get(change.exportId);
        if (!drawdown) throw new Error(`Licence ${licenceId} has no drawdown for export ${change.exportId}`);
        if (change.occurredAt !== undefined) licenceMustHaveBeenInForce(licence, change);
        const corrected: Record<string, unknown> = {};
        const previous: Record<string, unknown> = {};
        if (change.deltaGrams !== 0) {
          corrected.massGrams = drawdown.massGrams + change.deltaGrams;
          previous.massGrams = drawdown.massGrams;
        }
        if (change.occurredAt !== undefined) {
          corrected.occurredAt = change.occurredAt;
          previous.occurredAt = change.exportEvent.data.occurredAt;
        }
        const data = {
          licenceId,
          ...common,
          eventId: drawdown.eventId,
          eventType: 'LicenceDrawnDown',
          corrected,
          previous,
          exportId: change.exportId,
        };
        return { type: 'EventCorrected' as const, data };
      });
      return eventsFor('licences', licenceId, events);
    });
  }
}

const recordFields = ({ eventId, eventType, corrected, previous, exportId }: CorrectedRecord) => ({
  eventId,
  eventType,
  corrected,
  previous,
  ...(exportId !== undefined ? { exportId } : {}),
});

/** A corrected export time: the licence was in force then (valid, neither suspended nor revoked). */
function licenceMustHaveBeenInForce(licence: ExistingLicence, change: ExportChange): void {
  const at = change.occurredAt ?? '';
  const moment = Date.parse(at);
  const status = licenceStatusAt(licence, at);
  const valid = moment >= Date.parse(licence.validFrom) && moment <= Date.parse(licence.validUntil);
  if (status !== 'active' || !valid) {
    throw refuse(
      'CORRECTION_BREAKS_DEPENDENTS',
      `Licence ${licence.licenceId} was not in force at ${at}: the export it paid for cannot have occurred then`,
      {
        dependentEvents: [
          { eventId: licence.drawdowns.get(change.exportId)?.eventId ?? null, type: 'LicenceDrawnDown' },
        ],
        licenceId: licence.licenceId,
        refusedBy:
          status === 'revoked'
            ? 'LICENCE_REVOKED'
            : status === 'suspended'
              ? 'LICENCE_SUSPENDED'
              : 'LICENCE_NOT_IN_FORCE',
      },
    );
  }
}

const change = (record: RecordedEvent, corrected: Record<string, unknown>): CorrectedRecord => ({
  eventId: record.eventId,
  eventType: record.type,
  corrected,
  previous: Object.fromEntries(Object.keys(corrected).map((field) => [field, record.data[field] ?? null])),
  ...(record.type === 'BatchExported' ? { exportId: String(record.data.exportId) } : {}),
});

/** A mined, received or other lot event corrected on its own stream, and what follows on it. */
function correctLotEvent(
  plan: Correction,
  batch: ExistingBatch,
  index: number,
  record: RecordedEvent,
  corrected: Record<string, unknown>,
  previous: Record<string, unknown>,
): void {
  if (record.type === 'BatchReceived' && typeof corrected.receivedMassGrams === 'number') {
    const shipped = recordsOf(batch).find(
      (event) => event.type === 'BatchShipped' && event.data.shipmentId === record.data.shipmentId,
    );
    const shippedGrams = shipped?.data.massGrams;
    if (typeof shippedGrams === 'number' && corrected.receivedMassGrams > shippedGrams) {
      throw refuse('RECEIVED_MASS_EXCEEDS_SHIPPED', 'More mass cannot arrive than was shipped', {
        shippedGrams,
        receivedGrams: corrected.receivedMassGrams,
        shipmentEventId: shipped?.eventId,
      });
    }
    // The shortfall follows the received mass: shipped − received, recorded rather than hidden.
    const shippedTotal = (record.data.receivedMassGrams as number) + (record.data.discrepancyGrams as number);
    corrected.discrepancyGrams = shippedTotal - corrected.receivedMassGrams;
    previous.discrepancyGrams = record.data.discrepancyGrams;
  }
  if (typeof corrected.occurredAt === 'string')
    timeMustKeepItsPlace(batch, index, record, corrected.occurredAt);
  const field = record.type === 'BatchMined' ? 'massGrams' : 'receivedMassGrams';
  const delta = typeof corrected[field] === 'number' ? corrected[field] - (previous[field] as number) : 0;
  const named: CorrectedRecord = {
    eventId: record.eventId,
    eventType: record.type,
    corrected,
    previous,
    ...(record.type === 'BatchExported' ? { exportId: String(record.data.exportId) } : {}),
  };
  plan.lot(batch.batchId, named, cascade(batch, index, delta));
  if (record.type === 'BatchExported' && typeof corrected.occurredAt === 'string') {
    plan.export({
      licenceId: String(record.data.licenceId),
      exportId: String(record.data.exportId),
      exportEvent: record,
      deltaGrams: 0,
      occurredAt: corrected.occurredAt,
    });
  }
}

/** A transformation's declaration corrected, with every input's and output's event. */
function correctTransformation(
  plan: Correction,
  target: Target,
  state: LedgerState,
  corrected: Record<string, unknown>,
  previous: Record<string, unknown>,
  lists: { inputs?: Map<string, number>; outputs?: Map<string, number> },
): void {
  const declared = target.transformation!.data;
  const occurredAt = typeof corrected.occurredAt === 'string' ? corrected.occurredAt : undefined;
  const inputs = declared.inputs.map((input) => ({
    batchId: input.batchId,
    consumedGrams: lists.inputs?.get(input.batchId) ?? input.consumedGrams,
  }));
  const producedTotal = sum(declared.outputs.map((o) => lists.outputs?.get(o.batchId) ?? o.massGrams));
  const outputs = declared.outputs.map((output) => {
    const massGrams = lists.outputs?.get(output.batchId) ?? output.massGrams;
    const allocation =
      output.allocation.method === 'mass'
        ? { method: 'mass' as const, share: massGrams / producedTotal }
        : output.allocation;
    return { ...output, massGrams, allocation };
  });
  const consumedTotal = sum(inputs.map((input) => input.consumedGrams));
  const residueTotal = sum(declared.residues.map((residue) => residue.massGrams));
  if (producedTotal + residueTotal > consumedTotal) {
    throw refuse(
      'OUTPUT_MASS_EXCEEDS_CONSUMED',
      'Outputs and residues cannot weigh more than the inputs consumed',
      {
        consumedGrams: consumedTotal,
        producedGrams: producedTotal,
        residueGrams: residueTotal,
      },
    );
  }
  if (lists.inputs) {
    corrected.inputs = inputs;
    previous.inputs = declared.inputs;
  }
  if (lists.outputs) {
    corrected.outputs = outputs;
    previous.outputs = declared.outputs;
  }
  if (lists.inputs || lists.outputs) {
    corrected.unaccountedLossGrams = consumedTotal - producedTotal - residueTotal;
    previous.unaccountedLossGrams = declared.unaccountedLossGrams;
  }
  plan.declaration(declared.transformationId, {
    eventId: target.record.eventId,
    eventType: 'TransformationRecorded',
    corrected,
    previous,
  });
  for (const input of inputs) {
    const batch = batchMustExist(state.batch(input.batchId), input.batchId);
    const index = recordsOf(batch).findIndex(
      (event) => event.type === 'BatchRefined' && event.data.transformationId === declared.transformationId,
    );
    const record = recordsOf(batch)[index]!;
    const delta = input.consumedGrams - (record.data.consumedGrams as number);
    const fields: Record<string, unknown> = {};
    if (delta !== 0) {
      fields.consumedGrams = input.consumedGrams;
      fields.remainingGrams = inputMustStillHave(record, input.batchId, delta);
    }
    if (occurredAt !== undefined) {
      occurredAtMustNotPrecede(occurredAt, batch.originAt, `input ${input.batchId} came into being`);
      timeMustKeepItsPlace(batch, index, record, occurredAt);
      fields.occurredAt = occurredAt;
    }
    if (Object.keys(fields).length > 0)
      plan.lot(input.batchId, change(record, fields), cascade(batch, index, -delta));
  }
  // Every output's event shows the declaration's figures: each output's history shows the correction.
  for (const output of outputs) {
    const batch = batchMustExist(state.batch(output.batchId), output.batchId);
    const index = recordsOf(batch).findIndex((event) => event.type === 'BatchProduced');
    const record = recordsOf(batch)[index]!;
    const delta = output.massGrams - (record.data.massGrams as number);
    const fields: Record<string, unknown> = {};
    if (delta !== 0) fields.massGrams = output.massGrams;
    const share = (record.data.allocation as { share: number } | undefined)?.share;
    if (share !== output.allocation.share) fields.allocation = output.allocation;
    if (occurredAt !== undefined) {
      timeMustKeepItsPlace(batch, index, record, occurredAt);
      fields.occurredAt = occurredAt;
    }
    plan.lot(output.batchId, change(record, fields), cascade(batch, index, delta));
  }
}

/** A split's outputs' masses or time corrected: the parent keeps the rest, each child follows. */
function correctSplit(
  plan: Correction,
  parent: ExistingBatch,
  index: number,
  record: RecordedEvent,
  state: LedgerState,
  corrected: Record<string, unknown>,
  masses: Map<string, number> | undefined,
): void {
  const declared = record.data.outputs as { batchId: string; massGrams: number }[];
  const outputs = declared.map((output) => ({
    batchId: output.batchId,
    massGrams: masses?.get(output.batchId) ?? output.massGrams,
  }));
  const delta = sum(outputs.map((o) => o.massGrams)) - sum(declared.map((o) => o.massGrams));
  const occurredAt = typeof corrected.occurredAt === 'string' ? corrected.occurredAt : undefined;
  const fields: Record<string, unknown> = { ...corrected };
  if (masses) {
    const remainingGrams = (record.data.remainingGrams as number) - delta;
    if (remainingGrams < 0) {
      throw refuse(
        'SPLIT_EXCEEDS_REMAINING',
        `Batch ${parent.batchId} had ${remainingGrams + sum(outputs.map((o) => o.massGrams))} g before the split; ${sum(outputs.map((o) => o.massGrams))} g cannot be split off`,
        {
          batchId: parent.batchId,
          remainingGrams: remainingGrams + sum(outputs.map((o) => o.massGrams)),
          splitGrams: sum(outputs.map((o) => o.massGrams)),
        },
      );
    }
    fields.outputs = outputs;
    fields.remainingGrams = remainingGrams;
  }
  if (occurredAt !== undefined) timeMustKeepItsPlace(parent, index, record, occurredAt);
  plan.lot(parent.batchId, change(record, fields), cascade(parent, index, -delta));
  for (const output of outputs) {
    const child = batchMustExist(state.batch(output.batchId), output.batchId);
    const at = recordsOf(child).findIndex((event) => event.type === 'BatchSplitOff');
    const origin = recordsOf(child)[at]!;
    const childDelta = output.massGrams - (origin.data.massGrams as number);
    const childFields: Record<string, unknown> = {};
    if (childDelta !== 0) childFields.massGrams = output.massGrams;
    if (occurredAt !== undefined) {
      timeMustKeepItsPlace(child, at, origin, occurredAt);
      childFields.occurredAt = occurredAt;
    }
    if (Object.keys(childFields).length > 0)
      plan.lot(output.batchId, change(origin, childFields), cascade(child, at, childDelta));
  }
}

/** A blend's consumed masses or time corrected: the blend weighs Σ consumed, each input follows. */
function correctBlend(
  plan: Correction,
  blend: ExistingBatch,
  index: number,
  record: RecordedEvent,
  state: LedgerState,
  corrected: Record<string, unknown>,
  masses: Map<string, number> | undefined,
): void {
  const declared = record.data.inputs as { batchId: string; consumedGrams: number }[];
  const inputs = declared.map((input) => ({
    batchId: input.batchId,
    consumedGrams: masses?.get(input.batchId) ?? input.consumedGrams,
  }));
  const massGrams = sum(inputs.map((input) => input.consumedGrams));
  const occurredAt = typeof corrected.occurredAt === 'string' ? corrected.occurredAt : undefined;
  const fields: Record<string, unknown> = { ...corrected };
  if (masses) {
    fields.inputs = inputs;
    fields.massGrams = massGrams;
  }
  if (occurredAt !== undefined) timeMustKeepItsPlace(blend, index, record, occurredAt);
  const delta = massGrams - (record.data.massGrams as number);
  plan.lot(blend.batchId, change(record, fields), cascade(blend, index, delta));
  for (const input of inputs) {
    const batch = batchMustExist(state.batch(input.batchId), input.batchId);
    const at = recordsOf(batch).findIndex(
      (event) => event.type === 'BatchBlended' && event.data.blendId === record.data.blendId,
    );
    const blended = recordsOf(batch)[at]!;
    const inputDelta = input.consumedGrams - (blended.data.consumedGrams as number);
    const inputFields: Record<string, unknown> = {};
    if (inputDelta !== 0) {
      inputFields.consumedGrams = input.consumedGrams;
      inputFields.remainingGrams = inputMustStillHave(blended, input.batchId, inputDelta);
    }
    if (occurredAt !== undefined) {
      occurredAtMustNotPrecede(occurredAt, batch.originAt, `input ${input.batchId} came into being`);
      timeMustKeepItsPlace(batch, at, blended, occurredAt);
      inputFields.occurredAt = occurredAt;
    }
    if (Object.keys(inputFields).length > 0)
      plan.lot(input.batchId, change(blended, inputFields), cascade(batch, at, -inputDelta));
  }
}

/** An input consuming `delta` g more than recorded had them then: the command's own rule. */
function inputMustStillHave(record: RecordedEvent, batchId: string, delta: number): number {
  const remainingGrams = (record.data.remainingGrams as number) - delta;
  if (remainingGrams < 0) {
    const had = (record.data.remainingGrams as number) + (record.data.consumedGrams as number);
    throw refuse('CONSUMED_MASS_EXCEEDS_REMAINING', `Input ${batchId} had ${had} g left`, {
      batchId,
      remainingGrams: had,
      consumedGrams: (record.data.consumedGrams as number) + delta,
    });
  }
  return remainingGrams;
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

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

/** The events that bring a lot into being: nothing of the lot precedes them. */
const ORIGINS = new Set(['BatchMined', 'BatchProduced', 'BatchSplitOff', 'BlendProduced']);

/** A custodian's steps: each needs the lot in its custody, so none precedes the receipt that brought it. */
const CUSTODIAL = new Set(['BatchShipped', 'BatchSplit', 'BatchRefined', 'BatchBlended', 'BatchExported']);

/**
 * A corrected time keeps the event where it was in the lot's history: not before the event it followed
 * (the lot's coming into being, the shipment a receipt received, the receipt that brought the lot to the
 * custodian whose step it is, the hold a release ended), not into a hold it was not in, and not after any
 * later event of the lot (ADR 0017: a correction launders no rule a command could not).
 */
function timeMustKeepItsPlace(
  batch: ExistingBatch,
  index: number,
  record: RecordedEvent,
  occurredAt: string,
): void {
  if (!ORIGINS.has(record.type)) {
    occurredAtMustNotPrecede(occurredAt, batch.originAt, 'the batch came into being');
  }
  const earlier = recordsOf(batch)
    .slice(0, index)
    .filter((event) => !event.voided && !CHANGES.has(event.type));
  const lastOf = (type: string) => earlier.filter((event) => event.type === type).at(-1);
  const receipt = lastOf('BatchReceived');
  const custodians = CUSTODIAL.has(record.type) || record.data.byOrgId === receipt?.data.orgId;
  if (receipt && custodians && typeof receipt.data.occurredAt === 'string') {
    occurredAtMustNotPrecede(
      occurredAt,
      receipt.data.occurredAt,
      `the lot came into the custody of ${String(receipt.data.orgId)}`,
    );
  }
  const hold = lastOf('BatchHeld');
  if (record.type === 'BatchReleased' && typeof hold?.data.occurredAt === 'string') {
    occurredAtMustNotPrecede(occurredAt, hold.data.occurredAt, 'the hold');
  }
  if (CUSTODIAL.has(record.type)) stepMustNotMoveIntoAHold(batch, record, occurredAt);
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

/** The lot's holds, each from its time to its release's (or on, while it stands). */
function heldPeriods(batch: ExistingBatch): { from: number; to: number }[] {
  const periods: { from: number; to: number }[] = [];
  for (const event of recordsOf(batch)) {
    if (event.voided || typeof event.data.occurredAt !== 'string') continue;
    const at = Date.parse(event.data.occurredAt);
    if (event.type === 'BatchHeld') periods.push({ from: at, to: Infinity });
    const open = periods.at(-1);
    if (event.type === 'BatchReleased' && open && open.to === Infinity) open.to = at;
  }
  return periods;
}

/** A custodian's step is not moved into a hold: the lot stood still then (a step already in one may stay). */
function stepMustNotMoveIntoAHold(batch: ExistingBatch, record: RecordedEvent, occurredAt: string): void {
  const within = (moment: number) => heldPeriods(batch).find(({ from, to }) => from <= moment && moment < to);
  const was =
    typeof record.data.occurredAt === 'string' ? within(Date.parse(record.data.occurredAt)) : undefined;
  const period = within(Date.parse(occurredAt));
  if (period && period !== was) {
    throw refuse('BATCH_HELD', `Batch ${batch.batchId} was held at ${occurredAt}: nothing moved it then`, {
      heldFrom: new Date(period.from).toISOString(),
      occurredAt,
    });
  }
}

/** Events that took mass out of the lot (into other lots). */
const DRAWS = new Set(['BatchRefined', 'BatchSplit', 'BatchBlended']);

/** What follows, on one lot's stream, from a change of its mass: its events' new figures, and exports. */
interface Cascade {
  readonly downstream: CorrectedRecord[];
  readonly exports: ExportChange[];
}

const breaks = (message: string, dependents: readonly RecordedEvent[], details: object = {}) =>
  refuse('CORRECTION_BREAKS_DEPENDENTS', message, {
    dependentEvents: dependents.map(summary),
    ...details,
  });

/**
 * The lot's mass changed by `delta` g at the event at `index`: every later draw (split, blend,
 * transformation) leaves `delta` more; the whole-lot shipment that followed carried `delta` more, and its
 * receipt, which weighed the lot, keeps its weight (its shortfall follows, and the lot's mass after it is
 * what was weighed: nothing later changes); an export that followed carried `delta` more, and its licence's
 * drawdown follows. Refused, naming the dependents, when a draw would leave less than nothing, a shipment or
 * export would carry nothing, or a receipt would weigh more than was shipped.
 */
function cascade(batch: ExistingBatch, index: number, delta: number): Cascade {
  const downstream: CorrectedRecord[] = [];
  const exports: ExportChange[] = [];
  if (delta === 0) return { downstream, exports };
  const later = standingAfter(batch, index);
  for (const event of later) {
    if (DRAWS.has(event.type)) {
      const remainingGrams = (event.data.remainingGrams as number) + delta;
      if (remainingGrams < 0) {
        const draws = later.filter((candidate) => DRAWS.has(candidate.type));
        throw breaks(
          `Batch ${batch.batchId} has already given ${-delta - (event.data.remainingGrams as number)} g more than it would have to other lots`,
          draws,
          { batchId: batch.batchId, shortGrams: -remainingGrams },
        );
      }
      downstream.push(change(event, { remainingGrams }));
    } else if (event.type === 'BatchShipped' || event.type === 'BatchExported') {
      const massGrams = (event.data.massGrams as number) + delta;
      if (massGrams <= 0) {
        throw breaks(`The ${event.type} of batch ${batch.batchId} would carry nothing`, [event], {
          batchId: batch.batchId,
        });
      }
      downstream.push(change(event, { massGrams }));
      if (event.type === 'BatchExported') {
        const exportId = String(event.data.exportId);
        exports.push({
          licenceId: String(event.data.licenceId),
          exportId,
          exportEvent: event,
          deltaGrams: delta,
        });
        return { downstream, exports };
      }
      const receipt = later.find(
        (candidate) =>
          candidate.type === 'BatchReceived' && candidate.data.shipmentId === event.data.shipmentId,
      );
      if (receipt) {
        const receivedGrams = receipt.data.receivedMassGrams as number;
        if (receivedGrams > massGrams) {
          throw breaks(
            `Batch ${batch.batchId} was received weighing ${receivedGrams} g: the shipment cannot have carried ${massGrams} g`,
            [event, receipt],
            {
              batchId: batch.batchId,
              receivedGrams,
              shippedGrams: massGrams,
              refusedBy: 'RECEIVED_MASS_EXCEEDS_SHIPPED',
            },
          );
        }
        downstream.push(change(receipt, { discrepancyGrams: massGrams - receivedGrams }));
      }
      return { downstream, exports };
    }
  }
  return { downstream, exports };
}

/** The masses a list change names, by batch id: only the fact's own members, each positive. */
function massesOf(name: string, kind: FieldKind, value: unknown, record: RecordedEvent): Map<string, number> {
  const field = kind === 'consumedList' ? 'consumedKg' : 'massKg';
  const members = new Set((record.data[name] as { batchId: string }[]).map((member) => member.batchId));
  const invalid = () =>
    refuse(
      'CORRECTION_VALUE_INVALID',
      `${name} must be a list of {batchId, ${field}}, each naming one of its ${name} once`,
      {
        field: name,
        [name]: [...members],
      },
    );
  if (!Array.isArray(value) || value.length === 0 || value.length > members.size) throw invalid();
  const masses = new Map<string, number>();
  for (const item of value as unknown[]) {
    const { batchId, [field]: kg } = (item ?? {}) as Record<string, unknown>;
    if (typeof batchId !== 'string' || !members.has(batchId) || masses.has(batchId) || typeof kg !== 'number')
      throw invalid();
    const grams = kgToGrams(kg);
    massMustBePositive(grams);
    masses.set(batchId, grams);
  }
  return masses;
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
    case 'consumedList':
    case 'outputList':
      throw new Error(`${name} is a list: read it with massesOf`);
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
