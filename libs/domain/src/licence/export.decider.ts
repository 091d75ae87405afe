import { actorMustHaveRole, type BatchState, batchMustExist } from '../batch/batch.decider';
import type { Actor } from '../shared/actor';
import { conflict, ruleBroken } from '../shared/domain-error';
import { occurredAtMustNotBeInTheFuture, occurredAtMustNotPrecede } from '../shared/time';
import type { BatchExported } from './export.events';
import { itemsCovering, type LicenceState, licenceMustExist, licenceStatusAt } from './licence.decider';
import type { LicenceDrawnDown } from './licence.events';

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

export interface ExportContext {
  readonly actor: Actor;
  readonly recordedAt: string;
}

/**
 * Decides an export: the lot leaves (BatchExported on its stream) and the licence is drawn down by its whole
 * remaining mass (LicenceDrawnDown on the licence's stream). The handler appends both in one atomic append,
 * each stream at the revision decided on, so two exports racing for the last of a cap cannot both land.
 */
export function decideExport(
  command: ExportBatch,
  batchState: BatchState,
  licenceState: LicenceState,
  context: ExportContext,
): { batch: BatchExported[]; licence: LicenceDrawnDown[] } {
  const { actor } = context;
  const { data } = command;
  actorMustHaveRole(actor, 'producer', 'export a batch');
  occurredAtMustNotBeInTheFuture(data.occurredAt, context.recordedAt);
  const batch = batchMustExist(batchState, data.batchId);
  const licence = licenceMustExist(licenceState, data.licenceId);
  if (licence.exportIds.has(data.exportId)) {
    throw conflict('EXPORT_ALREADY_RECORDED', `Export ${data.exportId} is already recorded`);
  }

  // The lot: it must be here, whole-able and free to leave.
  if (batch.status === 'exported')
    throw ruleBroken('BATCH_ALREADY_EXPORTED', `Batch ${batch.batchId} has already been exported`);
  if (batch.status === 'consumed')
    throw ruleBroken('BATCH_CONSUMED', `Batch ${batch.batchId} was consumed by processing`);
  if (batch.status === 'in_transit') {
    throw ruleBroken(
      'BATCH_IN_TRANSIT',
      `Batch ${batch.batchId} is in transit (shipment ${batch.openShipment?.shipmentId})`,
    );
  }
  if (batch.held) throw ruleBroken('BATCH_HELD', `Batch ${batch.batchId} is held and cannot be exported`);
  if (batch.custodian.orgId !== actor.orgId) {
    throw ruleBroken(
      'BATCH_NOT_IN_CUSTODY',
      `Batch ${batch.batchId} is not in the custody of ${actor.orgId}`,
    );
  }
  occurredAtMustNotPrecede(data.occurredAt, batch.originAt, 'the batch came into being');

  // The licence: held by the exporter, in force at occurredAt, covering this lot, with room for it.
  if (licence.holderOrgId !== actor.orgId) {
    throw ruleBroken(
      'LICENCE_NOT_HELD_BY_ACTOR',
      `Licence ${licence.licenceId} is not held by ${actor.orgId}`,
    );
  }
  // Both now (a revoked licence is never used again) and at occurredAt (a late report cannot slip through
  // a suspension that has since been lifted).
  const statusAtExport = licenceStatusAt(licence, data.occurredAt);
  if (licence.status === 'revoked' || statusAtExport === 'revoked')
    throw ruleBroken('LICENCE_REVOKED', `Licence ${licence.licenceId} is revoked`);
  if (licence.status === 'suspended' || statusAtExport === 'suspended')
    throw ruleBroken('LICENCE_SUSPENDED', `Licence ${licence.licenceId} is suspended at ${data.occurredAt}`);
  const at = Date.parse(data.occurredAt);
  if (at < Date.parse(licence.validFrom)) {
    throw ruleBroken(
      'LICENCE_NOT_YET_VALID',
      `Licence ${licence.licenceId} is valid from ${licence.validFrom}`,
      {
        validFrom: licence.validFrom,
        occurredAt: data.occurredAt,
      },
    );
  }
  if (at > Date.parse(licence.validUntil)) {
    throw ruleBroken('LICENCE_EXPIRED', `Licence ${licence.licenceId} expired at ${licence.validUntil}`, {
      validUntil: licence.validUntil,
      occurredAt: data.occurredAt,
    });
  }
  if (licence.type === 'single' && licence.exportIds.size > 0) {
    throw ruleBroken('LICENCE_SINGLE_USE_SPENT', `Single licence ${licence.licenceId} has already been used`);
  }
  const covering = itemsCovering(licence.items, batch.material.form, batch.material.elements ?? []);
  if (covering.length === 0) {
    throw ruleBroken(
      'LICENCE_ITEM_NOT_COVERED',
      `Licence ${licence.licenceId} does not cover this material`,
      {
        form: batch.material.form,
        elements: batch.material.elements ?? [],
      },
    );
  }
  if (!covering.some((item) => item.hsCode === undefined || item.hsCode === data.hsCode)) {
    throw ruleBroken(
      'LICENCE_HS_CODE_NOT_COVERED',
      `Licence ${licence.licenceId} does not cover HS ${data.hsCode}`,
    );
  }
  if (!licence.destinations.includes(data.destinationCountry)) {
    throw ruleBroken(
      'LICENCE_DESTINATION_NOT_COVERED',
      `Licence ${licence.licenceId} does not cover exports to ${data.destinationCountry}`,
    );
  }
  if (licence.endUsers && licence.endUsers.length > 0 && !licence.endUsers.includes(data.endUser)) {
    throw ruleBroken(
      'LICENCE_END_USER_NOT_COVERED',
      `Licence ${licence.licenceId} does not name ${data.endUser} as an end user`,
    );
  }
  const massGrams = batch.remainingGrams;
  const drawnGrams = licence.drawnGrams + massGrams;
  if (drawnGrams > licence.quantityGrams) {
    throw ruleBroken('LICENCE_EXHAUSTED', `Licence ${licence.licenceId} has too little quantity left`, {
      remainingGrams: licence.quantityGrams - licence.drawnGrams,
      requestedGrams: massGrams,
    });
  }
  const { facilityId } = batch.custodian;
  return {
    batch: [{ type: 'BatchExported', data: { ...data, orgId: actor.orgId, facilityId, massGrams } }],
    licence: [
      {
        type: 'LicenceDrawnDown',
        data: {
          licenceId: licence.licenceId,
          exportId: data.exportId,
          batchId: batch.batchId,
          massGrams,
          drawnGrams,
          destinationCountry: data.destinationCountry,
          occurredAt: data.occurredAt,
        },
      },
    ],
  };
}
