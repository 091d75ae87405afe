import type { ExistingBatch } from '../batch/batch.state';
import type { LicenceTerms } from '../licence/licence.events';
import {
  type ExistingLicence,
  itemsCovering,
  type LicenceState,
  licenceStatusAt,
} from '../licence/licence.state';
import type { Actor } from '../shared/actor';
import { refuse } from '../shared/domain-error';

export function licenceMustExist(state: LicenceState, licenceId: string): ExistingLicence {
  if (!state.exists) throw refuse('LICENCE_NOT_FOUND', `Licence ${licenceId} does not exist`);
  return state;
}

export function licenceMustNotExist(state: LicenceState, licenceId: string): void {
  if (state.exists) throw refuse('LICENCE_ALREADY_EXISTS', `Licence ${licenceId} already exists`);
}

/** A licence caps a positive quantity, over a real period, for named items and destinations. */
export function licenceTermsMustBeCoherent(terms: LicenceTerms): void {
  if (!Number.isSafeInteger(terms.quantityGrams) || terms.quantityGrams <= 0) {
    throw refuse('LICENCE_QUANTITY_NOT_POSITIVE', 'A licence caps a positive quantity');
  }
  if (Date.parse(terms.validUntil) <= Date.parse(terms.validFrom)) {
    throw refuse('LICENCE_VALIDITY_INVERTED', 'validUntil must be later than validFrom', {
      validFrom: terms.validFrom,
      validUntil: terms.validUntil,
    });
  }
  if (terms.items.length === 0 || terms.destinations.length === 0) {
    throw refuse('LICENCE_TERMS_EMPTY', 'A licence names at least one item and one destination');
  }
}

/** Revocation is final: a revoked licence is never changed again. */
export function licenceMustNotBeRevoked(licence: ExistingLicence): void {
  if (licence.status === 'revoked') {
    throw refuse('LICENCE_REVOKED', `Licence ${licence.licenceId} is revoked; revocation is final`);
  }
}

/** The cap cannot be lowered below what exports have already drawn. */
export function licenceCapMustCoverDrawn(licence: ExistingLicence, quantityGrams: number): void {
  if (quantityGrams < licence.drawnGrams) {
    throw refuse(
      'LICENCE_CAP_BELOW_DRAWN',
      `Licence ${licence.licenceId} has already drawn ${licence.drawnGrams} g; the cap cannot go below it`,
      { drawnGrams: licence.drawnGrams, quantityGrams },
    );
  }
}

export function licenceMustBeHeldByActor(licence: ExistingLicence, actor: Actor): void {
  if (licence.holderOrgId !== actor.orgId) {
    throw refuse('LICENCE_NOT_HELD_BY_ACTOR', `Licence ${licence.licenceId} is not held by ${actor.orgId}`);
  }
}

/**
 * In force both now (a revoked licence is never used again) and at `occurredAt` (a late report cannot
 * slip through a suspension that has since been lifted), and within its validity at `occurredAt`.
 */
export function licenceMustBeInForce(licence: ExistingLicence, occurredAt: string): void {
  const statusThen = licenceStatusAt(licence, occurredAt);
  if (licence.status === 'revoked' || statusThen === 'revoked') {
    throw refuse('LICENCE_REVOKED', `Licence ${licence.licenceId} is revoked`);
  }
  if (licence.status === 'suspended' || statusThen === 'suspended') {
    throw refuse('LICENCE_SUSPENDED', `Licence ${licence.licenceId} is suspended at ${occurredAt}`);
  }
  const at = Date.parse(occurredAt);
  if (at < Date.parse(licence.validFrom)) {
    throw refuse('LICENCE_NOT_YET_VALID', `Licence ${licence.licenceId} is valid from ${licence.validFrom}`, {
      validFrom: licence.validFrom,
      occurredAt,
    });
  }
  if (at > Date.parse(licence.validUntil)) {
    throw refuse('LICENCE_EXPIRED', `Licence ${licence.licenceId} expired at ${licence.validUntil}`, {
      validUntil: licence.validUntil,
      occurredAt,
    });
  }
}

/** A single-use licence covers one export. */
export function licenceMustNotBeSpent(licence: ExistingLicence): void {
  if (licence.type === 'single' && licence.exportIds.size > 0) {
    throw refuse('LICENCE_SINGLE_USE_SPENT', `Single licence ${licence.licenceId} has already been used`);
  }
}

/** The lot's material, the declared HS code, the destination and the end user are all licensed. */
export function licenceMustCoverExport(
  licence: ExistingLicence,
  batch: ExistingBatch,
  shipment: { hsCode: string; destinationCountry: string; endUser: string },
): void {
  const elements = batch.material.elements ?? [];
  const covering = itemsCovering(licence.items, batch.material.form, elements);
  if (covering.length === 0) {
    throw refuse('LICENCE_ITEM_NOT_COVERED', `Licence ${licence.licenceId} does not cover this material`, {
      form: batch.material.form,
      elements,
    });
  }
  if (!covering.some((item) => item.hsCode === undefined || item.hsCode === shipment.hsCode)) {
    throw refuse(
      'LICENCE_HS_CODE_NOT_COVERED',
      `Licence ${licence.licenceId} does not cover HS ${shipment.hsCode}`,
    );
  }
  if (!licence.destinations.includes(shipment.destinationCountry)) {
    throw refuse(
      'LICENCE_DESTINATION_NOT_COVERED',
      `Licence ${licence.licenceId} does not cover exports to ${shipment.destinationCountry}`,
    );
  }
  const { endUsers } = licence;
  if (endUsers && endUsers.length > 0 && !endUsers.includes(shipment.endUser)) {
    throw refuse(
      'LICENCE_END_USER_NOT_COVERED',
      `Licence ${licence.licenceId} does not name ${shipment.endUser} as an end user`,
    );
  }
}

/** What is drawn after this export must stay within the cap. */
export function licenceMustHaveRoomFor(licence: ExistingLicence, massGrams: number): void {
  if (licence.drawnGrams + massGrams > licence.quantityGrams) {
    throw refuse('LICENCE_EXHAUSTED', `Licence ${licence.licenceId} has too little quantity left`, {
      remainingGrams: licence.quantityGrams - licence.drawnGrams,
      requestedGrams: massGrams,
    });
  }
}
