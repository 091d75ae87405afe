import type { Material } from '../shared/material';
import type { BatchEvent } from './batch.events';

export type CustodyStatus = 'in_custody' | 'in_transit' | 'consumed' | 'exported';

export interface OpenShipment {
  readonly shipmentId: string;
  readonly toOrgId: string;
  readonly toFacilityId: string;
  readonly massGrams: number;
  readonly occurredAt: string;
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
      /** Who holds it, while it is held: only they, or a regulator of their country, release it. */
      readonly hold?: { readonly authorityOrgId: string; readonly authorityCountry?: string };
      readonly material: Material;
      /** When the batch came into being (mined or produced): nothing can happen to it earlier. */
      readonly originAt: string;
      readonly transformationIds: ReadonlySet<string>;
      readonly openShipment?: OpenShipment;
      readonly shipmentIds: ReadonlySet<string>;
      readonly assayIds: ReadonlySet<string>;
      /** Splits made of this lot (as parent), and blends it went into: each id is recorded once. */
      readonly splitIds: ReadonlySet<string>;
      readonly blendIds: ReadonlySet<string>;
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
    material,
    originAt: occurredAt,
    shipmentIds: new Set(),
    assayIds: new Set(),
    splitIds: new Set(),
    blendIds: new Set(),
    transformationIds: new Set(transformationIds),
  };
}

export function evolveBatch(state: BatchState, event: BatchEvent): BatchState {
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
      const { orgId, facilityId, receivedMassGrams } = event.data;
      return {
        ...state,
        status: 'in_custody',
        custodian: { orgId, facilityId },
        remainingGrams: receivedMassGrams,
        openShipment: undefined,
      };
    }
    case 'BatchHeld': {
      if (!state.exists) return state;
      const { authorityOrgId, authorityCountry } = event.data;
      const hold = { authorityOrgId, ...(authorityCountry !== undefined ? { authorityCountry } : {}) };
      return { ...state, held: true, hold };
    }
    case 'BatchReleased':
      return state.exists ? { ...state, held: false, hold: undefined } : state;
    case 'BatchExported':
      return state.exists ? { ...state, status: 'exported', remainingGrams: 0 } : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export type ExistingBatch = Extract<BatchState, { exists: true }>;
