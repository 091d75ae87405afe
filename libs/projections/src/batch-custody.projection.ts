import {
  type CustodyStatus,
  decodeEvent,
  gramsToKg,
  isLate,
  type LedgerEvent,
  type Material,
} from '@tracelode/domain';
import { isWithheld, type StoredEvent, type Withheld } from '@tracelode/event-store';
import { type DocumentProjection, NO_VIEWS } from './document-projection';
import { recordedAtOf } from './recorded-at';
import { type ViewLookup } from './document-projection';
import { withTransformationLists } from './transformations.projection';

/** A correction of a timeline entry: who, when and why, and the fields before and after. */
export interface EntryCorrection {
  readonly correctionId: string;
  readonly byOrgId: string;
  readonly reason: string;
  readonly recordedAt: string;
  readonly position: string;
  readonly previous: Record<string, unknown>;
  readonly corrected: Record<string, unknown>;
}

export interface TimelineEntry {
  /** The stored event's id: what a correction or a void names. */
  readonly eventId: string;
  readonly position: string;
  readonly type: string;
  readonly occurredAt: string;
  /** When the ledger learnt of it (its clock when the command arrived). */
  readonly recordedAt: string;
  /** Recorded more than 72 hours after it occurred: a late report (ADR 0017). */
  readonly late: boolean;
  /** Withheld (`{"...": digest}`) in an audit bundle that withholds the event's actor (ADR 0022). */
  readonly actorOrgId: string | Withheld | null;
  /** The event's data as it stands: corrections applied (the original values are in `corrections`). */
  readonly details: Record<string, unknown>;
  /** Corrections of this event, oldest first (absent when none). */
  readonly corrections?: readonly EntryCorrection[];
  /** Set when the event was voided: it no longer counts. */
  readonly voided?: {
    readonly voidId: string;
    readonly byOrgId: string;
    readonly reason: string;
    readonly recordedAt: string;
  };
}

/** The chain-of-custody view of one batch. */
export interface BatchCustodyView {
  readonly batchId: string;
  /** `held` while a hold is in force, otherwise the custody status. */
  readonly status: CustodyStatus | 'held';
  readonly custodyStatus: CustodyStatus;
  readonly held: boolean;
  /**
   * The nearest held ancestor. Always null here: it is read from the held-upstream view (`heldAncestorOf`)
   * when the custody view is served, and the field keeps the stored and served shapes equal.
   */
  readonly heldVia: string | null;
  readonly custodian: { readonly orgId: string; readonly facilityId: string };
  readonly massKg: number;
  readonly remainingMassKg: number;
  readonly material: Material;
  readonly openShipment: {
    readonly shipmentId: string;
    readonly toOrgId: string;
    readonly toFacilityId: string;
    readonly massKg: number;
    readonly occurredAt: string;
  } | null;
  readonly timeline: readonly TimelineEntry[];
  /** Log position of the last event of this batch that the view reflects. */
  readonly position: string;
}

export const BATCH_CUSTODY = 'batch_custody';

const BATCH_EVENTS = new Set<string>([
  'BatchMined',
  'BatchAssayed',
  'BatchShipped',
  'BatchReceived',
  'BatchHeld',
  'BatchReleased',
  'BatchRefined',
  'BatchProduced',
  'BatchExported',
  'BatchSplit',
  'BatchSplitOff',
  'BatchBlended',
  'BlendProduced',
  'EventCorrected',
  'EventVoided',
]);

export const batchCustodyProjection: DocumentProjection<BatchCustodyView> = {
  collection: BATCH_CUSTODY,
  keyOf: (event) => (BATCH_EVENTS.has(event.type) ? (event.data as { batchId: string }).batchId : undefined),
  evolve(view, event, stored, lookup = NO_VIEWS, owned = false) {
    const recordedAt = recordedAtOf(stored);
    const next =
      event.type === 'EventCorrected' || event.type === 'EventVoided'
        ? changed(view, event, recordedAt, stored.position.toString(), lookup)
        : apply(view, event);
    // A transformation's event shows its transformation's lists, as it did when each event carried them.
    const { batchId: _batchId, ...details } = withTransformationLists(event, lookup);
    const occurredAt = (event.data as { occurredAt?: string }).occurredAt ?? recordedAt;
    const entry: TimelineEntry = {
      eventId: stored.eventId,
      position: stored.position.toString(),
      type: event.type,
      occurredAt,
      recordedAt,
      late: isLate(occurredAt, recordedAt),
      actorOrgId: actorOrgIdOf(stored),
      details,
    };
    // A lot assayed 5,000 times has a 5,000-entry timeline: copying it per event would make a history
    // quadratic to project, so a document the runner hands over is appended to in place.
    const timeline = owned ? next.timeline : [...next.timeline];
    (timeline as TimelineEntry[]).push(entry);
    return { ...next, timeline, position: stored.position.toString() };
  },
};

/**
 * The custody view that some of a batch's timeline entries alone give (for a reader who may see only
 * those: docs/visibility.md): each entry is re-applied as the event it records.
 */
export function custodyFromEntries(
  batchId: string,
  entries: readonly TimelineEntry[],
): BatchCustodyView | undefined {
  let view: BatchCustodyView | undefined;
  for (const entry of entries) {
    // An entry's details are as corrected (ADR 0024); a voided event no longer counts, and a correction's
    // or void's own entry has already been applied to the entry it names.
    if (entry.voided || entry.type === 'EventCorrected' || entry.type === 'EventVoided') continue;
    const event = { type: entry.type, data: { ...entry.details, batchId } } as LedgerEvent;
    if (!view && event.type !== 'BatchMined' && event.type !== 'BatchProduced') continue;
    view = apply(view, event);
  }
  return view && { ...view, timeline: entries, position: entries.at(-1)?.position ?? view.position };
}

function apply(view: BatchCustodyView | undefined, event: LedgerEvent): BatchCustodyView {
  if (
    event.type === 'BatchMined' ||
    event.type === 'BatchProduced' ||
    event.type === 'BatchSplitOff' ||
    event.type === 'BlendProduced'
  ) {
    const { batchId, orgId, facilityId, massGrams } = event.data;
    const material =
      event.type === 'BatchProduced' && event.data.grade
        ? { ...event.data.material, grade: event.data.grade }
        : event.data.material;
    return {
      batchId,
      status: 'in_custody',
      custodyStatus: 'in_custody',
      held: false,
      heldVia: null,
      custodian: { orgId, facilityId },
      massKg: gramsToKg(massGrams),
      remainingMassKg: gramsToKg(massGrams),
      material,
      openShipment: null,
      timeline: [],
      position: '0',
    };
  }
  if (!view) throw new Error(`${event.type} for a batch that was never mined or produced`);
  switch (event.type) {
    case 'BatchRefined':
    case 'BatchSplit':
    case 'BatchBlended': {
      const remaining = { ...view, remainingMassKg: gramsToKg(event.data.remainingGrams) };
      return withStatus(
        remaining,
        event.data.remainingGrams === 0 ? 'consumed' : view.custodyStatus,
        view.held,
      );
    }
    case 'BatchAssayed':
      return { ...view, material: { ...view.material, grade: event.data.grade } };
    case 'BatchShipped': {
      const { shipmentId, toOrgId, toFacilityId, massGrams, occurredAt } = event.data;
      const openShipment = { shipmentId, toOrgId, toFacilityId, massKg: gramsToKg(massGrams), occurredAt };
      return withStatus({ ...view, openShipment }, 'in_transit', view.held);
    }
    case 'BatchReceived': {
      const { orgId, facilityId, receivedMassGrams } = event.data;
      const received = {
        ...view,
        custodian: { orgId, facilityId },
        remainingMassKg: gramsToKg(receivedMassGrams),
        openShipment: null,
      };
      return withStatus(received, 'in_custody', view.held);
    }
    case 'BatchHeld':
      return withStatus(view, view.custodyStatus, true);
    case 'BatchReleased':
      return withStatus(view, view.custodyStatus, false);
    case 'BatchExported':
      return withStatus({ ...view, remainingMassKg: 0 }, 'exported', view.held);
    default:
      return view;
  }
}

function actorOrgIdOf(stored: StoredEvent): string | Withheld | null {
  const actor = stored.metadata.actor;
  return isWithheld(actor) ? actor : (decodeEvent(stored).metadata.actor?.orgId ?? null);
}

const withStatus = (
  view: BatchCustodyView,
  custodyStatus: CustodyStatus,
  held: boolean,
): BatchCustodyView => ({
  ...view,
  custodyStatus,
  held,
  status: held ? 'held' : custodyStatus,
});

/**
 * A correction or a void applied to the view: the entry of the event it names shows the values as they now
 * stand (with the correction's who, when, why and the values before), and what the view derives from it
 * follows (mass, remaining mass, grade, custody). The correction's own entry is added like any event's.
 */
function changed(
  view: BatchCustodyView | undefined,
  event: Extract<LedgerEvent, { type: 'EventCorrected' | 'EventVoided' }>,
  recordedAt: string,
  position: string,
  lookup: ViewLookup,
): BatchCustodyView {
  if (!view) throw new Error(`${event.type} for a batch that was never mined or produced`);
  const { eventId, eventType, byOrgId, reason } = event.data;
  const target = view.timeline.find((entry) => entry.eventId === eventId);
  if (!target) return view;
  let timeline: TimelineEntry[];
  let next: BatchCustodyView = view;
  if (event.type === 'EventCorrected') {
    const { correctionId, downstream = [] } = event.data;
    // The event the correction names and each that follows from it on this lot's stream (ADR 0024).
    const changes = new Map(
      [{ eventId, corrected: event.data.corrected, previous: event.data.previous }, ...downstream].map(
        (change) => [change.eventId, change] as const,
      ),
    );
    timeline = view.timeline.map((candidate) => {
      const change = changes.get(candidate.eventId);
      if (!change) return candidate;
      const { corrected, previous } = change;
      const occurredAt =
        typeof corrected.occurredAt === 'string' ? corrected.occurredAt : candidate.occurredAt;
      const correction: EntryCorrection = {
        correctionId,
        byOrgId,
        reason,
        recordedAt,
        position,
        previous,
        corrected,
      };
      return {
        ...candidate,
        details: withDeclaration(candidate.type, { ...candidate.details, ...corrected }, lookup),
        occurredAt,
        late: isLate(occurredAt, candidate.recordedAt),
        corrections: [...(candidate.corrections ?? []), correction],
      };
    });
    // What the view derives (mass, remaining mass, custody, open shipment, grade) follows every change.
    next = replayed(view.batchId, timeline) ?? view;
  } else {
    const { voidId } = event.data;
    const entry: TimelineEntry = { ...target, voided: { voidId, byOrgId, reason, recordedAt } };
    timeline = view.timeline.map((candidate) => (candidate === target ? entry : candidate));
    if (eventType === 'BatchHeld') next = withStatus(next, next.custodyStatus, false);
    if (eventType === 'BatchReceived') {
      const shipped = timeline.find(
        (candidate) =>
          candidate.type === 'BatchShipped' && candidate.details.shipmentId === target.details.shipmentId,
      );
      const details = (shipped?.details ?? {}) as {
        shipmentId: string;
        toOrgId: string;
        toFacilityId: string;
        fromOrgId: string;
        fromFacilityId: string;
        massGrams: number;
      };
      const openShipment = {
        shipmentId: details.shipmentId,
        toOrgId: details.toOrgId,
        toFacilityId: details.toFacilityId,
        massKg: gramsToKg(details.massGrams),
        occurredAt: shipped?.occurredAt ?? '',
      };
      next = withStatus(
        {
          ...next,
          custodian: { orgId: details.fromOrgId, facilityId: details.fromFacilityId },
          remainingMassKg: gramsToKg(details.massGrams),
          openShipment,
        },
        'in_transit',
        next.held,
      );
    }
  }
  if (eventType === 'BatchAssayed') next = { ...next, material: gradedBy(timeline, next.material) };
  return { ...next, timeline };
}

/** The view its standing entries give, re-applied in order (the timeline and position are the caller's). */
function replayed(batchId: string, timeline: readonly TimelineEntry[]): BatchCustodyView | undefined {
  let view: BatchCustodyView | undefined;
  for (const entry of timeline) {
    if (entry.voided || entry.type === 'EventCorrected' || entry.type === 'EventVoided') continue;
    view = apply(view, { type: entry.type, data: { ...entry.details, batchId } } as LedgerEvent);
  }
  return view;
}

/**
 * A transformation's batch event shows its declaration's lists (ADR 0021): after a correction of the
 * transformation, read again from the corrected declaration.
 */
function withDeclaration(
  type: string,
  details: Record<string, unknown>,
  lookup: ViewLookup,
): Record<string, unknown> {
  if (type !== 'BatchProduced' && type !== 'BatchRefined') return details;
  const {
    inputs: _inputs,
    processEmissionsKgCo2e: _emissions,
    residues: _residues,
    unaccountedLossGrams: _loss,
    outputBatchIds: _outputs,
    ...own
  } = details;
  const { batchId: _batchId, ...shown } = withTransformationLists(
    { type, data: { ...own, batchId: '' } } as LedgerEvent,
    lookup,
  );
  return shown;
}

/** The grade of the latest assay that stands, or the grade the batch came into being with. */
function gradedBy(timeline: readonly TimelineEntry[], material: Material): Material {
  const assay = [...timeline].reverse().find((entry) => entry.type === 'BatchAssayed' && !entry.voided);
  if (assay) return { ...material, grade: assay.details.grade as Material['grade'] };
  const origin = timeline[0]?.details as { material?: Material; grade?: Material['grade'] } | undefined;
  const grade = origin?.grade ?? origin?.material?.grade;
  const { grade: _assayed, ...ungraded } = material;
  return grade ? { ...ungraded, grade } : ungraded;
}
