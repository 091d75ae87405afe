import { type Decider, eventsFor } from '../decider';
import { refuse } from '../shared/domain-error';
import {
  actorMustHaveRole,
  batchMustBeHeldByActor,
  batchMustExist,
  batchMustNotBeHeld,
  batchMustNotBeInTransit,
  batchMustNotHaveLeft,
  licenceMustBeHeldByActor,
  licenceMustBeInForce,
  licenceMustCoverExport,
  licenceMustExist,
  licenceMustHaveRoomFor,
  licenceMustNotBeSpent,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecedeCustody,
} from '../rules';

export type ExportBatch = {
  type: 'ExportBatch';
  data: {
    batchId: string;
    exportId: string;
    licenceId: string;
    destinationCountry: string;
    consignee: string;
    endUser: string;
    hsCode: string;
    customsDeclarationNo: string;
    port: string;
    occurredAt: string;
  };
};

/**
 * An export: the lot leaves (BatchExported on its stream) and the licence is drawn down by its whole
 * remaining mass (LicenceDrawnDown on the licence's stream), appended together, each stream at the revision
 * decided on, so two exports racing for the last of a cap cannot both land.
 */
export const exportBatch: Decider<ExportBatch> = {
  streams: ({ data }) => ({ batches: [data.batchId], licences: [data.licenceId] }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    actorMustHaveRole(actor, 'producer', 'export a batch');
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    const licence = licenceMustExist(state.licence(data.licenceId), data.licenceId);
    if (licence.exportIds.has(data.exportId)) {
      throw refuse('EXPORT_ALREADY_RECORDED', `Export ${data.exportId} is already recorded`);
    }
    // The lot: here, in the exporter's custody, free to leave.
    batchMustNotHaveLeft(batch);
    batchMustNotBeInTransit(batch);
    batchMustNotBeHeld(batch, 'exported', data.occurredAt);
    batchMustBeHeldByActor(batch, actor);
    occurredAtMustNotPrecedeCustody(data.occurredAt, batch);
    // The licence: held by the exporter, in force at occurredAt and at recordedAt, covering this lot, with room for it.
    licenceMustBeHeldByActor(licence, actor);
    licenceMustBeInForce(licence, data.occurredAt, metadata.recordedAt);
    licenceMustNotBeSpent(licence);
    licenceMustCoverExport(licence, batch, data);
    const massGrams = batch.remainingGrams;
    licenceMustHaveRoomFor(licence, massGrams);
    const { facilityId } = batch.custodian;
    return [
      eventsFor('batches', data.batchId, [
        { type: 'BatchExported', data: { ...data, orgId: actor.orgId, facilityId, massGrams } },
      ]),
      eventsFor('licences', data.licenceId, [
        {
          type: 'LicenceDrawnDown',
          data: {
            licenceId: licence.licenceId,
            exportId: data.exportId,
            batchId: batch.batchId,
            massGrams,
            drawnGrams: licence.drawnGrams + massGrams,
            destinationCountry: data.destinationCountry,
            occurredAt: data.occurredAt,
          },
        },
      ]),
    ];
  },
};
