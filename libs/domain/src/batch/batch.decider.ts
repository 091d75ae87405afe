import { type Actor, hasRole, type Role } from '../shared/actor';
import { conflict, forbidden, notFound, ruleBroken } from '../shared/domain-error';
import type { Grade, Material } from '../shared/material';
import { occurredAtMustNotBeInTheFuture, occurredAtMustNotPrecede } from '../shared/time';
import type { OrganisationState } from '../organisation/organisation.decider';
import type { Facility } from '../organisation/organisation.events';
import type { BatchEvent, TransportDocument } from './batch.events';

export type MineBatch = {
  type: 'MineBatch';
  data: {
    batchId: string;
    facilityId: string;
    material: Material;
    massGrams: number;
    extractionEmissionsKgCo2e?: number;
    occurredAt: string;
  };
};
export type AssayBatch = {
  type: 'AssayBatch';
  data: {
    batchId: string;
    assayId: string;
    lab: string;
    method: string;
    grade: Grade;
    radioactivityBqPerG?: number;
    occurredAt: string;
  };
};
export type ShipBatch = {
  type: 'ShipBatch';
  data: {
    batchId: string;
    shipmentId: string;
    toOrgId: string;
    toFacilityId: string;
    documents: TransportDocument[];
    occurredAt: string;
  };
};
export type ReceiveBatch = {
  type: 'ReceiveBatch';
  data: { batchId: string; shipmentId: string; receivedMassGrams: number; occurredAt: string };
};
export type HoldBatch = { type: 'HoldBatch'; data: { batchId: string; reason: string; occurredAt: string } };
export type ReleaseBatch = {
  type: 'ReleaseBatch';
  data: { batchId: string; reason: string; occurredAt: string };
};
export type BatchCommand = MineBatch | AssayBatch | ShipBatch | ReceiveBatch | HoldBatch | ReleaseBatch;

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
      readonly material: Material;
      /** When the batch came into being (mined or produced): nothing can happen to it earlier. */
      readonly originAt: string;
      readonly transformationIds: ReadonlySet<string>;
      readonly openShipment?: OpenShipment;
      readonly shipmentIds: ReadonlySet<string>;
      readonly assayIds: ReadonlySet<string>;
    };

/** What a batch decision may need from outside its stream, loaded by the handler before deciding. */
export interface BatchContext {
  readonly actor: Actor;
  /** The ledger's clock when the command arrived. */
  readonly recordedAt: string;
  /** Organisations the decision refers to (the actor's, a consignee's), by orgId. */
  readonly organisations: ReadonlyMap<string, OrganisationState>;
}

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
      };
    }
    case 'BatchHeld':
      return state.exists ? { ...state, held: true } : state;
    case 'BatchReleased':
      return state.exists ? { ...state, held: false } : state;
    case 'BatchExported':
      return state.exists ? { ...state, status: 'exported', remainingGrams: 0 } : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function decideBatch(command: BatchCommand, state: BatchState, context: BatchContext): BatchEvent[] {
  const { actor } = context;
  occurredAtMustNotBeInTheFuture(command.data.occurredAt, context.recordedAt);
  switch (command.type) {
    case 'MineBatch': {
      actorMustHaveRole(actor, 'producer', 'record a mined batch');
      if (state.exists)
        throw conflict('BATCH_ALREADY_EXISTS', `Batch ${command.data.batchId} already exists`);
      const facility = facilityOf(context, actor.orgId, command.data.facilityId);
      if (facility.kind !== 'mine') {
        throw ruleBroken(
          'FACILITY_NOT_A_MINE',
          `Facility ${facility.facilityId} is a ${facility.kind}, not a mine`,
        );
      }
      massMustBePositive(command.data.massGrams);
      return [{ type: 'BatchMined', data: { ...command.data, orgId: actor.orgId } }];
    }
    case 'AssayBatch': {
      const batch = batchMustExist(state, command.data.batchId);
      const custodian = batch.custodian.orgId === actor.orgId && hasRole(actor, 'producer');
      if (!custodian && !hasRole(actor, 'certifier')) {
        throw forbidden(
          'NOT_CUSTODIAN_OR_CERTIFIER',
          'Only the custodian or a certifier may record an assay',
        );
      }
      if (batch.assayIds.has(command.data.assayId)) {
        throw conflict('ASSAY_ALREADY_RECORDED', `Assay ${command.data.assayId} is already recorded`);
      }
      occurredAtMustNotPrecede(command.data.occurredAt, batch.originAt, 'the batch came into being');
      return [{ type: 'BatchAssayed', data: { ...command.data, byOrgId: actor.orgId } }];
    }
    case 'ShipBatch': {
      actorMustHaveRole(actor, 'producer', 'ship a batch');
      const batch = batchMustExist(state, command.data.batchId);
      if (batch.shipmentIds.has(command.data.shipmentId)) {
        throw conflict(
          'SHIPMENT_ALREADY_RECORDED',
          `Shipment ${command.data.shipmentId} is already recorded`,
        );
      }
      batchMustBeInActorsCustody(batch, actor);
      if (batch.held) throw ruleBroken('BATCH_HELD', `Batch ${batch.batchId} is held and cannot be shipped`);
      const destination = facilityOf(context, command.data.toOrgId, command.data.toFacilityId);
      if (
        command.data.toOrgId === batch.custodian.orgId &&
        destination.facilityId === batch.custodian.facilityId
      ) {
        throw ruleBroken(
          'SHIPMENT_TO_SAME_FACILITY',
          'A shipment must leave the facility that holds the batch',
        );
      }
      occurredAtMustNotPrecede(command.data.occurredAt, batch.originAt, 'the batch came into being');
      return [
        {
          type: 'BatchShipped',
          data: {
            ...command.data,
            fromOrgId: batch.custodian.orgId,
            fromFacilityId: batch.custodian.facilityId,
            massGrams: batch.remainingGrams,
          },
        },
      ];
    }
    case 'ReceiveBatch': {
      actorMustHaveRole(actor, 'producer', 'receive a batch');
      const batch = batchMustExist(state, command.data.batchId);
      const shipment = batch.openShipment;
      if (!shipment || shipment.shipmentId !== command.data.shipmentId) {
        if (batch.shipmentIds.has(command.data.shipmentId)) {
          throw conflict(
            'SHIPMENT_ALREADY_RECEIVED',
            `Shipment ${command.data.shipmentId} was already received`,
          );
        }
        throw notFound(
          'SHIPMENT_NOT_FOUND',
          `Batch ${batch.batchId} has no open shipment ${command.data.shipmentId}`,
        );
      }
      if (shipment.toOrgId !== actor.orgId) {
        throw ruleBroken(
          'SHIPMENT_NOT_ADDRESSED_TO_ACTOR',
          `Shipment ${shipment.shipmentId} is addressed to ${shipment.toOrgId}`,
        );
      }
      massMustBePositive(command.data.receivedMassGrams);
      if (command.data.receivedMassGrams > shipment.massGrams) {
        throw ruleBroken('RECEIVED_MASS_EXCEEDS_SHIPPED', 'More mass cannot arrive than was shipped', {
          shippedGrams: shipment.massGrams,
          receivedGrams: command.data.receivedMassGrams,
        });
      }
      occurredAtMustNotPrecede(command.data.occurredAt, shipment.occurredAt, 'the shipment left');
      return [
        {
          type: 'BatchReceived',
          data: {
            ...command.data,
            orgId: shipment.toOrgId,
            facilityId: shipment.toFacilityId,
            discrepancyGrams: shipment.massGrams - command.data.receivedMassGrams,
          },
        },
      ];
    }
    case 'HoldBatch': {
      actorMustHaveRole(actor, 'regulator', 'hold a batch');
      const batch = batchMustExist(state, command.data.batchId);
      if (batch.held) throw conflict('BATCH_ALREADY_HELD', `Batch ${batch.batchId} is already held`);
      return [{ type: 'BatchHeld', data: { ...command.data, authorityOrgId: actor.orgId } }];
    }
    case 'ReleaseBatch': {
      actorMustHaveRole(actor, 'regulator', 'release a batch');
      const batch = batchMustExist(state, command.data.batchId);
      if (!batch.held) throw conflict('BATCH_NOT_HELD', `Batch ${batch.batchId} is not held`);
      return [{ type: 'BatchReleased', data: { ...command.data, authorityOrgId: actor.orgId } }];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export type ExistingBatch = Extract<BatchState, { exists: true }>;

export function actorMustHaveRole(actor: Actor, role: Role, toDo: string): void {
  if (!hasRole(actor, role)) throw forbidden('ROLE_REQUIRED', `Only a ${role} may ${toDo}`, { role });
}

export function batchMustExist(state: BatchState, batchId: string): ExistingBatch {
  if (!state.exists) throw notFound('BATCH_NOT_FOUND', `Batch ${batchId} does not exist`);
  return state;
}

export function batchMustBeInActorsCustody(batch: ExistingBatch, actor: Actor): void {
  if (batch.status === 'in_transit') {
    throw conflict(
      'BATCH_IN_TRANSIT',
      `Batch ${batch.batchId} is in transit (shipment ${batch.openShipment?.shipmentId})`,
    );
  }
  if (batch.status !== 'in_custody') {
    throw ruleBroken('BATCH_NOT_AVAILABLE', `Batch ${batch.batchId} is ${batch.status}`);
  }
  if (batch.custodian.orgId !== actor.orgId) {
    throw ruleBroken(
      'BATCH_NOT_IN_CUSTODY',
      `Batch ${batch.batchId} is not in the custody of ${actor.orgId}`,
    );
  }
}

export function massMustBePositive(massGrams: number): void {
  if (!Number.isSafeInteger(massGrams) || massGrams <= 0) {
    throw ruleBroken('MASS_NOT_POSITIVE', 'Mass must be a positive number of grams', { massGrams });
  }
}

export function facilityOf(context: BatchContext, orgId: string, facilityId: string): Facility {
  const organisation = context.organisations.get(orgId);
  if (!organisation?.exists) throw notFound('ORGANISATION_NOT_FOUND', `Organisation ${orgId} does not exist`);
  const facility = organisation.facilities.get(facilityId);
  if (!facility) throw notFound('FACILITY_NOT_FOUND', `Facility ${facilityId} of ${orgId} does not exist`);
  return facility;
}
