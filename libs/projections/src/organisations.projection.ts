import type { Facility, Role, SigningPublicKey } from '@tracelode/domain';
import type { DocumentProjection } from './document-projection';

export interface OrganisationView {
  readonly orgId: string;
  readonly name: string;
  readonly country: string;
  readonly roles: readonly Role[];
  /** Its GS1 GLN, when given (ADR 0031). */
  readonly gln?: string;
  /** Each with its GLN, when given. */
  readonly facilities: readonly Facility[];
  /** Every signing key the organisation has registered, revoked ones included. */
  readonly signingKeys: readonly SigningKeyView[];
}

export interface SigningKeyView {
  readonly keyId: string;
  readonly publicKey: SigningPublicKey;
  readonly status: 'active' | 'revoked';
  readonly registeredAt: string;
  readonly revokedAt?: string;
  readonly replaces?: string;
  readonly replacedBy?: string;
  readonly revocationReason?: string;
}

/** Which organisation and key an API key (by its SHA-256) belongs to. */
export interface ApiKeyView {
  readonly orgId: string;
  readonly keyId: string;
}

/** Who holds a GLN: an organisation, or one of its facilities. */
export interface GlnHolderView {
  readonly gln: string;
  readonly orgId: string;
  readonly facilityId?: string;
}

export const ORGANISATIONS = 'organisations';
export const GLNS = 'glns';
export const API_KEYS = 'api_keys';

export const organisationsProjection: DocumentProjection<OrganisationView> = {
  collection: ORGANISATIONS,
  keyOf: (event) =>
    event.type === 'OrganisationRegistered' ||
    event.type === 'FacilityRegistered' ||
    event.type === 'GlnAssigned' ||
    event.type === 'SigningKeyRegistered' ||
    event.type === 'SigningKeyRevoked'
      ? event.data.orgId
      : undefined,
  evolve(view, event) {
    if (event.type === 'OrganisationRegistered') {
      const { orgId, name, country, roles } = event.data;
      return { orgId, name, country, roles, facilities: [], signingKeys: [] };
    }
    if (event.type === 'FacilityRegistered' && view) {
      const { orgId: _orgId, ...facility } = event.data;
      return { ...view, facilities: [...view.facilities, facility] };
    }
    if (event.type === 'GlnAssigned' && view) {
      const { facilityId, gln } = event.data;
      if (facilityId === undefined) return { ...view, gln };
      const facilities = view.facilities.map((f) => (f.facilityId === facilityId ? { ...f, gln } : f));
      return { ...view, facilities };
    }
    if (event.type === 'SigningKeyRegistered' && view) {
      const { keyId, publicKey, registeredAt, replaces } = event.data;
      const key: SigningKeyView = {
        keyId,
        publicKey,
        status: 'active',
        registeredAt,
        ...(replaces !== undefined ? { replaces } : {}),
      };
      return { ...view, signingKeys: [...(view.signingKeys ?? []), key] };
    }
    if (event.type === 'SigningKeyRevoked' && view) {
      const { keyId, revokedAt, reason, replacedBy } = event.data;
      const revoke = (key: SigningKeyView): SigningKeyView => ({
        ...key,
        status: 'revoked',
        revokedAt,
        ...(replacedBy !== undefined ? { replacedBy } : {}),
        ...(reason !== undefined ? { revocationReason: reason } : {}),
      });
      return {
        ...view,
        signingKeys: (view.signingKeys ?? []).map((key) => (key.keyId === keyId ? revoke(key) : key)),
      };
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

/** GLN → its holder, for EPCIS capture and queries that name a place by its GS1 Digital Link URI. */
export const glnsProjection: DocumentProjection<GlnHolderView> = {
  collection: GLNS,
  keyOf: (event) => (event.type === 'GlnClaimed' ? event.data.gln : undefined),
  evolve(view, event) {
    if (event.type !== 'GlnClaimed') throw new Error(`${event.type} cannot change a GLN view`);
    // A GLN is given once (the decider refuses a second claim): the first holder stands.
    if (view) return view;
    const { gln, orgId, facilityId } = event.data;
    return { gln, orgId, ...(facilityId !== undefined ? { facilityId } : {}) };
  },
};
