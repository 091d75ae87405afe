import { type Actor, hasRole, type Role } from '../shared/actor';
import { conflict, forbidden, invalid, notFound } from '../shared/domain-error';
import type { Facility, OrganisationEvent, SigningPublicKey } from './organisation.events';

export type RegisterOrganisation = {
  type: 'RegisterOrganisation';
  data: { orgId: string; name: string; country: string; roles: Role[]; keyId: string; keySha256: string };
};
export type RegisterFacility = { type: 'RegisterFacility'; data: { orgId: string } & Facility };
export type RegisterSigningKey = {
  type: 'RegisterSigningKey';
  data: {
    orgId: string;
    keyId: string;
    publicKey: SigningPublicKey;
    registeredAt: string;
    replaces?: string;
  };
};
export type RevokeSigningKey = {
  type: 'RevokeSigningKey';
  data: { orgId: string; keyId: string; revokedAt: string; reason?: string };
};
export type OrganisationCommand =
  RegisterOrganisation | RegisterFacility | RegisterSigningKey | RevokeSigningKey;

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
      readonly facilities: ReadonlyMap<string, Facility>;
      /** Every signing key ever registered, revoked ones included (a keyId is never reused). */
      readonly signingKeys: ReadonlyMap<string, SigningKeyState>;
    };

export const initialOrganisationState = (): OrganisationState => ({ exists: false });

export function evolveOrganisation(state: OrganisationState, event: OrganisationEvent): OrganisationState {
  switch (event.type) {
    case 'OrganisationRegistered': {
      const { orgId, name, country, roles } = event.data;
      return { exists: true, orgId, name, country, roles, facilities: new Map(), signingKeys: new Map() };
    }
    case 'FacilityRegistered': {
      if (!state.exists) return state;
      const { orgId: _orgId, ...facility } = event.data;
      return { ...state, facilities: new Map(state.facilities).set(facility.facilityId, facility) };
    }
    case 'ApiKeyIssued':
      return state;
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

export function decideOrganisation(
  command: OrganisationCommand,
  state: OrganisationState,
  actor: Actor,
): OrganisationEvent[] {
  switch (command.type) {
    case 'RegisterOrganisation': {
      if (!hasRole(actor, 'admin')) {
        throw forbidden('ROLE_REQUIRED', 'Registering an organisation needs the admin role', {
          role: 'admin',
        });
      }
      if (state.exists) {
        throw conflict('ORGANISATION_ALREADY_EXISTS', `Organisation ${command.data.orgId} already exists`);
      }
      const { orgId, name, country, roles, keyId, keySha256 } = command.data;
      return [
        { type: 'OrganisationRegistered', data: { orgId, name, country, roles: [...new Set(roles)] } },
        { type: 'ApiKeyIssued', data: { orgId, keyId, keySha256 } },
      ];
    }
    case 'RegisterFacility': {
      const { orgId, facilityId } = command.data;
      if (actor.orgId !== orgId && !hasRole(actor, 'admin')) {
        throw forbidden('NOT_YOUR_ORGANISATION', `Only ${orgId} (or an admin) may register its facilities`);
      }
      if (!state.exists) throw notFound('ORGANISATION_NOT_FOUND', `Organisation ${orgId} does not exist`);
      if (state.facilities.has(facilityId)) {
        throw conflict('FACILITY_ALREADY_EXISTS', `Facility ${facilityId} of ${orgId} already exists`);
      }
      return [{ type: 'FacilityRegistered', data: { ...command.data } }];
    }
    case 'RegisterSigningKey': {
      const { orgId, keyId, publicKey, registeredAt, replaces } = command.data;
      const keys = signingKeysOf(state, orgId, actor);
      if (!isSigningPublicKey(publicKey)) {
        throw invalid(
          'SIGNING_KEY_INVALID',
          'publicKey must be an Ed25519 public key: a JWK {kty: "OKP", crv: "Ed25519", x} or an SPKI PEM',
        );
      }
      if (keys.has(keyId)) {
        throw conflict('SIGNING_KEY_ALREADY_EXISTS', `${orgId} already has (or had) a signing key ${keyId}`);
      }
      // A revoked key may have been compromised: registering it again, under any id, would revive it.
      const twin = [...keys.values()].find((key) => key.publicKey.x === publicKey.x);
      if (twin) {
        throw conflict(
          'SIGNING_KEY_ALREADY_EXISTS',
          `This public key is already registered as ${twin.keyId}`,
        );
      }
      const registered: OrganisationEvent = {
        type: 'SigningKeyRegistered',
        data: {
          orgId,
          keyId,
          publicKey: { kty: 'OKP', crv: 'Ed25519', x: publicKey.x },
          registeredAt,
          ...(replaces !== undefined ? { replaces } : {}),
        },
      };
      if (replaces === undefined) return [registered];
      activeKey(keys, orgId, replaces);
      return [
        registered,
        {
          type: 'SigningKeyRevoked',
          data: { orgId, keyId: replaces, revokedAt: registeredAt, reason: 'rotated', replacedBy: keyId },
        },
      ];
    }
    case 'RevokeSigningKey': {
      const { orgId, keyId, revokedAt, reason } = command.data;
      activeKey(signingKeysOf(state, orgId, actor), orgId, keyId);
      return [
        {
          type: 'SigningKeyRevoked',
          data: { orgId, keyId, revokedAt, ...(reason !== undefined ? { reason } : {}) },
        },
      ];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

/** An organisation's signing keys, for a command by that organisation (or an admin) on them. */
function signingKeysOf(
  state: OrganisationState,
  orgId: string,
  actor: Actor,
): ReadonlyMap<string, SigningKeyState> {
  if (actor.orgId !== orgId && !hasRole(actor, 'admin')) {
    throw forbidden('NOT_YOUR_ORGANISATION', `Only ${orgId} (or an admin) may manage its signing keys`);
  }
  if (!state.exists) throw notFound('ORGANISATION_NOT_FOUND', `Organisation ${orgId} does not exist`);
  return state.signingKeys;
}

function activeKey(
  keys: ReadonlyMap<string, SigningKeyState>,
  orgId: string,
  keyId: string,
): SigningKeyState {
  const key = keys.get(keyId);
  if (!key) throw notFound('SIGNING_KEY_NOT_FOUND', `${orgId} has no signing key ${keyId}`);
  if (key.revokedAt !== undefined) {
    throw conflict('SIGNING_KEY_ALREADY_REVOKED', `Signing key ${keyId} was revoked at ${key.revokedAt}`);
  }
  return key;
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
