import { type BatchAccess, inWindows, type Reader, readsEverything } from './access';

/** An event as the policy judges it: its type, data, log position and (optionally) its envelope. */
export interface PolicyEvent {
  readonly type: string;
  readonly position: bigint | string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What the reader's relationships give, at the moment read: the questions `withheldFor` asks. */
export interface ReaderRelationships {
  /** What the reader may see of a batch (undefined: nothing). */
  batch(batchId: string): BatchAccess | undefined;
  /** Whether the reader may read a licence (its holder, its granting regulator, an auditor). */
  licence(licenceId: string): boolean;
  /** Whether the reader may know an organisation's identity (it appears in what the reader may see). */
  identified(orgId: string): boolean;
}

/**
 * Per batch event type, the fields a reader who may not see the event whole is not shown: who held,
 * shipped, received, exported, assayed or held it, and the references (shipments, documents, consignees,
 * licences) that would name them. Mined, produced and refined events name the mine and the transformation
 * site, which a downstream holder may know (OECD due diligence identifies smelters and refiners).
 */
const CUSTODY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  BatchMined: [],
  BatchProduced: [],
  BatchRefined: ['remainingGrams'],
  BatchSplit: ['remainingGrams'],
  BatchSplitOff: [],
  BatchBlended: ['remainingGrams'],
  BlendProduced: [],
  // Who corrected, and why. What it changed is judged as the corrected event is (`correctionWithheld`).
  EventCorrected: ['byOrgId', 'reason'],
  EventVoided: ['byOrgId', 'reason'],
  BatchShipped: ['shipmentId', 'fromOrgId', 'fromFacilityId', 'toOrgId', 'toFacilityId', 'documents'],
  BatchReceived: ['shipmentId', 'orgId', 'facilityId'],
  BatchExported: [
    'exportId',
    'licenceId',
    'orgId',
    'facilityId',
    'consignee',
    'endUser',
    'hsCode',
    'customsDeclarationNo',
    'port',
  ],
  BatchAssayed: ['assayId', 'byOrgId', 'lab'],
  BatchHeld: ['authorityOrgId', 'reason'],
  BatchReleased: ['authorityOrgId', 'reason'],
  DisclosureGranted: ['disclosureId', 'byOrgId', 'toOrgId', 'scope', 'until'],
  DisclosureRevoked: ['disclosureId', 'byOrgId', 'toOrgId'],
};

const DISCLOSURES = new Set(['DisclosureGranted', 'DisclosureRevoked']);
/** Events that name an organisation or its place: a GLN does too (GS1 resolves it to both). */
const ORGANISATION_NAMING = new Set(['OrganisationRegistered', 'FacilityRegistered', 'GlnAssigned']);

/**
 * The paths (`data.consignee`, `data.outputBatchIds[3]`, `metadata.signedRequest`) of an event that
 * `reader` must have withheld, by docs/visibility.md: none of an event it may see whole; of the rest, the
 * fields that name custody-only parties and references, sibling outputs it has no claim on, and — whenever
 * a data field is withheld — the envelope's actor and signed request (the request's Content-Digest covers
 * the whole body, so it would let a reader test guesses of the withheld values). Pure: the caller gives
 * the relationships as of the moment read.
 */
export function withheldFor(
  reader: Reader,
  event: PolicyEvent,
  relationships: ReaderRelationships,
): string[] {
  if (readsEverything(reader)) return [];
  const fields = withheldData(reader, event, relationships).filter((field) => present(event.data, field));
  if (fields.length === 0) return [];
  return [...fields.map((field) => `data.${field}`), ...envelopePaths(event)];
}

function withheldData(reader: Reader, event: PolicyEvent, relationships: ReaderRelationships): string[] {
  const data = event.data;
  if (event.type === 'EventCorrected') return correctionWithheld(reader, event, relationships);
  const custody = CUSTODY_FIELDS[event.type];
  if (custody !== undefined && typeof data.batchId === 'string') {
    if (DISCLOSURES.has(event.type)) {
      const party = data.byOrgId === reader.orgId || data.toOrgId === reader.orgId;
      return party ? [] : [...custody];
    }
    const access = relationships.batch(data.batchId);
    if (access?.kind === 'full') return [];
    if (access?.kind === 'partial' && inWindows(access.windows, event.position)) return [];
    if (event.type === 'BatchRefined') {
      // A schema-1 event lists the transformation's outputs (ADR 0021): siblings it has no claim on.
      const outputs = Array.isArray(data.outputBatchIds) ? (data.outputBatchIds as unknown[]) : [];
      const siblings = outputs.flatMap((output, index) =>
        typeof output === 'string' && relationships.batch(output) ? [] : [`outputBatchIds[${index}]`],
      );
      return [...custody, ...siblings];
    }
    if (event.type === 'BatchSplit') return [...custody, ...siblingOutputs(data.outputs, relationships)];
    return custody.filter((field) => !namesAnIdentifiedParty(event, field, relationships));
  }
  if (event.type === 'TransformationRecorded') {
    // The declaration names every output once (ADR 0021): the sibling outputs a reader has no claim on.
    return siblingOutputs(data.outputs, relationships);
  }
  if (event.type.startsWith('Licence') && typeof data.licenceId === 'string') {
    return relationships.licence(data.licenceId)
      ? []
      : Object.keys(data).filter((key) => key !== 'licenceId');
  }
  if (ORGANISATION_NAMING.has(event.type) && typeof data.orgId === 'string') {
    if (data.orgId === reader.orgId || relationships.identified(data.orgId)) return [];
    return ['name', 'lat', 'lon', 'gln'];
  }
  return [];
}

/** The top-level fields of a correction that carry what it changed (ADR 0024). */
const CHANGED_FIELDS = ['changes', 'corrected', 'previous'] as const;

/**
 * What a correction withholds (ADR 0024, docs/visibility.md): never more shown than the corrected event
 * itself would show the reader. On a licence's stream, everything but the licence for a non-reader of it, as
 * the licence's own events. Otherwise who corrected and why (as a batch's custody steps are; on a
 * transformation's stream, unless it corrected it or may see a lot it names), and each of `changes`,
 * `corrected`, `previous` and `downstream` whole (a bundle commits top-level fields) when a value in it is
 * one the corrected (or following) event withholds from the reader — a sibling output it has no claim on,
 * an export's reference or customs fields — and `exportId` when the export's is withheld.
 */
function correctionWithheld(
  reader: Reader,
  event: PolicyEvent,
  relationships: ReaderRelationships,
): string[] {
  const data = event.data;
  if (typeof data.licenceId === 'string') {
    return relationships.licence(data.licenceId)
      ? []
      : Object.keys(data).filter((key) => key !== 'licenceId');
  }
  const withheld: string[] = [];
  const seesStep = (batchId: string): boolean => {
    const access = relationships.batch(batchId);
    return (
      access?.kind === 'full' || (access?.kind === 'partial' && inWindows(access.windows, event.position))
    );
  };
  if (typeof data.batchId === 'string') {
    if (!seesStep(data.batchId)) withheld.push('byOrgId', 'reason');
  } else if (data.byOrgId !== reader.orgId && !namedLots(data).some(seesStep)) {
    withheld.push('byOrgId', 'reason');
  }
  const eventType = typeof data.eventType === 'string' ? data.eventType : '';
  const stream = typeof data.batchId === 'string' ? { batchId: data.batchId } : {};
  const hides = (type: string, values: unknown): boolean => {
    if (!isRecord(values)) return false;
    if (siblingOutputs(values.outputs, relationships).length > 0) return true;
    if (type === 'EventCorrected' || type === 'EventVoided') return false;
    const corrected = { type, position: event.position, data: { ...values, ...stream } };
    const fields = withheldData(reader, corrected, relationships).map((field) =>
      field.replace(ELEMENT, '$1'),
    );
    return fields.some((field) => field in values && !(field in stream));
  };
  for (const field of CHANGED_FIELDS) if (hides(eventType, data[field])) withheld.push(field);
  if (data.exportId !== undefined && hides('BatchExported', { exportId: data.exportId })) {
    withheld.push('exportId');
  }
  const downstream = Array.isArray(data.downstream) ? (data.downstream as unknown[]) : [];
  const followingHides = downstream.some((record) => {
    if (!isRecord(record)) return false;
    const type = typeof record.eventType === 'string' ? record.eventType : '';
    const exportId = record.exportId === undefined ? {} : { exportId: record.exportId };
    const values = {
      ...(isRecord(record.previous) ? record.previous : {}),
      ...(isRecord(record.corrected) ? record.corrected : {}),
    };
    return hides(type, { ...values, ...exportId }) || hides('BatchExported', exportId);
  });
  if (followingHides) withheld.push('downstream');
  return withheld;
}

/** The lots a correction's lists (`inputs`, `outputs` of what it changed) name. */
function namedLots(data: Readonly<Record<string, unknown>>): string[] {
  return CHANGED_FIELDS.flatMap((field) => {
    const values = data[field];
    if (!isRecord(values)) return [];
    return [values.inputs, values.outputs].flatMap((list) =>
      Array.isArray(list)
        ? list.flatMap((item: unknown) =>
            isRecord(item) && typeof item.batchId === 'string' ? [item.batchId] : [],
          )
        : [],
    );
  });
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A shipment's or receipt's party the reader may identify (a mine or a transformation site of the chain,
 * or itself): its organisation and facility stay shown — they are what a certification of the step rests on.
 */
const PARTY_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  BatchShipped: {
    fromOrgId: 'fromOrgId',
    fromFacilityId: 'fromOrgId',
    toOrgId: 'toOrgId',
    toFacilityId: 'toOrgId',
  },
  BatchReceived: { orgId: 'orgId', facilityId: 'orgId' },
};

function namesAnIdentifiedParty(
  event: PolicyEvent,
  field: string,
  relationships: ReaderRelationships,
): boolean {
  const orgField = PARTY_FIELDS[event.type]?.[field];
  const orgId = orgField === undefined ? undefined : event.data[orgField];
  return typeof orgId === 'string' && relationships.identified(orgId);
}

/** `outputs[i]` of each output (an object with a `batchId`) the reader may not read. */
function siblingOutputs(outputs: unknown, relationships: ReaderRelationships): string[] {
  if (!Array.isArray(outputs)) return [];
  return outputs.flatMap((output: unknown, index) => {
    const batchId = (output as { batchId?: unknown } | null)?.batchId;
    return typeof batchId === 'string' && relationships.batch(batchId) ? [] : [`outputs[${index}]`];
  });
}

function envelopePaths(event: PolicyEvent): string[] {
  const metadata = event.metadata;
  if (!metadata) return ['metadata.actor', 'metadata.signedRequest'];
  return ['actor', 'signedRequest']
    .filter((key) => metadata[key] !== undefined)
    .map((key) => `metadata.${key}`);
}

const ELEMENT = /^(\w+)\[(\d+)\]$/;

function present(data: Readonly<Record<string, unknown>>, field: string): boolean {
  const element = ELEMENT.exec(field);
  if (element) {
    const list = data[element[1]!];
    return Array.isArray(list) && Number(element[2]) < list.length;
  }
  return data[field] !== undefined;
}

/**
 * A copy of an event (data and envelope) without the withheld paths: a field is left out, an array
 * element becomes null (so the others keep their places). For reads that show events, not for proofs:
 * a bundle proves withheld fields through commitments instead.
 */
export function withoutWithheld<E extends PolicyEvent>(event: E, paths: readonly string[]): E {
  if (paths.length === 0) return event;
  const data: Record<string, unknown> = { ...event.data };
  const metadata: Record<string, unknown> = { ...event.metadata };
  for (const path of paths) {
    const [part, field = ''] = [path.slice(0, path.indexOf('.')), path.slice(path.indexOf('.') + 1)];
    const target = part === 'data' ? data : metadata;
    const element = ELEMENT.exec(field);
    if (element) {
      const list = [...((target[element[1]!] as unknown[] | undefined) ?? [])];
      list[Number(element[2])] = null;
      target[element[1]!] = list;
    } else delete target[field];
  }
  return { ...event, data, ...(event.metadata ? { metadata } : {}) };
}
