import type { Facility, Role } from '@tracelode/domain';
import type { DocumentProjection } from './document-projection';

export interface OrganisationView {
  readonly orgId: string;
  readonly name: string;
  readonly country: string;
  readonly roles: readonly Role[];
  readonly facilities: readonly Facility[];
}

/** Which organisation and key an API key (by its SHA-256) belongs to. */
export interface ApiKeyView {
  readonly orgId: string;
  readonly keyId: string;
}

export const ORGANISATIONS = 'organisations';
export const API_KEYS = 'api_keys';

export const organisationsProjection: DocumentProjection<OrganisationView> = {
  collection: ORGANISATIONS,
  keyOf: (event) =>
    event.type === 'OrganisationRegistered' || event.type === 'FacilityRegistered'
      ? event.data.orgId
      : undefined,
  evolve(view, event) {
    if (event.type === 'OrganisationRegistered') {
      const { orgId, name, country, roles } = event.data;
      return { orgId, name, country, roles, facilities: [] };
    }
    if (event.type === 'FacilityRegistered' && view) {
      const { orgId: _orgId, ...facility } = event.data;
      return { ...view, facilities: [...view.facilities, facility] };
    }
    throw new Error(`${event.type} cannot change an organisation view`);
  },
};

export const apiKeysProjection: DocumentProjection<ApiKeyView> = {
  collection: API_KEYS,
  keyOf: (event) => (event.type === 'ApiKeyIssued' ? event.data.keySha256 : undefined),
  evolve(_view, event) {
    if (event.type !== 'ApiKeyIssued') throw new Error(`${event.type} cannot change an API key view`);
    return { orgId: event.data.orgId, keyId: event.data.keyId };
  },
};
