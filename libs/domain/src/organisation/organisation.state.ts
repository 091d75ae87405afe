import type { Role } from '../shared/actor';
import type { Facility, OrganisationEvent, SigningPublicKey } from './organisation.events';

export interface SigningKeyState {
  readonly keyId: string;
  readonly publicKey: SigningPublicKey;
  readonly registeredAt: string;
  readonly revokedAt?: string;
}

export type OrganisationState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly orgId: string;
      readonly name: string;
      readonly country: string;
      readonly roles: readonly Role[];
      /** Its GS1 GLN, when given. */
      readonly gln?: string;
      readonly facilities: ReadonlyMap<string, Facility>;
      /** Every signing key ever registered, revoked ones included (a keyId is never reused). */
      readonly signingKeys: ReadonlyMap<string, SigningKeyState>;
      /**
       * API keys issued in the organisation's own stream, as ledgers did before credentials had a stream
       * of their own: keyId by the SHA-256 of the key. Revocations and newer keys are in `credentials-{orgId}`.
       */
      readonly apiKeys: ReadonlyMap<string, string>;
    };

export const initialOrganisationState = (): OrganisationState => ({ exists: false });

export function evolveOrganisation(state: OrganisationState, event: OrganisationEvent): OrganisationState {
  switch (event.type) {
    case 'OrganisationRegistered': {
      const { orgId, name, country, roles } = event.data;
      return {
        exists: true,
        orgId,
        name,
        country,
        roles,
        facilities: new Map(),
        signingKeys: new Map(),
        apiKeys: new Map(),
      };
    }
    case 'FacilityRegistered': {
      if (!state.exists) return state;
      const { orgId: _orgId, ...facility } = event.data;
      return { ...state, facilities: new Map(state.facilities).set(facility.facilityId, facility) };
    }
    case 'GlnAssigned': {
      if (!state.exists) return state;
      const { facilityId, gln } = event.data;
      if (facilityId === undefined) return { ...state, gln };
      const facility = state.facilities.get(facilityId);
      if (!facility) return state;
      return { ...state, facilities: new Map(state.facilities).set(facilityId, { ...facility, gln }) };
    }
    case 'ApiKeyIssued':
      return state.exists
        ? { ...state, apiKeys: new Map(state.apiKeys).set(event.data.keySha256, event.data.keyId) }
        : state;
    case 'SigningKeyRegistered': {
      if (!state.exists) return state;
      const { keyId, publicKey, registeredAt } = event.data;
      return {
        ...state,
        signingKeys: new Map(state.signingKeys).set(keyId, { keyId, publicKey, registeredAt }),
      };
    }
    case 'SigningKeyRevoked': {
      const key = state.exists ? state.signingKeys.get(event.data.keyId) : undefined;
      if (!state.exists || !key) return state;
      const revoked = { ...key, revokedAt: event.data.revokedAt };
      return { ...state, signingKeys: new Map(state.signingKeys).set(key.keyId, revoked) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Exactly `{kty: 'OKP', crv: 'Ed25519', x}` with x the base64url text of 32 bytes. */
export function isSigningPublicKey(value: unknown): value is SigningPublicKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { kty, crv, x, ...rest } = value as Record<string, unknown>;
  // 43 base64url characters carry 258 bits: the last one must leave the 2 spare bits zero.
  return (
    Object.keys(rest).length === 0 &&
    kty === 'OKP' &&
    crv === 'Ed25519' &&
    typeof x === 'string' &&
    /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(x)
  );
}

/**
 * Once an organisation has registered a signing key, every command it sends must be signed — also
 * after all its keys are revoked, when only an admin can register a new one for it.
 */
export const signaturesRequired = (state: OrganisationState): boolean =>
  state.exists && state.signingKeys.size > 0;
