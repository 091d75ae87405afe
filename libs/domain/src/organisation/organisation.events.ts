import type { Role } from '../shared/actor';

export const FACILITY_KINDS = ['mine', 'processing_plant', 'warehouse', 'port', 'laboratory'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

export type Facility = {
  readonly facilityId: string;
  readonly kind: FacilityKind;
  readonly name: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly lat?: number;
  readonly lon?: number;
};

export type OrganisationRegistered = {
  type: 'OrganisationRegistered';
  data: { orgId: string; name: string; country: string; roles: Role[] };
};
export type FacilityRegistered = { type: 'FacilityRegistered'; data: { orgId: string } & Facility };
/** Only a hash of the key is ever stored; the key itself is shown once, in the registration's response. */
export type ApiKeyIssued = {
  type: 'ApiKeyIssued';
  data: { orgId: string; keyId: string; keySha256: string };
};

export type OrganisationEvent = OrganisationRegistered | FacilityRegistered | ApiKeyIssued;
