import {
  type AssayBatch,
  type CorrectEvent,
  type BlendBatches,
  type ExportBatch,
  type HoldBatch,
  isExactKg,
  kgToGrams,
  type Material,
  type MineBatch,
  type ReceiveBatch,
  type ReleaseBatch,
  type ShipBatch,
  type SplitBatch,
  type TransformBatches,
  type VoidEvent,
} from '@tracelode/domain';
import { type EpcisIds, glnReferenceOf } from './identifiers';
import { HOLD_DISPOSITION, UOM } from './epcis.types';

/** The ledger commands an EPCIS event can be: each is executed as the JSON API executes it. */
export type CapturedCommand =
  | MineBatch
  | ShipBatch
  | ReceiveBatch
  | AssayBatch
  | HoldBatch
  | ReleaseBatch
  | ExportBatch
  | TransformBatches
  | SplitBatch
  | BlendBatches
  | VoidEvent
  | CorrectEvent;

/** Why a schema-valid EPCIS event describes nothing the ledger records (each answered 422 on its own). */
export type CaptureRefusalCode =
  | 'EPCIS_EVENT_NOT_MAPPED'
  | 'EPCIS_QUANTITY_NOT_KGM'
  | 'EPCIS_IDENTIFIER_UNKNOWN'
  | 'EPCIS_FIELD_MISSING'
  | 'EPCIS_CORRECTION_NOT_CAPTURED'
  | 'EPCIS_PARTY_MISMATCH'
  | 'EPCIS_DUPLICATE_EVENT_ID';

export type CaptureMapping =
  | { readonly ok: true; readonly command: CapturedCommand }
  | {
      readonly ok: false;
      readonly code: CaptureRefusalCode;
      readonly message: string;
      /** Why the corrective event a declaration names was refused, reported at its own index. */
      readonly corrective?: {
        readonly eventID: string;
        readonly code: CaptureRefusalCode;
        readonly message: string;
      };
    };

type Json = Readonly<Record<string, unknown>>;

class NotMapped extends Error {
  constructor(
    readonly code: CaptureRefusalCode,
    message: string,
    readonly corrective?: {
      readonly eventID: string;
      readonly code: CaptureRefusalCode;
      readonly message: string;
    },
  ) {
    super(message);
  }
}

/**
 * The ledger command an EPCIS 2.0 event (already valid against the GS1 schema) stands for, or why it
 * stands for none: the inverse of `toEpcisEvents` (docs/epcis.md). Facilities and organisations are named
 * by the ledger's URIs; the command is then decided, authorised and recorded as any other.
 */
export function fromEpcisEvent(
  event: Json,
  ids: EpcisIds,
  actorOrgId?: string,
  find?: (eventID: string) => Json | undefined,
): CaptureMapping {
  try {
    return { ok: true, command: new EventReader(event, ids, actorOrgId, find).command() };
  } catch (error) {
    if (error instanceof NotMapped) {
      const { code, message, corrective } = error;
      return { ok: false, code, message, ...(corrective ? { corrective } : {}) };
    }
    throw error;
  }
}

const CORRECTIONS =
  'An error declaration, and the corrective event it names, are not captured: record a correction or a void of the ledger event (POST /events/{eventId}/corrections or /voids)';

/**
 * The eventIDs the document's error declarations name as their corrective events. Such an event restates
 * a corrected fact: captured as it stands it would be recorded as a new one (a second receipt, a lot
 * mined again), so capture refuses it with the declaration (`EPCIS_CORRECTION_NOT_CAPTURED`).
 */
export function correctiveEventIds(events: readonly Json[]): Set<string> {
  const ids = new Set<string>();
  for (const event of events) {
    const declaration = event.errorDeclaration as { correctiveEventIDs?: unknown } | undefined;
    const named = declaration?.correctiveEventIDs;
    if (Array.isArray(named)) for (const id of named) if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

/**
 * Each event of a captured document as the ledger command it stands for, or why none (index by index).
 * An error declaration (`incorrect_data`) of an `ObjectEvent` naming one corrective event found in the
 * same document is the ledger's correction (`CorrectEvent`) of the event its `eventID` names, its changes
 * the fields where the two differ; its corrective event is then part of it (`partOf`: the declaration's
 * index), not a step of its own. A corrective event whose declaration cannot be mapped is refused
 * (`EPCIS_CORRECTION_NOT_CAPTURED`), with it.
 */
export function fromEpcisEvents(
  events: readonly Json[],
  ids: EpcisIds,
  actorOrgId?: string,
): (CaptureMapping | { readonly ok: true; readonly partOf: number })[] {
  const corrective = correctiveEventIds(events);
  // An eventID names one event: two events of one document sharing one are each refused, so neither can
  // stand in for the other (a corrective event found in place of a lot, the lot then never recorded).
  const counts = new Map<string, number>();
  for (const event of events)
    if (typeof event.eventID === 'string') counts.set(event.eventID, (counts.get(event.eventID) ?? 0) + 1);
  const duplicated = (event: Json) => typeof event.eventID === 'string' && counts.get(event.eventID)! > 1;
  const byEventId = new Map<string, Json>();
  for (const event of events)
    if (typeof event.eventID === 'string' && !duplicated(event)) byEventId.set(event.eventID, event);
  const find = (eventID: string) => byEventId.get(eventID);
  const isCorrective = (event: Json) => typeof event.eventID === 'string' && corrective.has(event.eventID);
  const mappings = events.map((event) =>
    duplicated(event)
      ? duplicateRefusal(String(event.eventID))
      : isCorrective(event)
        ? undefined
        : fromEpcisEvent(event, ids, actorOrgId, find),
  );
  const declaredAt = new Map<string, number>();
  const refusedCorrective = new Map<string, CaptureMapping>();
  mappings.forEach((mapping, index) => {
    if (mapping?.ok && mapping.command.type === 'CorrectEvent') {
      const declaration = events[index]!.errorDeclaration as { correctiveEventIDs: string[] };
      declaredAt.set(declaration.correctiveEventIDs[0]!, index);
    } else if (mapping && !mapping.ok && mapping.corrective) {
      const { eventID, code, message } = mapping.corrective;
      refusedCorrective.set(eventID, { ok: false, code, message });
    }
  });
  return mappings.map((mapping, index) => {
    if (mapping) return mapping;
    const eventID = events[index]!.eventID as string;
    const at = declaredAt.get(eventID);
    if (at !== undefined) return { ok: true as const, partOf: at };
    return refusedCorrective.get(eventID) ?? correctiveEventRefusal;
  });
}

/**
 * The fields of each command a captured correction may change, and the name (and unit) the correction
 * gives them (`CORRECTABLE_FIELDS` of the correction decider): masses in kilograms, never an identity.
 */
const CORRECTION_FIELDS: Readonly<Record<string, Readonly<Record<string, readonly [string, number?]>>>> = {
  MineBatch: {
    massGrams: ['massKg', 1000],
    extractionEmissionsKgCo2e: ['extractionEmissionsKgCo2e'],
    occurredAt: ['occurredAt'],
  },
  AssayBatch: {
    lab: ['lab'],
    method: ['method'],
    grade: ['grade'],
    radioactivityBqPerG: ['radioactivityBqPerG'],
    occurredAt: ['occurredAt'],
  },
  ShipBatch: { documents: ['documents'], occurredAt: ['occurredAt'] },
  ReceiveBatch: { receivedMassGrams: ['receivedMassKg', 1000], occurredAt: ['occurredAt'] },
  HoldBatch: { reason: ['reason'], occurredAt: ['occurredAt'] },
  ReleaseBatch: { reason: ['reason'], occurredAt: ['occurredAt'] },
  ExportBatch: { customsDeclarationNo: ['customsDeclarationNo'], port: ['port'], occurredAt: ['occurredAt'] },
};

/** The refusal of each event of a document that shares its eventID with another. */
const duplicateRefusal = (eventID: string): CaptureMapping => ({
  ok: false,
  code: 'EPCIS_DUPLICATE_EVENT_ID',
  message: `eventID ${eventID} is given to more than one event of the document: an eventID names one event`,
});

/** The refusal of a corrective event (see `correctiveEventIds`). */
export const correctiveEventRefusal: CaptureMapping = {
  ok: false,
  code: 'EPCIS_CORRECTION_NOT_CAPTURED',
  message: CORRECTIONS,
};

/**
 * Why a GLN URI names no facility: no facility of this ledger holds that GLN (undefined: no GLN URI). At
 * the event's own place (`ownPlace`), a GLN held by another organisation's facility is answered alike: none
 * of the actor's facilities holds it, and who does is not said (a GLN names nobody to a stranger).
 */
function unknownGln(uri: string | undefined, ownPlace = false): string | undefined {
  const reference = uri !== undefined ? glnReferenceOf(uri) : undefined;
  if (!reference) return undefined;
  if (reference.kind === 'party')
    return `${uri} names a party, not a location: a facility is named by https://id.gs1.org/414/{gln}`;
  return ownPlace
    ? `GLN ${reference.gln} (${uri}) is held by none of your facilities: an organisation records what happens at its own facilities`
    : `GLN ${reference.gln} (${uri}) is held by no facility of this ledger`;
}

class EventReader {
  constructor(
    private readonly event: Json,
    private readonly ids: EpcisIds,
    private readonly actorOrgId: string | undefined,
    private readonly find?: (eventID: string) => Json | undefined,
  ) {}

  command(): CapturedCommand {
    const { event } = this;
    if (event.errorDeclaration !== undefined) {
      const named = (event.errorDeclaration as { correctiveEventIDs?: unknown }).correctiveEventIDs;
      return Array.isArray(named) && named.length > 0 && this.find ? this.corrected(named) : this.voided();
    }
    const bizStep = typeof event.bizStep === 'string' ? event.bizStep : undefined;
    if (event.type === 'TransformationEvent') return this.transformation();
    if (event.type !== 'ObjectEvent') {
      throw new NotMapped(
        'EPCIS_EVENT_NOT_MAPPED',
        `A ${String(event.type)} describes no step the ledger records`,
      );
    }
    const occurredAt = this.eventTime();
    switch (bizStep) {
      case 'commissioning':
        return this.mined(occurredAt);
      case 'shipping':
        return this.shipped(occurredAt);
      case 'receiving':
        return {
          type: 'ReceiveBatch',
          data: {
            batchId: this.batch(),
            shipmentId: this.shipmentId(),
            receivedMassGrams: this.kgOf(this.onlyQuantity(), 'the received quantity'),
            occurredAt,
          },
        };
      case 'inspecting':
        return this.assayed(occurredAt);
      case 'holding':
        return this.held(occurredAt);
      case 'departing':
        return this.exported(occurredAt);
      default:
        throw new NotMapped(
          'EPCIS_EVENT_NOT_MAPPED',
          `bizStep ${bizStep ?? '(none)'} on an ObjectEvent describes no step the ledger records (commissioning, shipping, receiving, inspecting, holding, departing)`,
        );
    }
  }

  /**
   * An error declaration that the event's data were incorrect, naming its one corrective event (found in
   * the same document): the correction of the ledger event its `eventID` names, changing the fields where
   * the corrective event differs, each as the correction command names it. Refused when the corrective
   * event is elsewhere, records another kind of step or lot, or changes what a correction cannot.
   */
  private corrected(named: unknown[]): CorrectEvent {
    const declaration = this.event.errorDeclaration as { reason?: unknown };
    const reason = typeof declaration.reason === 'string' ? declaration.reason : '';
    const refuse = (why: string) => new NotMapped('EPCIS_CORRECTION_NOT_CAPTURED', `${why}. ${CORRECTIONS}`);
    if (reason !== 'incorrect_data' && !reason.endsWith('ER-incorrect_data'))
      throw refuse(
        'A declaration with a corrective event is captured as a correction only for incorrect_data',
      );
    if (this.event.type !== 'ObjectEvent') throw refuse('Only an ObjectEvent’s correction is captured');
    const correctiveID = named.length === 1 && typeof named[0] === 'string' ? named[0] : undefined;
    const corrective = correctiveID !== undefined ? this.find?.(correctiveID) : undefined;
    if (!corrective || corrective.errorDeclaration !== undefined)
      throw refuse('A correction names exactly one corrective event, captured in the same document');
    const eventId = this.ledgerEventId();
    const { errorDeclaration: _declared, ...asRecorded } = this.event;
    const before = new EventReader(asRecorded, this.ids, this.actorOrgId).command();
    let after: CapturedCommand;
    try {
      after = new EventReader(corrective, this.ids, this.actorOrgId).command();
    } catch (error) {
      if (!(error instanceof NotMapped)) throw error;
      // What is wrong is the corrective event's: reported at its own index, the declaration refused with it.
      throw new NotMapped(
        'EPCIS_CORRECTION_NOT_CAPTURED',
        `Its corrective event ${correctiveID!} is refused (${error.code}). ${CORRECTIONS}`,
        { eventID: correctiveID!, code: error.code, message: error.message },
      );
    }
    const fields = CORRECTION_FIELDS[before.type];
    const beforeData = before.data as Record<string, unknown>;
    const afterData = after.data as Record<string, unknown>;
    if (!fields || after.type !== before.type || afterData.batchId !== beforeData.batchId)
      throw refuse('The corrective event must record the same kind of step, of the same lot');
    const changes: Record<string, unknown> = {};
    for (const name of new Set([...Object.keys(beforeData), ...Object.keys(afterData)])) {
      if (JSON.stringify(beforeData[name]) === JSON.stringify(afterData[name])) continue;
      const field = fields[name];
      if (!field || afterData[name] === undefined)
        throw refuse(`${name} of a ${before.type} cannot be corrected by a captured correction`);
      const [change, per] = field;
      changes[change] = per !== undefined ? (afterData[name] as number) / per : afterData[name];
    }
    if (Object.keys(changes).length === 0) throw refuse('The corrective event changes nothing');
    const stated = this.declaredReason();
    const correctiveUuid = /^urn:uuid:([0-9a-f-]{36})$/i.exec(correctiveID!)?.[1]?.toLowerCase();
    return {
      type: 'CorrectEvent',
      data: {
        correctionId: `epcis-correction-${correctiveUuid ?? eventId}`,
        eventId,
        batchId: beforeData.batchId as string,
        reason:
          typeof stated === 'string' && stated !== '' ? stated : 'EPCIS error declaration: incorrect_data',
        changes,
      },
    };
  }

  /**
   * Why the declaration was made: its own `tl:reason` (where the export puts it), else the event's (the
   * declared event's own, a hold's say, is the fact declared, so it comes second).
   */
  private declaredReason(): unknown {
    const declaration = this.event.errorDeclaration as Json;
    return (
      declaration[`tl:reason`] ?? declaration[`${this.ids.vocabulary}reason`] ?? this.extension('reason')
    );
  }

  /** The ledger event an error declaration names by its `eventID` (`urn:uuid:{eventId}`). */
  private ledgerEventId(): string {
    const eventID = typeof this.event.eventID === 'string' ? this.event.eventID : '';
    const eventId = /^urn:uuid:([0-9a-f-]{36})$/i.exec(eventID)?.[1]?.toLowerCase();
    if (eventId === undefined) {
      throw new NotMapped(
        'EPCIS_IDENTIFIER_UNKNOWN',
        `An error declaration names a ledger event by its eventID, urn:uuid:{eventId}; got ${eventID || '(none)'}`,
      );
    }
    return eventId;
  }

  /**
   * An error declaration that the event did not occur, naming no corrective event: the void of the ledger
   * event its `eventID` names (`urn:uuid:{eventId}`), on the lot of its quantity. A declaration with
   * corrective events stands for a correction (`corrected`), captured only with them in one document.
   */
  private voided(): VoidEvent {
    const declaration = this.event.errorDeclaration as { reason?: unknown; correctiveEventIDs?: unknown };
    const reason = typeof declaration.reason === 'string' ? declaration.reason : undefined;
    const corrective =
      Array.isArray(declaration.correctiveEventIDs) && declaration.correctiveEventIDs.length > 0;
    const didNotOccur = reason === 'did_not_occur' || reason?.endsWith('ER-did_not_occur') === true;
    if (!didNotOccur || corrective || this.event.type !== 'ObjectEvent')
      throw new NotMapped('EPCIS_CORRECTION_NOT_CAPTURED', CORRECTIONS);
    const eventID = typeof this.event.eventID === 'string' ? this.event.eventID : '';
    const eventId = /^urn:uuid:([0-9a-f-]{36})$/i.exec(eventID)?.[1]?.toLowerCase();
    if (eventId === undefined) {
      throw new NotMapped(
        'EPCIS_IDENTIFIER_UNKNOWN',
        `An error declaration voids a ledger event named by its eventID, urn:uuid:{eventId}; got ${eventID || '(none)'}`,
      );
    }
    const stated = this.declaredReason();
    return {
      type: 'VoidEvent',
      data: {
        voidId: `epcis-void-${eventId}`,
        eventId,
        batchId: this.batch(),
        reason:
          typeof stated === 'string' && stated !== '' ? stated : 'EPCIS error declaration: did_not_occur',
      },
    };
  }

  private mined(occurredAt: string): MineBatch {
    if (this.event.action !== 'ADD') {
      throw new NotMapped(
        'EPCIS_EVENT_NOT_MAPPED',
        'A mined lot is commissioned by an ObjectEvent with action ADD',
      );
    }
    const { facilityId } = this.place();
    const emissions = this.extension('extractionEmissionsKgCo2e');
    return {
      type: 'MineBatch',
      data: {
        batchId: this.batch(),
        facilityId,
        material: this.material(this.event.ilmd),
        massGrams: this.kgOf(this.onlyQuantity(), 'the mined quantity'),
        ...(typeof emissions === 'number' ? { extractionEmissionsKgCo2e: emissions } : {}),
        occurredAt,
      },
    };
  }

  private shipped(occurredAt: string): ShipBatch {
    this.sourcePartiesMustHold();
    const to = this.party('destinationList', 'destination');
    const documents = this.extension('documents');
    const quantity = this.onlyQuantity();
    return {
      type: 'ShipBatch',
      data: {
        batchId: this.batch(),
        shipmentId: this.shipmentId(),
        toOrgId: to.orgId,
        toFacilityId: to.facilityId,
        documents: Array.isArray(documents) ? (documents as ShipBatch['data']['documents']) : [],
        ...(quantity.quantity !== undefined
          ? { massGrams: this.kgOf(quantity, 'the shipped quantity') }
          : {}),
        occurredAt,
      },
    };
  }

  private assayed(occurredAt: string): AssayBatch {
    const grade: Record<string, number> = {};
    let radioactivityBqPerG: number | undefined;
    const elements = Array.isArray(this.event.sensorElementList)
      ? (this.event.sensorElementList as Json[])
      : [];
    for (const element of elements) {
      for (const report of Array.isArray(element.sensorReport) ? (element.sensorReport as Json[]) : []) {
        const analyte =
          typeof report.chemicalSubstance === 'string' ? this.ids.term(report.chemicalSubstance) : undefined;
        if (
          report.type === 'MassConcentration' &&
          analyte?.startsWith('analyte/') &&
          report.uom === UOM.percent
        ) {
          grade[decodeURIComponent(analyte.slice('analyte/'.length))] = Number(report.value);
        } else if (report.type === 'Radioactivity' && report.uom === UOM.becquerelPerKg) {
          radioactivityBqPerG = Number((Number(report.value) / 1000).toPrecision(15));
        } else {
          throw new NotMapped(
            'EPCIS_EVENT_NOT_MAPPED',
            'An assay reports MassConcentration of a ledger analyte in percent (P1) or Radioactivity in Bq/kg (A18)',
          );
        }
      }
    }
    return {
      type: 'AssayBatch',
      data: {
        batchId: this.batch(),
        assayId: this.required('assayId'),
        lab: this.required('lab'),
        method: this.required('method'),
        grade,
        ...(radioactivityBqPerG !== undefined ? { radioactivityBqPerG } : {}),
        occurredAt,
      },
    };
  }

  private held(occurredAt: string): HoldBatch | ReleaseBatch {
    const disposition = (this.event.persistentDisposition ?? {}) as { set?: string[]; unset?: string[] };
    const data = { batchId: this.batch(), reason: this.required('reason'), occurredAt };
    if (disposition.set?.includes(HOLD_DISPOSITION)) return { type: 'HoldBatch', data };
    if (disposition.unset?.includes(HOLD_DISPOSITION)) return { type: 'ReleaseBatch', data };
    throw new NotMapped(
      'EPCIS_EVENT_NOT_MAPPED',
      `A hold sets, and a release unsets, the persistent disposition ${HOLD_DISPOSITION}`,
    );
  }

  private exported(occurredAt: string): ExportBatch {
    return {
      type: 'ExportBatch',
      data: {
        batchId: this.batch(),
        exportId: this.required('exportId'),
        licenceId: this.required('licenceId'),
        destinationCountry: this.required('destinationCountry'),
        consignee: this.required('consignee'),
        endUser: this.required('endUser'),
        hsCode: this.required('hsCode'),
        customsDeclarationNo: this.required('customsDeclarationNo'),
        port: this.required('port'),
        occurredAt,
      },
    };
  }

  private transformation(): TransformBatches | SplitBatch | BlendBatches {
    const id = typeof this.event.transformationID === 'string' ? this.event.transformationID : '';
    const occurredAt = this.eventTime();
    const inputs = this.quantities('inputQuantityList').map((q) => ({
      batchId: this.batchOf(q.epcClass),
      consumedGrams: this.kgOf(q, 'an input quantity'),
    }));
    const outputs = this.quantities('outputQuantityList');
    const splitId = this.ids.parse('splits', id);
    if (splitId !== undefined) {
      if (inputs.length !== 1)
        throw new NotMapped('EPCIS_EVENT_NOT_MAPPED', 'A split has exactly one input lot');
      return {
        type: 'SplitBatch',
        data: {
          batchId: inputs[0]!.batchId,
          splitId,
          outputs: outputs.map((q) => ({
            batchId: this.batchOf(q.epcClass),
            massGrams: this.kgOf(q, 'an output quantity'),
          })),
          occurredAt,
        },
      };
    }
    const blendId = this.ids.parse('blends', id);
    if (blendId !== undefined) {
      if (outputs.length !== 1)
        throw new NotMapped('EPCIS_EVENT_NOT_MAPPED', 'A blend has exactly one output lot');
      return {
        type: 'BlendBatches',
        data: {
          blendId,
          facilityId: this.place().facilityId,
          inputs,
          output: { batchId: this.batchOf(outputs[0]!.epcClass), material: this.material(this.event.ilmd) },
          occurredAt,
        },
      };
    }
    const transformationId = this.ids.parse('transformations', id);
    if (transformationId === undefined) {
      throw new NotMapped(
        'EPCIS_IDENTIFIER_UNKNOWN',
        `transformationID ${id} is not a transformation, split or blend URI of this ledger (${this.ids.base}/transformations/{id})`,
      );
    }
    const declared = this.extension('outputs');
    const described = new Map(
      (Array.isArray(declared) ? (declared as Json[]) : []).map((output) => [String(output.batchId), output]),
    );
    const shares = new Map<string, number>();
    let economic = described.size > 0;
    const outputList = outputs.map((q) => {
      const batchId = this.batchOf(q.epcClass);
      const output = described.get(batchId);
      if (!output) {
        throw new NotMapped(
          'EPCIS_FIELD_MISSING',
          `tl:outputs does not describe the material of output ${batchId}`,
        );
      }
      const allocation = (output.allocation ?? {}) as { method?: string; share?: number };
      if (allocation.method === 'economic' && typeof allocation.share === 'number')
        shares.set(batchId, allocation.share);
      else economic = false;
      return {
        batchId,
        material: this.material(output.material, 'outputs[].material'),
        massGrams: this.kgOf(q, 'an output quantity'),
        ...(typeof output.grade === 'object' && output.grade !== null
          ? { grade: output.grade as Record<string, number> }
          : {}),
      };
    });
    const residues = this.extension('residues');
    const emissions = this.extension('processEmissionsKgCo2e');
    return {
      type: 'TransformBatches',
      data: {
        transformationId,
        facilityId: this.place().facilityId,
        process: this.required('process') as TransformBatches['data']['process'],
        occurredAt,
        inputs,
        outputs: outputList,
        residues: (Array.isArray(residues) ? (residues as Json[]) : []).map((residue) => ({
          kind: String(residue.kind),
          massGrams: this.kgNumber(residue.massKg, 'a residue'),
        })),
        processEmissionsKgCo2e: typeof emissions === 'number' ? emissions : 0,
        allocation: economic ? { method: 'economic', keys: Object.fromEntries(shares) } : { method: 'mass' },
      },
    };
  }

  private eventTime(): string {
    return String(this.event.eventTime);
  }

  /** The one lot an ObjectEvent is about: the class of its only quantity element. */
  private batch(): string {
    return this.batchOf(this.onlyQuantity().epcClass);
  }

  private onlyQuantity(): { epcClass: string; quantity?: number; uom?: string } {
    if (Array.isArray(this.event.epcList) && this.event.epcList.length > 0) {
      throw new NotMapped(
        'EPCIS_EVENT_NOT_MAPPED',
        'The ledger records lots (epcClass in quantityList), not instances (epcList)',
      );
    }
    const list = this.quantities('quantityList');
    if (list.length !== 1) {
      throw new NotMapped(
        'EPCIS_EVENT_NOT_MAPPED',
        'An ObjectEvent the ledger records names exactly one lot in quantityList',
      );
    }
    return list[0]!;
  }

  private quantities(name: string): { epcClass: string; quantity?: number; uom?: string }[] {
    const list = this.event[name];
    return Array.isArray(list) ? (list as { epcClass: string; quantity?: number; uom?: string }[]) : [];
  }

  private batchOf(epcClass: string): string {
    const batchId = this.ids.parse('batches', epcClass);
    if (batchId === undefined) {
      throw new NotMapped(
        'EPCIS_IDENTIFIER_UNKNOWN',
        `${epcClass} is not a lot of this ledger (${this.ids.base}/batches/{batchId})`,
      );
    }
    return batchId;
  }

  private kgOf(quantity: { quantity?: number; uom?: string }, what: string): number {
    if (quantity.quantity === undefined || quantity.uom !== UOM.kilogram) {
      throw new NotMapped('EPCIS_QUANTITY_NOT_KGM', `${what} must be a mass in kilograms (uom KGM)`);
    }
    return this.kgNumber(quantity.quantity, what);
  }

  private kgNumber(kg: unknown, what: string): number {
    if (typeof kg !== 'number' || !isExactKg(kg)) {
      throw new NotMapped(
        'EPCIS_QUANTITY_NOT_KGM',
        `${what} must be a non-negative mass in kilograms with at most 3 decimals`,
      );
    }
    return kgToGrams(kg);
  }

  /**
   * The facility the event happened at (bizLocation, else readPoint): one of the actor's own. A GLN held
   * by another organisation's facility is refused as one nobody holds, so capture never tells who holds it.
   */
  private place(): { orgId: string; facilityId: string } {
    const location = (this.event.bizLocation ?? this.event.readPoint) as { id?: string } | undefined;
    const uri = location?.id;
    const facility = uri !== undefined ? this.ids.parseFacility(uri) : undefined;
    const anothers =
      facility !== undefined && this.actorOrgId !== undefined && facility.orgId !== this.actorOrgId;
    const byGln = uri !== undefined && glnReferenceOf(uri) !== undefined;
    if (!facility || (anothers && byGln)) {
      throw new NotMapped(
        uri === undefined ? 'EPCIS_FIELD_MISSING' : 'EPCIS_IDENTIFIER_UNKNOWN',
        unknownGln(uri, this.actorOrgId !== undefined) ??
          `The event's bizLocation must name a facility of this ledger (${this.ids.base}/orgs/{orgId}/facilities/{facilityId}, or the GS1 Digital Link https://id.gs1.org/414/{gln} of a facility's GLN)`,
      );
    }
    if (anothers) {
      // Named by the ledger's URI, which names its organisation already.
      throw new NotMapped(
        'EPCIS_IDENTIFIER_UNKNOWN',
        `${uri!} is a facility of ${facility.orgId}: an organisation records what happens at its own facilities`,
      );
    }
    return facility;
  }

  /**
   * The facility of a source or destination list (its `location` entry). Its `owning_party` and
   * `possessing_party`, when given (the ledger's URI, a GS1 Digital Link /417/ or a PGLN), must name the
   * organisation that holds that facility: a location's GLN never stands for another party than the one
   * the event names (`EPCIS_PARTY_MISMATCH`).
   */
  private party(list: 'sourceList' | 'destinationList', field: 'source' | 'destination') {
    const entries = Array.isArray(this.event[list]) ? (this.event[list] as Json[]) : [];
    const location = entries.find((entry) => entry.type === 'location');
    const facility = location ? this.ids.parseFacility(String(location[field])) : undefined;
    if (!facility) {
      throw new NotMapped(
        location ? 'EPCIS_IDENTIFIER_UNKNOWN' : 'EPCIS_FIELD_MISSING',
        unknownGln(location ? String(location[field]) : undefined) ??
          `${list} must hold a location that is a facility of this ledger`,
      );
    }
    this.partiesMustHold(list, field, entries, facility.orgId, String(location![field]));
    return facility;
  }

  /** Each owning or possessing party of `entries` names `orgId`, the holder of the list's location. */
  private partiesMustHold(list: string, field: string, entries: Json[], orgId: string, place: string): void {
    for (const entry of entries) {
      if (entry.type !== 'owning_party' && entry.type !== 'possessing_party') continue;
      const uri = String(entry[field]);
      if (this.ids.parseOrganisation(uri) !== orgId) {
        throw new NotMapped(
          'EPCIS_PARTY_MISMATCH',
          `${list}: the ${String(entry.type)} ${uri} is not the organisation that holds the location ${place}; a party is named by ${this.ids.base}/orgs/{orgId} or the GS1 Digital Link https://id.gs1.org/417/{gln} of its GLN`,
        );
      }
    }
  }

  /** The source list's parties, when it names a location of this ledger, agree with it as the destination's do. */
  private sourcePartiesMustHold(): void {
    const entries = Array.isArray(this.event.sourceList) ? (this.event.sourceList as Json[]) : [];
    const location = entries.find((entry) => entry.type === 'location');
    const facility = location ? this.ids.parseFacility(String(location.source)) : undefined;
    if (facility)
      this.partiesMustHold('sourceList', 'source', entries, facility.orgId, String(location!.source));
  }

  private shipmentId(): string {
    const transactions = Array.isArray(this.event.bizTransactionList)
      ? (this.event.bizTransactionList as Json[])
      : [];
    for (const transaction of transactions) {
      const id = this.ids.parse('shipments', String(transaction.bizTransaction));
      if (transaction.type === 'desadv' && id !== undefined) return id;
    }
    throw new NotMapped(
      'EPCIS_FIELD_MISSING',
      `A shipment or receipt names its shipment in bizTransactionList: {type: desadv, bizTransaction: ${this.ids.base}/shipments/{shipmentId}}`,
    );
  }

  private material(ilmd: unknown, where = 'ilmd'): Material {
    const fields = (typeof ilmd === 'object' && ilmd !== null ? ilmd : {}) as Json;
    const value = (name: string) =>
      fields[`tl:${name}`] ?? fields[`${this.ids.vocabulary}${name}`] ?? fields[name];
    const form = value('form');
    if (typeof form !== 'string')
      throw new NotMapped('EPCIS_FIELD_MISSING', `${where} must give the material's tl:form`);
    const elements = value('elements');
    const grade = value('grade');
    return {
      form: form as Material['form'],
      ...(Array.isArray(elements) ? { elements: elements as Material['elements'] } : {}),
      ...(typeof grade === 'object' && grade !== null ? { grade: grade as Material['grade'] } : {}),
    };
  }

  private extension(name: string): unknown {
    return this.event[`tl:${name}`] ?? this.event[`${this.ids.vocabulary}${name}`];
  }

  private required(name: string): string {
    const value = this.extension(name);
    if (typeof value !== 'string' || value === '') {
      throw new NotMapped('EPCIS_FIELD_MISSING', `The event must give tl:${name} (text)`);
    }
    return value;
  }
}
