import type { DisclosureScope, LedgerEvent } from '@tracelode/domain';
import { derivationOf, isDeriving } from '../derivation';
import { type DocumentProjection, NO_VIEWS, type ViewLookup } from '../document-projection';
import { LICENCES, type LicenceView } from '../licences.projection';
import { facilityCountry, PROVENANCE, type ProvenanceView } from '../provenance.projection';

/**
 * Log positions are kept as decimal strings, as every view keeps them; `through: null` is a segment still
 * open. Every relationship records the position it began at (and a revocation the position it ended at),
 * so the relationships as of an earlier position are this document read at that position — the log is
 * append-only, and nothing here is ever forgotten (docs/visibility.md, ADR 0023).
 */
export interface CustodySegment {
  /** The event by which the organisation acquired the batch (mined, produced or received it). */
  readonly from: string;
  /** The next custodian's receipt that ended it (inclusive), or null while it is open. */
  readonly through: string | null;
}

export interface DisclosureRecord {
  readonly byOrgId: string;
  readonly toOrgId: string;
  readonly scope: DisclosureScope;
  readonly until: string | null;
  readonly from: string;
  readonly revokedAt: string | null;
}

/** Who stands in which relationship to one batch, each from the log position it began at. */
export interface BatchRelationships {
  readonly batchId: string;
  /** The organisation in custody now (its segment is the open one). */
  readonly custodianOrgId: string;
  /** Organisations that held custody, with their segments in log order. */
  readonly participants: Readonly<Record<string, readonly CustodySegment[]>>;
  /** Organisations that held a descendant (through transformations): position they first did. */
  readonly downstream: Readonly<Record<string, string>>;
  /** Facilities where an event of the batch happened (`orgId/facilityId`), and countries of those. */
  readonly facilities: Readonly<Record<string, string>>;
  readonly countries: Readonly<Record<string, string>>;
  /** Regulators that placed a hold on it. */
  readonly holders: Readonly<Record<string, string>>;
  /** Regulators that granted the licence it was exported under. */
  readonly licensors: Readonly<Record<string, string>>;
  readonly disclosures: Readonly<Record<string, DisclosureRecord>>;
}

export const BATCH_RELATIONSHIPS = 'batch_relationships';

/** Where an event of the batch happened: its facility, and the organisation it belongs to. */
function placeOf(event: LedgerEvent): { orgId: string; facilityId: string } | undefined {
  switch (event.type) {
    case 'BatchMined':
    case 'BatchProduced':
    case 'BatchRefined':
    case 'BatchSplit':
    case 'BatchSplitOff':
    case 'BatchBlended':
    case 'BlendProduced':
    case 'BatchReceived':
    case 'BatchExported':
      return { orgId: event.data.orgId, facilityId: event.data.facilityId };
    case 'BatchShipped':
      return { orgId: event.data.fromOrgId, facilityId: event.data.fromFacilityId };
    default:
      return undefined;
  }
}

const RELATED_EVENTS = new Set<string>([
  'BatchMined',
  'BatchProduced',
  'BatchRefined',
  'BatchSplit',
  'BatchSplitOff',
  'BatchBlended',
  'BlendProduced',
  'BatchShipped',
  'BatchReceived',
  'BatchExported',
  'BatchHeld',
  'DisclosureGranted',
  'DisclosureRevoked',
]);

/**
 * The relationships of every batch to the organisations that may read it, kept as the log is followed so
 * a read costs one document, never a walk of the chain. Becoming a downstream holder is the one change
 * that reaches other documents: a batch's new maker or receiver is recorded on each of its ancestors, once
 * (the walk stops at an ancestor that already names it, whose own ancestors then do too).
 */
export const relationshipsProjection: DocumentProjection<BatchRelationships> = {
  collection: BATCH_RELATIONSHIPS,
  keyOf: (event) =>
    RELATED_EVENTS.has(event.type) ? (event.data as { batchId: string }).batchId : undefined,
  termsOf: relationshipTerms,
  evolve(view, event, stored, lookup = NO_VIEWS) {
    const position = stored.position.toString();
    let next: BatchRelationships =
      event.type === 'BatchMined' || isDeriving(event)
        ? {
            batchId: event.data.batchId,
            custodianOrgId: event.data.orgId,
            participants: { [event.data.orgId]: [{ from: position, through: null }] },
            downstream: {},
            facilities: {},
            countries: {},
            holders: {},
            licensors: {},
            disclosures: {},
          }
        : (view ?? missing(event));
    const place = placeOf(event);
    if (place) next = atPlace(next, place, position, lookup);
    switch (event.type) {
      case 'BatchReceived':
        return received(next, event.data.orgId, position);
      case 'BatchHeld':
        return addOnce(next, 'holders', event.data.authorityOrgId, position);
      case 'BatchExported': {
        const licence = lookup(LICENCES, event.data.licenceId) as LicenceView | undefined;
        return licence ? addOnce(next, 'licensors', licence.authorityOrgId, position) : next;
      }
      case 'DisclosureGranted': {
        const { disclosureId, byOrgId, toOrgId, scope, until } = event.data;
        const record = { byOrgId, toOrgId, scope, until: until ?? null, from: position, revokedAt: null };
        return { ...next, disclosures: { ...next.disclosures, [disclosureId]: record } };
      }
      case 'DisclosureRevoked': {
        const record = next.disclosures[event.data.disclosureId];
        if (!record) return next;
        const revoked = { ...record, revokedAt: position };
        return { ...next, disclosures: { ...next.disclosures, [event.data.disclosureId]: revoked } };
      }
      default:
        return next;
    }
  },
  alsoChanges(event, lookup, stored) {
    if (!isDeriving(event) && event.type !== 'BatchReceived') return [];
    const holder = event.data.orgId;
    const position = stored.position.toString();
    const changes: [string, (view: BatchRelationships | undefined) => BatchRelationships][] = [];
    const seen = new Set<string>();
    // A transformation's, split's or blend's new batch: its inputs (a transformation's from its declaration).
    const queue = isDeriving(event)
      ? derivationOf(event, lookup).inputs.map((input) => input.batchId)
      : parentsOf(event.data.batchId, lookup);
    for (let next = 0; next < queue.length; next++) {
      const ancestorId = queue[next]!;
      if (seen.has(ancestorId)) continue;
      seen.add(ancestorId);
      const ancestor = lookup(BATCH_RELATIONSHIPS, ancestorId) as BatchRelationships | undefined;
      // An ancestor that already names the holder: its own ancestors were given it at the same time.
      if (!ancestor || ancestor.downstream[holder] !== undefined) continue;
      changes.push([ancestorId, (view) => addOnce(view ?? missing(event), 'downstream', holder, position)]);
      queue.push(...parentsOf(ancestorId, lookup));
    }
    return changes;
  },
};

const parentsOf = (batchId: string, lookup: ViewLookup): string[] =>
  ((lookup(PROVENANCE, batchId) as ProvenanceView | undefined)?.parents ?? []).map(
    (parent) => parent.batchId,
  );

function missing(event: LedgerEvent): never {
  throw new Error(`${event.type} for a batch that was never mined or produced`);
}

function atPlace(
  view: BatchRelationships,
  { orgId, facilityId }: { orgId: string; facilityId: string },
  position: string,
  lookup: ViewLookup,
): BatchRelationships {
  const withFacility = addOnce(view, 'facilities', `${orgId}/${facilityId}`, position);
  const country = facilityCountry(lookup, orgId, facilityId);
  return country === null ? withFacility : addOnce(withFacility, 'countries', country, position);
}

type PositionMap = 'downstream' | 'facilities' | 'countries' | 'holders' | 'licensors';

function addOnce(view: BatchRelationships, field: PositionMap, key: string, position: string) {
  if (view[field][key] !== undefined) return view;
  return { ...view, [field]: { ...view[field], [key]: position } };
}

/** A receipt by another organisation ends the custodian's segment (inclusive) and opens the receiver's. */
function received(view: BatchRelationships, receiver: string, position: string): BatchRelationships {
  const custodian = view.custodianOrgId;
  if (receiver === custodian) return view;
  const close = (segments: readonly CustodySegment[] = []) =>
    segments.map((segment) => (segment.through === null ? { ...segment, through: position } : segment));
  const participants = {
    ...view.participants,
    [custodian]: close(view.participants[custodian]),
    [receiver]: [...(view.participants[receiver] ?? []), { from: position, through: null }],
  };
  return { ...view, custodianOrgId: receiver, participants };
}

/**
 * Who may find the batch in `GET /batches` (libs/projections/src/batch-list.ts): the organisations related
 * to it (`org:`), the countries of its facilities (`country:`, for competent regulators) and the subjects a
 * certificate may engage a certifier on (`subject:`). A superset of its readers: each listed batch is still
 * checked against the policy (`accessTo`), which also judges revocations and `until`.
 */
export function relationshipTerms(view: BatchRelationships): string[] {
  const orgs = new Set<string>([
    ...Object.keys(view.participants),
    ...Object.keys(view.downstream),
    ...Object.keys(view.holders),
    ...Object.keys(view.licensors),
    ...Object.values(view.disclosures).map((disclosure) => disclosure.toOrgId),
  ]);
  return [
    ...[...orgs].map((orgId) => `org:${orgId}`),
    ...Object.keys(view.countries).map((country) => `country:${country}`),
    `subject:batch:${view.batchId}`,
    ...Object.keys(view.facilities).map((facility) => `subject:facility:${facility}`),
    ...Object.keys(view.participants).map((orgId) => `subject:organisation:${orgId}`),
  ];
}
