import { type BatchState, type ExistingBatch } from './batch/batch.state';
import { type CertificateSubject, certificateSubjectKey } from './certificate/certificate.events';
import {
  certificatesInForce,
  certificatesNotExpired,
  type EngagementState,
} from './engagement/engagement.state';
import { type LicenceTerms } from './licence/licence.events';
import {
  type ExistingLicence,
  itemsCovering,
  type LicenceState,
  licenceStatusAt,
} from './licence/licence.state';
import { type Facility } from './organisation/organisation.events';
import { type OrganisationState, type SigningKeyState } from './organisation/organisation.state';
import { type CommandMetadata } from './decider';
import { type Actor, hasRole, isOperator, type Role } from './shared/actor';
import { type DomainError, refuse } from './shared/domain-error';
import { DEFAULT_LEDGER_POLICY, describeDuration } from './shared/two-times';

/**
 * The domain's business rules, each named as the sentence it enforces. Deciders call them; each refusal
 * comes from one rule and its code has one kind (shared/domain-error.ts), so one HTTP status everywhere.
 */

/** How far ahead of the ledger's clock an `occurredAt` may be (clock skew between producer and ledger). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Physical events cannot have happened after the ledger recorded them. */
export function occurredAtMustNotBeInTheFuture(occurredAt: string, recordedAt: string): void {
  if (Date.parse(occurredAt) - Date.parse(recordedAt) > MAX_CLOCK_SKEW_MS) {
    throw refuse('OCCURRED_IN_FUTURE', `occurredAt ${occurredAt} is later than the ledger's clock`, {
      occurredAt,
      recordedAt,
    });
  }
}

/**
 * An event may be recorded at most the policy's `maxRecordingDelayMs` after it occurred: a report that
 * late could launder a rule judged at `occurredAt` (ADR 0017). A regulator records what it learns when it
 * learns it, so its commands are not bounded.
 */
export function occurredAtMustNotBeTooLongAgo(occurredAt: string, metadata: CommandMetadata): void {
  if (hasRole(metadata.actor, 'regulator')) return;
  const { maxRecordingDelayMs } = metadata.policy ?? DEFAULT_LEDGER_POLICY;
  const delayMs = Date.parse(metadata.recordedAt) - Date.parse(occurredAt);
  if (delayMs > maxRecordingDelayMs) {
    throw refuse(
      'RECORDED_TOO_LATE',
      `occurredAt ${occurredAt} is more than ${describeDuration(maxRecordingDelayMs)} before the ledger's clock; ` +
        'an event may be recorded at most that long after it occurred',
      { occurredAt, recordedAt: metadata.recordedAt, maxRecordingDelayMs },
    );
  }
}

/**
 * The one check of an `occurredAt` against the ledger's clock: not in the future (beyond the clock skew)
 * and not further back than the recording window.
 */
export function occurredAtMustBeWithinRecordingWindow(occurredAt: string, metadata: CommandMetadata): void {
  occurredAtMustNotBeInTheFuture(occurredAt, metadata.recordedAt);
  occurredAtMustNotBeTooLongAgo(occurredAt, metadata);
}

/** A custody event cannot precede the event it follows (a receipt before its shipment, say). */
export function occurredAtMustNotPrecede(occurredAt: string, earlier: string, what: string): void {
  if (Date.parse(occurredAt) < Date.parse(earlier)) {
    throw refuse(
      'OCCURRED_BEFORE_PREVIOUS_EVENT',
      `occurredAt ${occurredAt} is before ${what} (${earlier})`,
      {
        occurredAt,
        previous: earlier,
      },
    );
  }
}

/** The actor's organisation must hold `role` to do this. */
export function actorMustHaveRole(actor: Actor, role: Role, toDo: string): void {
  if (!hasRole(actor, role))
    throw refuse('ROLE_REQUIRED', `Only ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} may ${toDo}`, { role });
}

/**
 * An organisation's own records (facilities, keys) are managed by that organisation, or the operator (the
 * admin token: `admin` is no organisation's role).
 */
export function actorMustBeTheOrganisationOrAdmin(actor: Actor, orgId: string, toDo: string): void {
  if (actor.orgId !== orgId && !isOperator(actor)) {
    throw refuse('NOT_YOUR_ORGANISATION', `Only ${orgId} (or the ledger operator) may ${toDo}`);
  }
}

export type ExistingOrganisation = Extract<OrganisationState, { exists: true }>;

export function organisationMustExist(state: OrganisationState, orgId: string): ExistingOrganisation {
  if (!state.exists) throw refuse('ORGANISATION_NOT_FOUND', `Organisation ${orgId} does not exist`);
  return state;
}

export function organisationMustNotExist(state: OrganisationState, orgId: string): void {
  if (state.exists) throw refuse('ORGANISATION_ALREADY_EXISTS', `Organisation ${orgId} already exists`);
}

/** The facility `facilityId` of the organisation `orgId`, which must both exist. */
export function facilityMustExist(state: OrganisationState, orgId: string, facilityId: string): Facility {
  const facility = organisationMustExist(state, orgId).facilities.get(facilityId);
  if (!facility) throw refuse('FACILITY_NOT_FOUND', `Facility ${facilityId} of ${orgId} does not exist`);
  return facility;
}

/** A key that exists and is not revoked. */
export function signingKeyMustBeActive(
  keys: ReadonlyMap<string, SigningKeyState>,
  orgId: string,
  keyId: string,
): SigningKeyState {
  const key = keys.get(keyId);
  if (!key) throw refuse('SIGNING_KEY_NOT_FOUND', `${orgId} has no signing key ${keyId}`);
  if (key.revokedAt !== undefined) {
    throw refuse('SIGNING_KEY_ALREADY_REVOKED', `Signing key ${keyId} was revoked at ${key.revokedAt}`);
  }
  return key;
}

/** The refusal of a lot that does not exist: also what a stranger is told of one it may not read. */
export const batchNotFound = (batchId: string): DomainError =>
  refuse('BATCH_NOT_FOUND', `Batch ${batchId} does not exist`);

export function batchMustExist(state: BatchState, batchId: string): ExistingBatch {
  if (!state.exists) throw batchNotFound(batchId);
  return state;
}

/**
 * Whether a lot's own stream says an organisation was told of it: it has held the lot, or the shipment
 * on its way names it as the receiver (who may not read the lot before its receipt, but was sent it).
 */
export function toldOfBatch(state: BatchState, orgId: string): boolean {
  return state.exists && (state.participants.has(orgId) || state.openShipment?.toOrgId === orgId);
}

export function batchMustNotExist(state: BatchState, batchId: string, what = 'Batch'): void {
  if (state.exists) throw refuse('BATCH_ALREADY_EXISTS', `${what} ${batchId} already exists`);
}

/** In transit, the batch belongs to no facility until it is received: wait for the receipt. */
export function batchMustNotBeInTransit(batch: ExistingBatch): void {
  if (batch.status === 'in_transit') {
    throw refuse(
      'BATCH_IN_TRANSIT',
      `Batch ${batch.batchId} is in transit (shipment ${batch.openShipment?.shipmentId})`,
    );
  }
}

/** Only the organisation holding the batch may move or process it, and only while it is there. */
export function batchMustBeInActorsCustody(batch: ExistingBatch, actor: Actor): void {
  batchMustNotBeInTransit(batch);
  if (batch.status !== 'in_custody') {
    throw refuse('BATCH_NOT_AVAILABLE', `Batch ${batch.batchId} is ${batch.status}`);
  }
  batchMustBeHeldByActor(batch, actor);
}

export function batchMustBeHeldByActor(batch: ExistingBatch, actor: Actor): void {
  if (batch.custodian.orgId !== actor.orgId) {
    throw refuse('BATCH_NOT_IN_CUSTODY', `Batch ${batch.batchId} is not in the custody of ${actor.orgId}`);
  }
}

/** An exported or wholly consumed batch is gone from the chain: nothing more can happen to it. */
export function batchMustNotHaveLeft(batch: ExistingBatch): void {
  if (batch.status === 'exported') {
    throw refuse('BATCH_ALREADY_EXPORTED', `Batch ${batch.batchId} has already been exported`);
  }
  if (batch.status === 'consumed') {
    throw refuse('BATCH_CONSUMED', `Batch ${batch.batchId} was consumed by processing`);
  }
}

/**
 * A held batch stays where it is until the regulator releases it: not now, and not at `occurredAt`, so a
 * step recorded after a release cannot be dated back into the hold (ADR 0017).
 */
export function batchMustNotBeHeld(
  batch: ExistingBatch,
  toDo: string,
  occurredAt: string,
  name = 'Batch',
): void {
  if (batch.held) throw refuse('BATCH_HELD', `${name} ${batch.batchId} is held and cannot be ${toDo}`);
  const at = Date.parse(occurredAt);
  const period = batch.heldPeriods.find(({ from, to }) => Date.parse(from) <= at && at < Date.parse(to));
  if (period) {
    throw refuse(
      'BATCH_HELD',
      `${name} ${batch.batchId} was held from ${period.from} to ${period.to}: it cannot have been ${toDo} at ${occurredAt}`,
      { heldFrom: period.from, heldUntil: period.to, occurredAt },
    );
  }
}

/**
 * Its custodian acts on a lot only from when the lot came into its custody (mined, produced or received
 * there): a step dated before that happened while someone else held it (ADR 0017).
 */
export function occurredAtMustNotPrecedeCustody(
  occurredAt: string,
  batch: ExistingBatch,
  name = 'the batch',
): void {
  const what =
    batch.custodySince === batch.originAt
      ? `${name} came into being`
      : `${name} came into the custody of ${batch.custodian.orgId}`;
  occurredAtMustNotPrecede(occurredAt, batch.custodySince, what);
}

/** A transformation's or blend's input is consumed where the step happens. */
export function inputMustBeAtFacility(input: ExistingBatch, batchId: string, facilityId: string): void {
  if (input.custodian.facilityId !== facilityId) {
    throw refuse(
      'INPUT_NOT_AT_FACILITY',
      `Input ${batchId} is at ${input.custodian.facilityId}, not ${facilityId}`,
    );
  }
}

/** An input gives a positive mass, no more than it has left. */
export function inputMustHaveMassFor(input: ExistingBatch, batchId: string, consumedGrams: number): void {
  massMustBePositive(consumedGrams);
  if (consumedGrams > input.remainingGrams) {
    throw refuse('CONSUMED_MASS_EXCEEDS_REMAINING', `Input ${batchId} has ${input.remainingGrams} g left`, {
      batchId,
      remainingGrams: input.remainingGrams,
      consumedGrams,
    });
  }
}

export function massMustBePositive(massGrams: number): void {
  if (!Number.isSafeInteger(massGrams) || massGrams <= 0) {
    throw refuse('MASS_NOT_POSITIVE', 'Mass must be a positive number of grams', { massGrams });
  }
}

/** The refusal of a licence that does not exist: also what a stranger is told of one it may not read. */
export const licenceNotFound = (licenceId: string): DomainError =>
  refuse('LICENCE_NOT_FOUND', `Licence ${licenceId} does not exist`);

export function licenceMustExist(state: LicenceState, licenceId: string): ExistingLicence {
  if (!state.exists) throw licenceNotFound(licenceId);
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
 * In force both when the export happened (`occurredAt`) and when the ledger learns of it (`recordedAt`),
 * so that back-dating cannot launder it (ADR 0017): not revoked or suspended at either time (its current
 * status is its status at recording), and within its validity window at both.
 */
export function licenceMustBeInForce(licence: ExistingLicence, occurredAt: string, recordedAt: string): void {
  const statusThen = licenceStatusAt(licence, occurredAt);
  if (licence.status === 'revoked' || statusThen === 'revoked') {
    throw refuse('LICENCE_REVOKED', `Licence ${licence.licenceId} is revoked`);
  }
  if (licence.status === 'suspended' || statusThen === 'suspended') {
    throw refuse('LICENCE_SUSPENDED', `Licence ${licence.licenceId} is suspended at ${occurredAt}`);
  }
  for (const [moment, which] of [
    [occurredAt, 'the export occurred'],
    [recordedAt, 'the export is recorded'],
  ] as const) {
    const at = Date.parse(moment);
    if (at < Date.parse(licence.validFrom)) {
      throw refuse(
        'LICENCE_NOT_YET_VALID',
        `Licence ${licence.licenceId} is valid from ${licence.validFrom}, after ${which} (${moment})`,
        { validFrom: licence.validFrom, occurredAt, recordedAt },
      );
    }
    if (at > Date.parse(licence.validUntil)) {
      throw refuse(
        'LICENCE_EXPIRED',
        `Licence ${licence.licenceId} expired at ${licence.validUntil}, before ${which} (${moment})`,
        { validUntil: licence.validUntil, occurredAt, recordedAt },
      );
    }
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

/**
 * A regulator acts within its country: the one its organisation is registered in. `what` is what lies
 * outside it (a holder, a facility), for the refusal's sentence.
 */
export function regulatorMustActInItsCountry(
  regulator: ExistingOrganisation,
  country: string,
  what: string,
): void {
  if (regulator.country !== country) {
    throw refuse(
      'OUTSIDE_JURISDICTION',
      `${regulator.orgId} regulates in ${regulator.country}; ${what} is in ${country}`,
      { regulatorCountry: regulator.country, country },
    );
  }
}

/** Only the authority that granted a licence amends, suspends, reinstates or revokes it. */
export function actorMustBeTheLicensingAuthority(licence: ExistingLicence, actor: Actor): void {
  if (licence.authorityOrgId !== actor.orgId) {
    throw refuse(
      'NOT_LICENSING_AUTHORITY',
      `Only ${licence.authorityOrgId}, which granted licence ${licence.licenceId}, may change it`,
    );
  }
}

/** How many certificates one certifier may have in force (not revoked, not expired) for one subject. */
export const MAX_CERTIFICATES_PER_SUBJECT = 100;

/** A certifier's certificates for one subject stay countable: at most MAX_CERTIFICATES_PER_SUBJECT in force. */
export function certifierMustHaveRoomForACertificate(
  engagement: EngagementState,
  subject: CertificateSubject,
  recordedAt: string,
): void {
  const inForce = certificatesNotExpired(engagement, recordedAt).length;
  if (inForce >= MAX_CERTIFICATES_PER_SUBJECT) {
    throw refuse(
      'CERTIFICATE_LIMIT_REACHED',
      `The certifier already has ${inForce} certificates in force for ${certificateSubjectKey(subject)}: revoke one first`,
      { limit: MAX_CERTIFICATES_PER_SUBJECT },
    );
  }
}

/**
 * A certifier records an assay only of a lot it is engaged on: it has a certificate in force at the
 * assay's `occurredAt` (valid, neither suspended nor revoked) for the lot's custodian facility or
 * custodian organisation, or a participant has disclosed the lot to it (`disclosedTo`).
 * `engagements` are its engagement streams for those two subjects.
 */
export function certifierMustBeEngaged(
  batch: ExistingBatch,
  actor: Actor,
  engagements: readonly EngagementState[],
  occurredAt: string,
  recordedAt: string,
): void {
  if (disclosedTo(batch, actor.orgId, occurredAt, recordedAt)) return;
  if (!engagements.some((engagement) => certificatesInForce(engagement, occurredAt).length > 0)) {
    const { orgId, facilityId } = batch.custodian;
    throw refuse(
      'CERTIFIER_NOT_ENGAGED',
      `${actor.orgId} has no certificate in force for ${orgId} or its facility ${facilityId}, which holds batch ${batch.batchId}`,
    );
  }
}

/**
 * Whether a participant has disclosed the batch to an organisation, by a disclosure in force now (not
 * revoked, `until` after the ledger's clock) that also covered `occurredAt` (not after its `until`): both
 * times, as every rule judges them (ADR 0017).
 */
export function disclosedTo(
  batch: ExistingBatch,
  orgId: string,
  occurredAt: string,
  recordedAt: string,
): boolean {
  return [...batch.disclosures.values()].some(
    (disclosure) =>
      disclosure.toOrgId === orgId &&
      !disclosure.revoked &&
      (disclosure.until === undefined ||
        (Date.parse(recordedAt) < Date.parse(disclosure.until) &&
          Date.parse(occurredAt) <= Date.parse(disclosure.until))),
  );
}

/** Only an organisation that has held custody of a batch (a participant) may disclose it. */
export function actorMustBeAParticipant(batch: ExistingBatch, actor: Actor, toDo: string): void {
  if (!batch.participants.has(actor.orgId)) {
    throw refuse(
      'NOT_A_PARTICIPANT',
      `Only an organisation that has held custody of batch ${batch.batchId} may ${toDo}`,
    );
  }
}

/** A disclosure's `until` is judged against the ledger's clock: a disclosure never ends before it begins. */
export function disclosureMustEndAfterItIsRecorded(until: string, recordedAt: string): void {
  if (Date.parse(until) <= Date.parse(recordedAt)) {
    throw refuse('DISCLOSURE_UNTIL_NOT_LATER', `until ${until} is not later than the ledger's clock`, {
      until,
      recordedAt,
    });
  }
}
