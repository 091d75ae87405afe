import type { EpcisIds } from './identifiers';
import {
  EPCIS_CONTEXT_URL,
  type EpcisEvent,
  HOLD_DISPOSITION,
  type LedgerRecord,
  type QuantityElement,
  UOM,
} from './epcis.types';

type Data = Readonly<Record<string, unknown>>;

/** A field withheld from the reader (ADR 0022: `{"...": digest}`) is left out of its EPCIS event. */
const isWithheld = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && '...' in value;
const str = (data: Data, name: string) => {
  const value = data[name];
  return typeof value === 'string' ? value : undefined;
};
const num = (data: Data, name: string) => {
  const value = data[name];
  return typeof value === 'number' ? value : undefined;
};
const shown = (values: unknown): Data[] =>
  Array.isArray(values)
    ? values.filter((v): v is Data => typeof v === 'object' && v !== null && !isWithheld(v))
    : [];

/** Whole grams as the decimal kilograms EPCIS quantities are counted in (exact: 3 decimals at most). */
export const kilograms = (grams: number) => grams / 1000;

/** `+08:00` from `2026-03-01T08:00:00+08:00`; `Z` is `+00:00`. */
export function timeZoneOffsetOf(instant: string): string {
  const match = /([+-]\d{2}:\d{2}|Z)$/i.exec(instant);
  return !match || match[1]!.toUpperCase() === 'Z' ? '+00:00' : match[1]!;
}

/**
 * The ledger's events as EPCIS 2.0 events, in the order given (log order), for the reader they were
 * gathered for: a withheld field is left out, never guessed. The mapping table is docs/epcis.md.
 * Events that describe no physical step (registrations, licences, disclosures, idempotency records) give
 * none; a transformation, split or blend gives one `TransformationEvent` from its declaration (its
 * batches' own events are parts of it and give none unless the declaration is absent); a correction or a
 * void gives the corrected event again with an `errorDeclaration`, and a correction its corrective event.
 */
export function toEpcisEvents(records: readonly LedgerRecord[], ids: EpcisIds): EpcisEvent[] {
  const mapper = new EpcisMapper(ids, records);
  return records.flatMap((record) => mapper.map(record));
}

/** The JSON-LD `@context` every document the ledger writes carries. */
export const epcisContext = (ids: EpcisIds) => [EPCIS_CONTEXT_URL, { tl: ids.vocabulary }];

class EpcisMapper {
  private readonly declared = new Set<string>();
  private readonly shipments = new Map<string, Data>();
  private readonly mapped = new Map<string, { record: LedgerRecord; event: EpcisEvent }>();
  private readonly certificates: {
    id: string;
    subject: Data;
    validFrom: string;
    validUntil: string;
    revokedAt?: string;
  }[] = [];

  constructor(
    private readonly ids: EpcisIds,
    records: readonly LedgerRecord[],
  ) {
    for (const { type, data } of records) {
      if (type === 'TransformationRecorded') this.declared.add(`t:${str(data, 'transformationId')}`);
      if (type === 'BatchSplit') this.declared.add(`s:${str(data, 'splitId')}`);
      if (type === 'BlendProduced') this.declared.add(`b:${str(data, 'blendId')}`);
      if (type === 'CertificateIssued' && typeof data.subject === 'object' && data.subject !== null) {
        this.certificates.push({
          id: str(data, 'certificateId') ?? '',
          subject: data.subject as Data,
          validFrom: str(data, 'validFrom') ?? '',
          validUntil: str(data, 'validUntil') ?? '',
        });
      }
      if (type === 'CertificateRevoked') {
        const certificate = this.certificates.find((c) => c.id === str(data, 'certificateId'));
        if (certificate) certificate.revokedAt = str(data, 'occurredAt');
      }
    }
  }

  map(record: LedgerRecord): EpcisEvent[] {
    if (record.type === 'EventCorrected' || record.type === 'EventVoided') return this.errorDeclared(record);
    const event = this.eventOf(record);
    if (!event) return [];
    this.mapped.set(record.eventId, { record, event });
    return [event];
  }

  private eventOf(record: LedgerRecord, data: Data = record.data): EpcisEvent | undefined {
    const { ids } = this;
    const batchId = str(data, 'batchId');
    const batch = batchId !== undefined ? ids.batch(batchId) : undefined;
    const place = (orgField: string, facilityField: string) => {
      const orgId = str(data, orgField);
      const facilityId = str(data, facilityField);
      return orgId !== undefined && facilityId !== undefined ? ids.facility(orgId, facilityId) : undefined;
    };
    const quantity = (grams: number | undefined): QuantityElement[] =>
      batch === undefined
        ? []
        : [
            grams === undefined
              ? { epcClass: batch }
              : { epcClass: batch, quantity: kilograms(grams), uom: UOM.kilogram },
          ];
    switch (record.type) {
      case 'BatchMined': {
        const mine = place('orgId', 'facilityId');
        const material =
          typeof data.material === 'object' && data.material !== null ? (data.material as Data) : {};
        return this.object(record, data, {
          action: 'ADD',
          bizStep: 'commissioning',
          disposition: 'active',
          quantityList: quantity(num(data, 'massGrams')),
          ...(mine ? { readPoint: { id: mine }, bizLocation: { id: mine } } : {}),
          ilmd: ilmdOf(material),
          ...extension('extractionEmissionsKgCo2e', num(data, 'extractionEmissionsKgCo2e')),
        });
      }
      case 'BatchShipped': {
        const shipmentId = str(data, 'shipmentId');
        if (shipmentId !== undefined) this.shipments.set(shipmentId, data);
        const from = place('fromOrgId', 'fromFacilityId');
        const to = place('toOrgId', 'toFacilityId');
        const documents = shown(data.documents);
        return this.object(record, data, {
          action: 'OBSERVE',
          bizStep: 'shipping',
          disposition: 'in_transit',
          quantityList: quantity(num(data, 'massGrams')),
          ...(from ? { readPoint: { id: from } } : {}),
          ...list('bizTransactionList', [
            ...(shipmentId !== undefined
              ? [{ type: 'desadv', bizTransaction: ids.shipment(shipmentId) }]
              : []),
            ...documents.map((document) => ({
              type: document.type === 'bill_of_lading' ? 'bol' : `tl:${String(document.type)}`,
              bizTransaction: `${ids.shipment(shipmentId ?? '_')}/documents/${encodeURIComponent(String(document.number))}`,
            })),
          ]),
          ...list('sourceList', parties(ids, str(data, 'fromOrgId'), from, 'source')),
          ...list('destinationList', parties(ids, str(data, 'toOrgId'), to, 'destination')),
          ...(documents.length > 0 ? { 'tl:documents': documents } : {}),
        });
      }
      case 'BatchReceived': {
        const at = place('orgId', 'facilityId');
        const shipmentId = str(data, 'shipmentId');
        const shipped = shipmentId !== undefined ? this.shipments.get(shipmentId) : undefined;
        const fromOrg = shipped && str(shipped, 'fromOrgId');
        const fromFacility = shipped && str(shipped, 'fromFacilityId');
        return this.object(record, data, {
          action: 'OBSERVE',
          bizStep: 'receiving',
          disposition: 'in_progress',
          quantityList: quantity(num(data, 'receivedMassGrams')),
          ...(at ? { readPoint: { id: at }, bizLocation: { id: at } } : {}),
          ...list(
            'bizTransactionList',
            shipmentId !== undefined ? [{ type: 'desadv', bizTransaction: ids.shipment(shipmentId) }] : [],
          ),
          ...list(
            'sourceList',
            parties(
              ids,
              fromOrg,
              fromOrg && fromFacility ? ids.facility(fromOrg, fromFacility) : undefined,
              'source',
            ),
          ),
          ...list('destinationList', parties(ids, str(data, 'orgId'), at, 'destination')),
          ...extension('discrepancyKg', mapKg(num(data, 'discrepancyGrams'))),
        });
      }
      case 'BatchAssayed': {
        const grade =
          typeof data.grade === 'object' && data.grade !== null && !isWithheld(data.grade)
            ? (data.grade as Data)
            : {};
        const occurredAt = str(data, 'occurredAt');
        const reports = [
          ...Object.entries(grade).map(([analyte, percent]) => ({
            type: 'MassConcentration',
            chemicalSubstance: `${ids.vocabulary}analyte/${encodeURIComponent(analyte)}`,
            value: percent,
            uom: UOM.percent,
          })),
          ...(num(data, 'radioactivityBqPerG') !== undefined
            ? [
                {
                  type: 'Radioactivity',
                  value: Number((num(data, 'radioactivityBqPerG')! * 1000).toPrecision(15)),
                  uom: UOM.becquerelPerKg,
                },
              ]
            : []),
        ];
        return this.object(record, data, {
          action: 'OBSERVE',
          bizStep: 'inspecting',
          quantityList: quantity(undefined),
          ...list(
            'sensorElementList',
            reports.length > 0
              ? [{ ...(occurredAt ? { sensorMetadata: { time: occurredAt } } : {}), sensorReport: reports }]
              : [],
          ),
          ...extension('assayId', str(data, 'assayId')),
          ...extension('lab', str(data, 'lab')),
          ...extension('method', str(data, 'method')),
          ...extension('byOrgId', str(data, 'byOrgId')),
        });
      }
      case 'BatchHeld':
      case 'BatchReleased':
        return this.object(record, data, {
          action: 'OBSERVE',
          bizStep: 'holding',
          quantityList: quantity(undefined),
          persistentDisposition:
            record.type === 'BatchHeld' ? { set: [HOLD_DISPOSITION] } : { unset: [HOLD_DISPOSITION] },
          ...extension('reason', str(data, 'reason')),
          ...extension('authorityOrgId', str(data, 'authorityOrgId')),
        });
      case 'BatchExported': {
        const at = place('orgId', 'facilityId');
        const licenceId = str(data, 'licenceId');
        const customs = str(data, 'customsDeclarationNo');
        const exportId = str(data, 'exportId');
        return this.object(record, data, {
          action: 'OBSERVE',
          bizStep: 'departing',
          disposition: 'in_transit',
          quantityList: quantity(num(data, 'massGrams')),
          ...(at ? { readPoint: { id: at } } : {}),
          ...list('bizTransactionList', [
            ...(licenceId !== undefined
              ? [{ type: 'tl:licence', bizTransaction: ids.licence(licenceId) }]
              : []),
            ...(exportId !== undefined && customs !== undefined
              ? [
                  {
                    type: 'tl:customsDeclaration',
                    bizTransaction: `${ids.exportOf(exportId)}/customs/${encodeURIComponent(customs)}`,
                  },
                ]
              : []),
          ]),
          ...list('sourceList', parties(ids, str(data, 'orgId'), at, 'source')),
          ...[
            'exportId',
            'licenceId',
            'destinationCountry',
            'consignee',
            'endUser',
            'hsCode',
            'customsDeclarationNo',
            'port',
          ].reduce((fields, name) => ({ ...fields, ...extension(name, str(data, name)) }), {}),
        });
      }
      case 'TransformationRecorded': {
        const id = str(data, 'transformationId');
        const site = place('orgId', 'facilityId');
        const outputs = shown(data.outputs);
        return this.transformation(
          record,
          data,
          id === undefined ? undefined : ids.transformation(id),
          site,
          {
            inputQuantityList: shown(data.inputs).map((input) => classOf(ids, input, 'consumedGrams')),
            outputQuantityList: outputs.map((output) => classOf(ids, output, 'massGrams')),
            ...extension('process', str(data, 'process')),
            ...extension('processEmissionsKgCo2e', num(data, 'processEmissionsKgCo2e')),
            ...extension('unaccountedLossKg', mapKg(num(data, 'unaccountedLossGrams'))),
            ...(Array.isArray(data.residues)
              ? {
                  'tl:residues': shown(data.residues).map((r) => ({
                    kind: r.kind,
                    massKg: mapKg(r.massGrams as number),
                  })),
                }
              : {}),
            ...(outputs.length > 0
              ? {
                  'tl:outputs': outputs.map((output) => ({
                    batchId: output.batchId,
                    material: output.material,
                    ...(output.grade !== undefined ? { grade: output.grade } : {}),
                    allocation: output.allocation,
                  })),
                }
              : {}),
          },
        );
      }
      case 'BatchRefined':
      case 'BatchProduced': {
        const id = str(data, 'transformationId');
        if (id === undefined || this.declared.has(`t:${id}`)) return undefined;
        const site = place('orgId', 'facilityId');
        return this.transformation(record, data, ids.transformation(id), site, {
          ...(record.type === 'BatchRefined'
            ? { inputQuantityList: quantity(num(data, 'consumedGrams')) }
            : { outputQuantityList: quantity(num(data, 'massGrams')) }),
          ...extension('process', str(data, 'process')),
        });
      }
      case 'BatchSplit': {
        const id = str(data, 'splitId');
        const outputs = shown(data.outputs);
        const consumed = outputs.reduce(
          (sum, output) => sum + (typeof output.massGrams === 'number' ? output.massGrams : 0),
          0,
        );
        return this.transformation(
          record,
          data,
          id === undefined ? undefined : ids.split(id),
          place('orgId', 'facilityId'),
          {
            inputQuantityList: quantity(consumed),
            outputQuantityList: outputs.map((output) => classOf(ids, output, 'massGrams')),
          },
        );
      }
      case 'BatchSplitOff': {
        const id = str(data, 'splitId');
        if (id === undefined || this.declared.has(`s:${id}`)) return undefined;
        const parent = str(data, 'fromBatchId');
        return this.transformation(record, data, ids.split(id), place('orgId', 'facilityId'), {
          ...(parent !== undefined ? { inputQuantityList: [{ epcClass: ids.batch(parent) }] } : {}),
          outputQuantityList: quantity(num(data, 'massGrams')),
        });
      }
      case 'BlendProduced': {
        const id = str(data, 'blendId');
        const material =
          typeof data.material === 'object' && data.material !== null ? (data.material as Data) : {};
        return this.transformation(
          record,
          data,
          id === undefined ? undefined : ids.blend(id),
          place('orgId', 'facilityId'),
          {
            inputQuantityList: shown(data.inputs).map((input) => classOf(ids, input, 'consumedGrams')),
            outputQuantityList: quantity(num(data, 'massGrams')),
            ilmd: ilmdOf(material),
          },
        );
      }
      case 'BatchBlended': {
        const id = str(data, 'blendId');
        if (id === undefined || this.declared.has(`b:${id}`)) return undefined;
        const output = str(data, 'outputBatchId');
        return this.transformation(record, data, ids.blend(id), place('orgId', 'facilityId'), {
          inputQuantityList: quantity(num(data, 'consumedGrams')),
          ...(output !== undefined ? { outputQuantityList: [{ epcClass: ids.batch(output) }] } : {}),
        });
      }
      default:
        return undefined;
    }
  }

  /** The corrected event again, with an error declaration; a correction adds its corrective event. */
  private errorDeclared(record: LedgerRecord): EpcisEvent[] {
    const eventId = str(record.data, 'eventId');
    const original = eventId !== undefined ? this.mapped.get(eventId) : undefined;
    if (!original) return [];
    const corrected = record.type === 'EventCorrected' ? record.data.corrected : undefined;
    const correctedData =
      typeof corrected === 'object' && corrected !== null && !isWithheld(corrected)
        ? { ...original.record.data, ...(corrected as Data) }
        : undefined;
    const corrective =
      correctedData && this.eventOf({ ...record, type: original.record.type }, correctedData);
    const declared: EpcisEvent = {
      ...original.event,
      errorDeclaration: {
        declarationTime: recordTimeOf(record),
        reason: record.type === 'EventVoided' ? 'did_not_occur' : 'incorrect_data',
        ...(corrective ? { correctiveEventIDs: [this.ids.event(record.eventId)] } : {}),
        ...extension('reason', str(record.data, 'reason')),
      },
    };
    if (!corrective) return [declared];
    this.mapped.set(eventId!, { record: { ...original.record, data: correctedData }, event: corrective });
    return [declared, corrective];
  }

  private object(record: LedgerRecord, data: Data, fields: Record<string, unknown>): EpcisEvent {
    return { type: 'ObjectEvent', ...this.common(record, data), ...fields };
  }

  private transformation(
    record: LedgerRecord,
    data: Data,
    transformationID: string | undefined,
    site: string | undefined,
    fields: Record<string, unknown>,
  ): EpcisEvent | undefined {
    // Without its id (withheld) or any side of it, a transformation is no valid TransformationEvent.
    const sides = ['inputQuantityList', 'outputQuantityList'].filter(
      (side) => Array.isArray(fields[side]) && (fields[side] as unknown[]).length > 0,
    );
    if (transformationID === undefined || sides.length === 0) return undefined;
    const nonEmpty = Object.fromEntries(
      Object.entries(fields).filter(
        ([name, value]) => !(Array.isArray(value) && value.length === 0 && name.endsWith('List')),
      ),
    );
    return {
      type: 'TransformationEvent',
      ...this.common(record, data),
      transformationID,
      bizStep: 'commissioning',
      disposition: 'active',
      ...(site ? { readPoint: { id: site }, bizLocation: { id: site } } : {}),
      ...nonEmpty,
    };
  }

  private common(record: LedgerRecord, data: Data) {
    const eventTime = str(data, 'occurredAt') ?? recordTimeOf(record);
    const certificationInfo = this.certificatesFor(data, eventTime);
    return {
      eventID: this.ids.event(record.eventId),
      eventTime,
      eventTimeZoneOffset: timeZoneOffsetOf(eventTime),
      recordTime: recordTimeOf(record),
      ...(certificationInfo.length > 0 ? { certificationInfo } : {}),
    };
  }

  /** The certificates in the set valid at the event's time for its batch, facility or organisation. */
  private certificatesFor(data: Data, eventTime: string): string[] {
    const at = Date.parse(eventTime);
    const batchIds = new Set([str(data, 'batchId')]);
    const orgIds = new Set(['orgId', 'fromOrgId', 'toOrgId'].map((name) => str(data, name)).filter(Boolean));
    const facilities = new Set(
      [
        ['orgId', 'facilityId'],
        ['fromOrgId', 'fromFacilityId'],
        ['toOrgId', 'toFacilityId'],
      ].map(([org, facility]) => `${str(data, org!)}/${str(data, facility!)}`),
    );
    return this.certificates
      .filter((certificate) => {
        const { subject } = certificate;
        const about =
          (subject.type === 'batch' && batchIds.has(str(subject, 'id'))) ||
          (subject.type === 'organisation' && orgIds.has(str(subject, 'id'))) ||
          (subject.type === 'facility' && facilities.has(`${str(subject, 'orgId')}/${str(subject, 'id')}`));
        const valid =
          Date.parse(certificate.validFrom) <= at &&
          at < Date.parse(certificate.validUntil) &&
          (certificate.revokedAt === undefined || at < Date.parse(certificate.revokedAt));
        return about && valid;
      })
      .map((certificate) => this.ids.certificate(certificate.id));
  }
}

const recordTimeOf = (record: LedgerRecord) =>
  typeof record.metadata.recordedAt === 'string' ? record.metadata.recordedAt : record.recordedAt;

const mapKg = (grams: number | undefined) => (grams === undefined ? undefined : kilograms(grams));

const extension = (name: string, value: unknown) =>
  value === undefined || isWithheld(value) ? {} : { [`tl:${name}`]: value };

const list = (name: string, items: readonly unknown[]) => (items.length > 0 ? { [name]: items } : {});

function ilmdOf(material: Data): Record<string, unknown> {
  return {
    ...(typeof material.form === 'string' ? { 'tl:form': material.form } : {}),
    ...(Array.isArray(material.elements) ? { 'tl:elements': material.elements } : {}),
    ...(typeof material.grade === 'object' && material.grade !== null ? { 'tl:grade': material.grade } : {}),
  };
}

function classOf(ids: EpcisIds, item: Data, gramsField: string): QuantityElement {
  const batchId = String(item.batchId);
  const grams = item[gramsField];
  return typeof grams === 'number'
    ? { epcClass: ids.batch(batchId), quantity: kilograms(grams), uom: UOM.kilogram }
    : { epcClass: ids.batch(batchId) };
}

function parties(
  ids: EpcisIds,
  orgId: string | undefined,
  location: string | undefined,
  side: 'source' | 'destination',
) {
  return [
    ...(orgId !== undefined ? [{ type: 'owning_party', [side]: ids.organisation(orgId) }] : []),
    ...(location !== undefined ? [{ type: 'location', [side]: location }] : []),
  ];
}
