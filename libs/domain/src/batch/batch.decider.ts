import { type Decider, eventsFor, type LedgerState, type StreamEvents } from '../decider';
import { splitOff } from '../bulk/split.decider';
import { type Actor, hasRole } from '../shared/actor';
import { engagementIdOf } from '../engagement/engagement.state';
import type { ExistingBatch } from './batch.state';
import { refuse } from '../shared/domain-error';
import type { Grade, Material } from '../shared/material';
import {
  actorMustHaveRole,
  batchMustBeInActorsCustody,
  batchMustExist,
  batchMustNotBeHeld,
  batchMustNotExist,
  certifierMustBeEngaged,
  facilityMustExist,
  massMustBePositive,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecede,
  occurredAtMustNotPrecedeCustody,
  organisationMustExist,
  regulatorMustActInItsCountry,
} from '../rules';
import type { BatchShipped, TransportDocument } from './batch.events';

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
    /** How much to ship (default: the whole remaining lot); less than that needs `shippedBatchId`. */
    massGrams?: number;
    /** A partial shipment: the quantity is split off into this new lot, which is shipped. */
    shippedBatchId?: string;
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

/** A mine's producer records a lot coming out of the ground at one of its mines. */
export const mineBatch: Decider<MineBatch> = {
  streams: ({ data, metadata }) => ({ batches: [data.batchId], organisations: [metadata.actor.orgId] }),
  creates: ({ data }) => ({ batches: [data.batchId] }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    actorMustHaveRole(actor, 'producer', 'record a mined batch');
    batchMustNotExist(state.batch(data.batchId), data.batchId);
    const facility = facilityMustExist(state.organisation(actor.orgId), actor.orgId, data.facilityId);
    facilityMustBeAMine(facility);
    massMustBePositive(data.massGrams);
    return [
      eventsFor('batches', data.batchId, [
        { type: 'BatchMined', data: { ...data, orgId: actor.orgId, country: facility.country } },
      ]),
    ];
  },
};

/**
 * The custodian records a lab's assay of its batch, or a certifier engaged on the batch's custodian (a
 * certificate of its own, in force, for the custodian facility or organisation) does.
 */
export const assayBatch: Decider<AssayBatch> = {
  streams: ({ data }) => ({ batches: [data.batchId] }),
  // A certifier's engagement streams for the custodian: known once the batch is loaded.
  follow: ({ data, metadata }, state) => {
    const batch = state.batch(data.batchId);
    if (!batch.exists || isCustodian(batch, metadata.actor)) return {};
    return { engagements: custodianEngagements(batch, metadata.actor.orgId) };
  },
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    if (!isCustodian(batch, actor)) {
      if (!hasRole(actor, 'certifier')) {
        throw refuse('NOT_CUSTODIAN_OR_CERTIFIER', 'Only the custodian or a certifier may record an assay');
      }
      const engagements = custodianEngagements(batch, actor.orgId).map((id) => state.engagement(id));
      certifierMustBeEngaged(batch, actor, engagements, data.occurredAt, metadata.recordedAt);
    }
    if (batch.assayIds.has(data.assayId)) {
      throw refuse('ASSAY_ALREADY_RECORDED', `Assay ${data.assayId} is already recorded`);
    }
    // The custodian assays what it holds, from when it held it; a certifier, any time since the lot began.
    if (isCustodian(batch, actor)) occurredAtMustNotPrecedeCustody(data.occurredAt, batch);
    else occurredAtMustNotPrecede(data.occurredAt, batch.originAt, 'the batch came into being');
    return [
      eventsFor('batches', data.batchId, [{ type: 'BatchAssayed', data: { ...data, byOrgId: actor.orgId } }]),
    ];
  },
};

const isCustodian = (batch: ExistingBatch, actor: Actor): boolean =>
  batch.custodian.orgId === actor.orgId && hasRole(actor, 'producer');

/** A certifier's engagement streams for the batch's custodian facility and organisation. */
const custodianEngagements = (batch: ExistingBatch, certifierOrgId: string): string[] => {
  const { orgId, facilityId } = batch.custodian;
  return [
    engagementIdOf(certifierOrgId, { type: 'facility', id: facilityId, orgId }),
    engagementIdOf(certifierOrgId, { type: 'organisation', id: orgId }),
  ];
};

/**
 * The custodian ships the whole remaining batch to a facility of another organisation (or another of its
 * own); or, with `shippedBatchId`, splits `massGrams` off into that new lot and ships it, in one append.
 */
export const shipBatch: Decider<ShipBatch> = {
  streams: ({ data, metadata }) => ({
    batches: [data.batchId, ...(data.shippedBatchId !== undefined ? [data.shippedBatchId] : [])],
    organisations: [metadata.actor.orgId, data.toOrgId],
  }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    actorMustHaveRole(actor, 'producer', 'ship a batch');
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    if (data.shippedBatchId !== undefined) return shipPart(data, data.shippedBatchId, batch, state, actor);
    if (data.massGrams !== undefined && data.massGrams !== batch.remainingGrams) {
      // Only the custodian learns what is left of the lot: anyone else is refused as for any shipment.
      batchMustBeInActorsCustody(batch, actor);
      massMustBePositive(data.massGrams);
      throw refuse(
        'PARTIAL_SHIPMENT_NEEDS_BATCH_ID',
        `Batch ${batch.batchId} has ${batch.remainingGrams} g left: shipping ${data.massGrams} g splits it, and needs a shippedBatchId`,
        { remainingGrams: batch.remainingGrams, massGrams: data.massGrams },
      );
    }
    return [eventsFor('batches', data.batchId, [shipment(data, batch, state, actor)])];
  },
};

/** The shipment of a whole lot, after the shipping rules. */
function shipment(
  data: ShipBatch['data'],
  batch: ExistingBatch,
  state: LedgerState,
  actor: Actor,
): BatchShipped {
  if (batch.shipmentIds.has(data.shipmentId)) {
    throw refuse('SHIPMENT_ALREADY_RECORDED', `Shipment ${data.shipmentId} is already recorded`);
  }
  batchMustBeInActorsCustody(batch, actor);
  batchMustNotBeHeld(batch, 'shipped', data.occurredAt);
  const destination = facilityMustExist(state.organisation(data.toOrgId), data.toOrgId, data.toFacilityId);
  if (data.toOrgId === batch.custodian.orgId && destination.facilityId === batch.custodian.facilityId) {
    throw refuse('SHIPMENT_TO_SAME_FACILITY', 'A shipment must leave the facility that holds the batch');
  }
  occurredAtMustNotPrecedeCustody(data.occurredAt, batch);
  const { orgId: fromOrgId, facilityId: fromFacilityId } = batch.custodian;
  const { shipmentId, toOrgId, toFacilityId, documents, occurredAt } = data;
  return {
    type: 'BatchShipped',
    data: {
      batchId: batch.batchId,
      shipmentId,
      toOrgId,
      toFacilityId,
      documents,
      occurredAt,
      fromOrgId,
      fromFacilityId,
      massGrams: batch.remainingGrams,
    },
  };
}

/**
 * A partial shipment: `massGrams` (default the whole remainder) is split off the lot into `shippedBatchId`
 * (split id: the shipment id), and that new lot is shipped, in the same append.
 */
function shipPart(
  data: ShipBatch['data'],
  shippedBatchId: string,
  batch: ExistingBatch,
  state: LedgerState,
  actor: Actor,
): StreamEvents[] {
  if (batch.shipmentIds.has(data.shipmentId) || batch.splitIds.has(data.shipmentId)) {
    throw refuse('SHIPMENT_ALREADY_RECORDED', `Shipment ${data.shipmentId} is already recorded`);
  }
  const massGrams = data.massGrams ?? batch.remainingGrams;
  const split = { batchId: batch.batchId, splitId: data.shipmentId, occurredAt: data.occurredAt };
  return splitOff(state, actor, { ...split, outputs: [{ batchId: shippedBatchId, massGrams }] }, (child) => {
    const { batchId, orgId, facilityId, material, massGrams: grams, occurredAt } = child.data;
    const part: ExistingBatch = {
      ...batch,
      batchId,
      custodian: { orgId, facilityId },
      massGrams: grams,
      remainingGrams: grams,
      material,
      originAt: occurredAt,
      custodySince: occurredAt,
      heldPeriods: [],
      shipmentIds: new Set(),
    };
    return [child, shipment({ ...data, batchId }, part, state, actor)];
  });
}

/** The consignee receives an open shipment, recording the mass that arrived (never more than left). */
export const receiveBatch: Decider<ReceiveBatch> = {
  streams: ({ data }) => ({ batches: [data.batchId] }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    actorMustHaveRole(actor, 'producer', 'receive a batch');
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    const shipment = batch.openShipment;
    if (!shipment || shipment.shipmentId !== data.shipmentId) {
      if (batch.shipmentIds.has(data.shipmentId)) {
        throw refuse('SHIPMENT_ALREADY_RECEIVED', `Shipment ${data.shipmentId} was already received`);
      }
      throw refuse('SHIPMENT_NOT_FOUND', `Batch ${batch.batchId} has no open shipment ${data.shipmentId}`);
    }
    if (shipment.toOrgId !== actor.orgId) {
      throw refuse(
        'SHIPMENT_NOT_ADDRESSED_TO_ACTOR',
        `Shipment ${shipment.shipmentId} is addressed to ${shipment.toOrgId}`,
      );
    }
    massMustBePositive(data.receivedMassGrams);
    if (data.receivedMassGrams > shipment.massGrams) {
      throw refuse('RECEIVED_MASS_EXCEEDS_SHIPPED', 'More mass cannot arrive than was shipped', {
        shippedGrams: shipment.massGrams,
        receivedGrams: data.receivedMassGrams,
      });
    }
    occurredAtMustNotPrecede(data.occurredAt, shipment.occurredAt, 'the shipment left');
    return [
      eventsFor('batches', data.batchId, [
        {
          type: 'BatchReceived',
          data: {
            ...data,
            orgId: shipment.toOrgId,
            facilityId: shipment.toFacilityId,
            discrepancyGrams: shipment.massGrams - data.receivedMassGrams,
          },
        },
      ]),
    ];
  },
};

/**
 * A regulator holds a batch: it cannot be shipped, processed or exported until released. Only a batch at a
 * facility in the regulator's country, or in transit from one (its custodian is then the sender).
 */
export const holdBatch: Decider<HoldBatch> = {
  streams: ({ data, metadata }) => ({ batches: [data.batchId], organisations: [metadata.actor.orgId] }),
  // The custodian's organisation, for its facility's country: known once the batch is loaded.
  follow: ({ data }, state) => {
    const batch = state.batch(data.batchId);
    return batch.exists ? { organisations: [batch.custodian.orgId] } : {};
  },
  decide: ({ data, metadata }, state) => {
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    actorMustHaveRole(metadata.actor, 'regulator', 'hold a batch');
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    const authorityOrgId = metadata.actor.orgId;
    const regulator = organisationMustExist(state.organisation(authorityOrgId), authorityOrgId);
    const { orgId, facilityId } = batch.custodian;
    const facility = facilityMustExist(state.organisation(orgId), orgId, facilityId);
    regulatorMustActInItsCountry(
      regulator,
      facility.country,
      `batch ${batch.batchId} (at ${orgId}/${facilityId})`,
    );
    if (batch.held) throw refuse('BATCH_ALREADY_HELD', `Batch ${batch.batchId} is already held`);
    const authorityCountry = regulator.country;
    return [
      eventsFor('batches', data.batchId, [
        { type: 'BatchHeld', data: { ...data, authorityOrgId, authorityCountry } },
      ]),
    ];
  },
};

/** The regulator that held a batch, or another regulator of its country, releases it. */
export const releaseBatch: Decider<ReleaseBatch> = {
  streams: ({ data, metadata }) => ({ batches: [data.batchId], organisations: [metadata.actor.orgId] }),
  // A hold recorded before holds kept their authority's country: that authority's organisation has it.
  follow: ({ data }, state) => {
    const batch = state.batch(data.batchId);
    const hold = batch.exists ? batch.hold : undefined;
    return hold && hold.authorityCountry === undefined ? { organisations: [hold.authorityOrgId] } : {};
  },
  decide: ({ data, metadata }, state) => {
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    actorMustHaveRole(metadata.actor, 'regulator', 'release a batch');
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    if (!batch.held || !batch.hold) throw refuse('BATCH_NOT_HELD', `Batch ${batch.batchId} is not held`);
    const authorityOrgId = metadata.actor.orgId;
    const regulator = organisationMustExist(state.organisation(authorityOrgId), authorityOrgId);
    const { hold } = batch;
    if (hold.authorityOrgId !== authorityOrgId) {
      const holdCountry =
        hold.authorityCountry ??
        organisationMustExist(state.organisation(hold.authorityOrgId), hold.authorityOrgId).country;
      if (regulator.country !== holdCountry) {
        throw refuse(
          'NOT_HOLDING_AUTHORITY',
          `Batch ${batch.batchId} is held by ${hold.authorityOrgId} (${holdCountry}): only it, or a regulator of ${holdCountry}, may release it`,
        );
      }
    }
    occurredAtMustNotPrecede(data.occurredAt, hold.occurredAt, 'the hold');
    return [
      eventsFor('batches', data.batchId, [{ type: 'BatchReleased', data: { ...data, authorityOrgId } }]),
    ];
  },
};

function facilityMustBeAMine(facility: { facilityId: string; kind: string }): void {
  if (facility.kind !== 'mine') {
    throw refuse('FACILITY_NOT_A_MINE', `Facility ${facility.facilityId} is a ${facility.kind}, not a mine`);
  }
}
