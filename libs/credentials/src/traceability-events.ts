import type { BatchCustodyView, TimelineEntry } from '@tracelode/projections';
import { type Credential, type CredentialIssuer, type StatusListEntry, VC_CONTEXT_V2 } from './vc';
import { batchUrl, facilityUri, materialName, organisationUri } from './identifiers';

/** UNTP DTE v0.6 JSON-LD context (data-models/untp-dte, context of the 0.6.x schema). */
export const UNTP_DTE_CONTEXT = 'https://test.uncefact.org/vocabulary/untp/dte/0.6.0/';
/** GS1 CBV 2.0 vocabularies the DTE schema draws bizStep and disposition from. */
const BIZ_STEP = 'https://ref.gs1.org/cbv/BizStep-';
const DISPOSITION = 'https://ref.gs1.org/cbv/Disp-';
/** A party whose identity the reader may not see (docs/visibility.md): TransactionEvent requires one. */
export const UNDISCLOSED_PARTY = 'urn:tracelode:party:undisclosed';

export interface TraceabilitySource {
  readonly publicUrl: string;
  readonly issuer: CredentialIssuer;
  readonly id: string;
  readonly validFrom: string;
  readonly status?: StatusListEntry;
  /** The batch and its ancestors, as the reader may see them (custody views). */
  readonly chain: readonly BatchCustodyView[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const grams = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * The chain of a batch as UNTP traceability events (a DigitalTraceabilityEvent credential, v0.6): each
 * visible timeline entry of the batch and its ancestors, in log order, as an ObjectEvent (mined, received,
 * assayed, held, released), a TransactionEvent (shipped, exported) or a TransformationEvent (produced,
 * split off, blended). Entries a correction changed are shown as corrected; voided entries are left out.
 */
export function toTraceabilityEvents(source: TraceabilitySource): Credential {
  const names = new Map(source.chain.map((view) => [view.batchId, materialName(view.material)]));
  const quantity = (batchId: string, massGrams: number | undefined) => ({
    type: ['QuantityElement'],
    productId: batchUrl(source.publicUrl, batchId),
    productName: names.get(batchId) ?? batchId,
    quantity: (massGrams ?? 0) / 1000,
    uom: 'KGM',
  });
  const entries = source.chain
    .flatMap((view) => view.timeline.map((entry) => ({ view, entry })))
    .filter(({ entry }) => !entry.voided)
    .sort((a, b) => Number(a.entry.position) - Number(b.entry.position));
  // An assay or a hold names no facility: it happened where the lot was, as its last located event left it.
  const lastLocation = new Map<string, string>();
  const events = entries.flatMap(({ view, entry }) => {
    const event = toEvent(view, entry, quantity);
    if (!event) return [];
    const located = 'bizLocation' in event ? event.bizLocation : lastLocation.get(view.batchId);
    if (located) lastLocation.set(view.batchId, located);
    return [located ? { ...event, bizLocation: located } : event];
  });
  return {
    '@context': [VC_CONTEXT_V2, UNTP_DTE_CONTEXT],
    type: ['DigitalTraceabilityEvent', 'VerifiableCredential'],
    id: source.id,
    issuer: source.issuer,
    validFrom: source.validFrom,
    ...(source.status && { credentialStatus: source.status }),
    credentialSubject: events,
  };
}

type Quantity = (batchId: string, massGrams: number | undefined) => Record<string, unknown>;

function toEvent(view: BatchCustodyView, entry: TimelineEntry, quantity: Quantity) {
  const details = entry.details;
  const at = (orgId: unknown, facilityId: unknown) => {
    const org = text(orgId);
    const facility = text(facilityId);
    return org && facility ? { bizLocation: facilityUri(org, facility) } : {};
  };
  const common = {
    id: `urn:uuid:${entry.eventId}`,
    eventTime: entry.occurredAt,
    // Tracelode extension: when the ledger recorded it (ADR 0017) and the batch it is an event of.
    recordedTime: entry.recordedAt,
    batchId: view.batchId,
  };
  const object = (
    bizStep: string,
    disposition: string,
    action: 'add' | 'observe',
    processType: string,
    massGrams: number | undefined,
  ) => ({
    type: ['ObjectEvent', 'Event'],
    ...common,
    processType,
    action,
    bizStep: `${BIZ_STEP}${bizStep}`,
    disposition: `${DISPOSITION}${disposition}`,
    ...at(details.orgId ?? details.byOrgId ?? view.custodian.orgId, details.facilityId),
    quantityList: [quantity(view.batchId, massGrams)],
  });
  switch (entry.type) {
    case 'BatchMined':
      return object('commissioning', 'active', 'add', 'mining', grams(details.massGrams));
    case 'BatchReceived':
      return object('receiving', 'in_progress', 'observe', 'receipt', grams(details.receivedMassGrams));
    case 'BatchAssayed':
      return object('inspecting', 'active', 'observe', 'assay', undefined);
    case 'BatchHeld':
      return object('holding', 'non_sellable_other', 'observe', 'regulatory hold', undefined);
    case 'BatchReleased':
      return object('holding', 'active', 'observe', 'hold released', undefined);
    case 'BatchShipped':
    case 'BatchExported': {
      const shipped = entry.type === 'BatchShipped';
      return {
        type: ['TransactionEvent', 'Event'],
        ...common,
        processType: shipped ? 'shipment' : 'export',
        action: 'observe',
        bizStep: `${BIZ_STEP}shipping`,
        disposition: `${DISPOSITION}in_transit`,
        ...(shipped ? at(details.fromOrgId, details.fromFacilityId) : at(details.orgId, details.facilityId)),
        sourceParty: organisationOrUndisclosed(shipped ? details.fromOrgId : details.orgId),
        destinationParty: shipped
          ? organisationOrUndisclosed(details.toOrgId)
          : text(details.consignee)
            ? `urn:tracelode:consignee:${encodeURIComponent(text(details.consignee)!)}`
            : UNDISCLOSED_PARTY,
        quantityList: [quantity(view.batchId, grams(details.massGrams))],
      };
    }
    case 'BatchProduced':
    case 'BatchSplitOff':
    case 'BlendProduced': {
      const inputs =
        entry.type === 'BatchSplitOff'
          ? [{ batchId: text(details.fromBatchId) ?? '', consumedGrams: grams(details.massGrams) }]
          : ((details.inputs ?? []) as { batchId: string; consumedGrams: number }[]);
      return {
        type: ['TransformationEvent', 'Event'],
        ...common,
        processType:
          entry.type === 'BatchProduced'
            ? (text(details.process) ?? 'transformation')
            : entry.type === 'BatchSplitOff'
              ? 'split'
              : 'blend',
        action: 'add',
        bizStep: `${BIZ_STEP}commissioning`,
        disposition: `${DISPOSITION}active`,
        ...at(details.orgId, details.facilityId),
        inputQuantityList: inputs.map((input) => quantity(input.batchId, input.consumedGrams)),
        outputQuantityList: [quantity(view.batchId, grams(details.massGrams))],
      };
    }
    default:
      // Refinings are the input side of a transformation its outputs' events show; disclosures, corrections
      // and voids are not supply-chain events.
      return undefined;
  }
}

function organisationOrUndisclosed(orgId: unknown): string {
  const id = text(orgId);
  return id ? organisationUri(id) : UNDISCLOSED_PARTY;
}
