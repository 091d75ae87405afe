import type { Material } from '../shared/material';
import type { BatchEvent } from './batch.events';
import type { DisclosureScope } from '../disclosure/disclosure.events';

export type CustodyStatus = 'in_custody' | 'in_transit' | 'consumed' | 'exported';

export interface OpenShipment {
  readonly shipmentId: string;
  readonly toOrgId: string;
  readonly toFacilityId: string;
  readonly massGrams: number;
  readonly occurredAt: string;
}

/** A disclosure of a participant's part of the batch to another organisation (docs/visibility.md). */
export interface DisclosureState {
  readonly disclosureId: string;
  readonly byOrgId: string;
  readonly toOrgId: string;
  readonly scope: DisclosureScope;
  readonly until?: string;
  readonly revoked: boolean;
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
      /** Every organisation that has held custody of it (mined, produced, received it): its participants. */
      readonly participants: ReadonlySet<string>;
      readonly disclosures: ReadonlyMap<string, DisclosureState>;
    };

export const initialBatchState = (): BatchState => ({ exists: false });

/** A batch as it comes into being, mined or produced: whole, in its maker's custody, not held. */
function newBatch(
  data: Extract<BatchEvent, { type: 'BatchMined' | 'BatchProduced' }>['data'],
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
    transformationIds: new Set(transformationIds),
    participants: new Set([orgId]),
    disclosures: new Map(),
  };
}

export function evolveBatch(state: BatchState, event: BatchEvent): BatchState {
  switch (event.type) {
    case 'BatchMined':
      return newBatch(event.data, []);
    case 'BatchProduced':
      return newBatch(event.data, [event.data.transformationId]);
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
        participants: new Set(state.participants).add(orgId),
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
    case 'DisclosureGranted': {
      if (!state.exists) return state;
      const { batchId: _batchId, ...granted } = event.data;
      const disclosure: DisclosureState = { ...granted, revoked: false };
      return { ...state, disclosures: new Map(state.disclosures).set(disclosure.disclosureId, disclosure) };
    }
    case 'DisclosureRevoked': {
      const disclosure = state.exists ? state.disclosures.get(event.data.disclosureId) : undefined;
      if (!state.exists || !disclosure) return state;
      const revoked = { ...disclosure, revoked: true };
      return { ...state, disclosures: new Map(state.disclosures).set(disclosure.disclosureId, revoked) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export type ExistingBatch = Extract<BatchState, { exists: true }>;
