import { type Decider, eventsFor } from '../decider';
import { OPERATOR_ORG_ID, type Role } from '../shared/actor';
import { refuse } from '../shared/domain-error';
import {
  actorMustBeTheOrganisationOrAdmin,
  actorMustHaveRole,
  organisationMustExist,
  organisationMustNotExist,
  signingKeyMustBeActive,
} from '../rules';
import type { Facility, OrganisationEvent, SigningPublicKey } from './organisation.events';
import { isSigningPublicKey } from './organisation.state';

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

const organisationStream = ({ data }: { data: { orgId: string } }) => ({ organisations: [data.orgId] });

/**
 * The operator registers an organisation with its roles and first API key (only its hash is kept, in the
 * organisation's credentials stream, appended with the registration).
 */
export const registerOrganisation: Decider<RegisterOrganisation> = {
  streams: ({ data }) => ({ organisations: [data.orgId], credentials: [data.orgId] }),
  decide: ({ data, metadata }, state) => {
    actorMustHaveRole(metadata.actor, 'admin', 'register an organisation');
    if (data.orgId === OPERATOR_ORG_ID) {
      throw refuse('ORGANISATION_ALREADY_EXISTS', `${OPERATOR_ORG_ID} is the ledger operator's own id`);
    }
    organisationMustNotExist(state.organisation(data.orgId), data.orgId);
    const { orgId, name, country, roles, keyId, keySha256 } = data;
    return [
      eventsFor('organisations', orgId, [
        { type: 'OrganisationRegistered', data: { orgId, name, country, roles: [...new Set(roles)] } },
      ]),
      eventsFor('credentials', orgId, [{ type: 'ApiKeyIssued', data: { orgId, keyId, keySha256 } }]),
    ];
  },
};

/** An organisation (or the admin) registers one of its facilities. */
export const registerFacility: Decider<RegisterFacility> = {
  streams: organisationStream,
  decide: ({ data, metadata }, state) => {
    const { orgId, facilityId } = data;
    actorMustBeTheOrganisationOrAdmin(metadata.actor, orgId, 'register its facilities');
    const organisation = organisationMustExist(state.organisation(orgId), orgId);
    if (organisation.facilities.has(facilityId)) {
      throw refuse('FACILITY_ALREADY_EXISTS', `Facility ${facilityId} of ${orgId} already exists`);
    }
    return [eventsFor('organisations', orgId, [{ type: 'FacilityRegistered', data: { ...data } }])];
  },
};

/**
 * An organisation (or the admin) registers an Ed25519 public key; from then on its commands must be
 * signed. Registering with `replaces` rotates: the old key is revoked in the same append.
 */
export const registerSigningKey: Decider<RegisterSigningKey> = {
  streams: organisationStream,
  decide: ({ data, metadata }, state) => {
    const { orgId, keyId, publicKey, registeredAt, replaces } = data;
    actorMustBeTheOrganisationOrAdmin(metadata.actor, orgId, 'manage its signing keys');
    const keys = organisationMustExist(state.organisation(orgId), orgId).signingKeys;
    if (!isSigningPublicKey(publicKey)) {
      throw refuse(
        'SIGNING_KEY_INVALID',
        'publicKey must be an Ed25519 public key: a JWK {kty: "OKP", crv: "Ed25519", x} or an SPKI PEM',
      );
    }
    if (keys.has(keyId)) {
      throw refuse('SIGNING_KEY_ALREADY_EXISTS', `${orgId} already has (or had) a signing key ${keyId}`);
    }
    // A revoked key may have been compromised: registering it again, under any id, would revive it.
    const twin = [...keys.values()].find((key) => key.publicKey.x === publicKey.x);
    if (twin) {
      throw refuse('SIGNING_KEY_ALREADY_EXISTS', `This public key is already registered as ${twin.keyId}`);
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
    if (replaces === undefined) return [eventsFor('organisations', orgId, [registered])];
    signingKeyMustBeActive(keys, orgId, replaces);
    return [
      eventsFor('organisations', orgId, [
        registered,
        {
          type: 'SigningKeyRevoked',
          data: { orgId, keyId: replaces, revokedAt: registeredAt, reason: 'rotated', replacedBy: keyId },
        },
      ]),
    ];
  },
};

/** An organisation (or the admin) revokes one of its active signing keys. */
export const revokeSigningKey: Decider<RevokeSigningKey> = {
  streams: organisationStream,
  decide: ({ data, metadata }, state) => {
    const { orgId, keyId, revokedAt, reason } = data;
    actorMustBeTheOrganisationOrAdmin(metadata.actor, orgId, 'manage its signing keys');
    signingKeyMustBeActive(organisationMustExist(state.organisation(orgId), orgId).signingKeys, orgId, keyId);
    return [
      eventsFor('organisations', orgId, [
        {
          type: 'SigningKeyRevoked',
          data: { orgId, keyId, revokedAt, ...(reason !== undefined ? { reason } : {}) },
        },
      ]),
    ];
  },
};
