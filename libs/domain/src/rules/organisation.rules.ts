import { refuse } from '../shared/domain-error';
import type { Facility } from '../organisation/organisation.events';
import type { OrganisationState, SigningKeyState } from '../organisation/organisation.state';

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
