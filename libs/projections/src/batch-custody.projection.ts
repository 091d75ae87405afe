import {
  type CustodyStatus,
  decodeEvent,
  gramsToKg,
  isLate,
  type LedgerEvent,
  type Material,
} from '@tracelode/domain';
import type { DocumentProjection } from './document-projection';
import { recordedAtOf } from './recorded-at';

export interface TimelineEntry {
  readonly position: string;
  readonly type: string;
  readonly occurredAt: string;
  /** When the ledger learnt of it (its clock when the command arrived). */
  readonly recordedAt: string;
  /** Recorded more than 72 hours after it occurred: a late report (ADR 0017). */
  readonly late: boolean;
  readonly actorOrgId: string | null;
  readonly details: Record<string, unknown>;
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
]);

export const batchCustodyProjection: DocumentProjection<BatchCustodyView> = {
  collection: BATCH_CUSTODY,
  keyOf: (event) => (BATCH_EVENTS.has(event.type) ? (event.data as { batchId: string }).batchId : undefined),
  evolve(view, event, stored, _lookup, owned = false) {
    const next = apply(view, event);
    const { batchId: _batchId, ...details } = event.data as { batchId: string };
    const recordedAt = recordedAtOf(stored);
    const occurredAt = (event.data as { occurredAt?: string }).occurredAt ?? recordedAt;
    const entry: TimelineEntry = {
      position: stored.position.toString(),
      type: event.type,
      occurredAt,
      recordedAt,
      late: isLate(occurredAt, recordedAt),
      actorOrgId: decodeEvent(stored).metadata.actor?.orgId ?? null,
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
    const event = { type: entry.type, data: { ...entry.details, batchId } } as LedgerEvent;
    if (!view && event.type !== 'BatchMined' && event.type !== 'BatchProduced') continue;
    view = apply(view, event);
  }
  return view && { ...view, timeline: entries, position: entries.at(-1)?.position ?? view.position };
}

function apply(view: BatchCustodyView | undefined, event: LedgerEvent): BatchCustodyView {
  if (event.type === 'BatchMined' || event.type === 'BatchProduced') {
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
    case 'BatchRefined': {
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
