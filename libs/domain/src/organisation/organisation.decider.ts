import { type Decider, eventsFor, type LedgerState, type StreamEvents } from '../decider';
import { isGln } from '../shared/gln';
import { OPERATOR_ORG_ID, type Role } from '../shared/actor';
import { refuse } from '../shared/domain-error';
import {
  actorMustBeTheOrganisationOrAdmin,
  actorMustHaveRole,
  organisationMustExist,
  organisationMustNotExist,
  facilityMustExist,
  signingKeyMustBeActive,
} from '../rules';
import type { Facility, OrganisationEvent, SigningPublicKey } from './organisation.events';
import { isSigningPublicKey } from './organisation.state';

export type RegisterOrganisation = {
  type: 'RegisterOrganisation';
  data: {
    orgId: string;
    name: string;
    country: string;
    roles: Role[];
    keyId: string;
    keySha256: string;
    gln?: string;
  };
};
export type RegisterFacility = { type: 'RegisterFacility'; data: { orgId: string } & Facility };
/** Gives a GLN to an organisation, or to its facility `facilityId`, that has none yet. */
export type AssignGln = { type: 'AssignGln'; data: { orgId: string; facilityId?: string; gln: string } };
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
  RegisterOrganisation | RegisterFacility | AssignGln | RegisterSigningKey | RevokeSigningKey;

const organisationStream = ({ data }: { data: { orgId: string } }) => ({ organisations: [data.orgId] });
/** A GLN's own stream, when the command gives one that is a GLN at all (`decide` refuses the rest). */
const glnStream = (gln: string | undefined) => (isGln(gln) ? { glns: [gln] } : {});

function glnMustBeValid(gln: string): void {
  if (!isGln(gln)) {
    throw refuse(
      'INVALID_GLN',
      `${JSON.stringify(gln)} is not a GLN: 13 digits, the last the GS1 check digit (mod 10) of the first 12`,
    );
  }
}

/**
 * The events that give `gln` to the organisation (or its facility): `GlnAssigned` for its stream, and the
 * claim on the GLN's own stream, which must hold none. The holder is not named: a GLN says nothing of
 * who else is on the ledger.
 */
function giveGln(
  state: LedgerState,
  orgId: string,
  facilityId: string | undefined,
  gln: string,
): { assigned: OrganisationEvent; claim: StreamEvents } {
  if (state.gln(gln).holder) {
    throw refuse('GLN_TAKEN', `GLN ${gln} is already held by an organisation or facility of this ledger`);
  }
  const data = { orgId, ...(facilityId !== undefined ? { facilityId } : {}), gln };
  return {
    assigned: { type: 'GlnAssigned', data },
    claim: eventsFor('glns', gln, [{ type: 'GlnClaimed', data }]),
  };
}

/**
 * The operator registers an organisation with its roles and first API key (only its hash is kept, in the
 * organisation's credentials stream, appended with the registration).
 */
export const registerOrganisation: Decider<RegisterOrganisation> = {
  streams: ({ data }) => ({
    organisations: [data.orgId],
    credentials: [data.orgId],
    ...glnStream(data.gln),
  }),
  decide: ({ data, metadata }, state) => {
    actorMustHaveRole(metadata.actor, 'admin', 'register an organisation');
    if (data.gln !== undefined) glnMustBeValid(data.gln);
    if (data.orgId === OPERATOR_ORG_ID) {
      throw refuse('ORGANISATION_ALREADY_EXISTS', `${OPERATOR_ORG_ID} is the ledger operator's own id`);
    }
    organisationMustNotExist(state.organisation(data.orgId), data.orgId);
    const { orgId, name, country, roles, keyId, keySha256, gln } = data;
    const given = gln !== undefined ? giveGln(state, orgId, undefined, gln) : undefined;
    return [
      eventsFor('organisations', orgId, [
        { type: 'OrganisationRegistered', data: { orgId, name, country, roles: [...new Set(roles)] } },
        ...(given ? [given.assigned] : []),
      ]),
      eventsFor('credentials', orgId, [{ type: 'ApiKeyIssued', data: { orgId, keyId, keySha256 } }]),
      ...(given ? [given.claim] : []),
    ];
  },
};

/**
 * An organisation (or the admin) registers one of its facilities; only the operator gives it a GLN with it
 * (ADR 0031: the operator checks GS1's registry first), so an organisation registering with `gln` is
 * refused (`ROLE_REQUIRED`) and nothing is written.
 */
export const registerFacility: Decider<RegisterFacility> = {
  streams: (command) => ({ ...organisationStream(command), ...glnStream(command.data.gln) }),
  decide: ({ data, metadata }, state) => {
    const { gln, ...facility } = data;
    const { orgId, facilityId } = facility;
    actorMustBeTheOrganisationOrAdmin(metadata.actor, orgId, 'register its facilities');
    if (gln !== undefined) {
      actorMustHaveRole(metadata.actor, 'admin', 'give a facility its GLN (register it without gln)');
      glnMustBeValid(gln);
    }
    const organisation = organisationMustExist(state.organisation(orgId), orgId);
    if (organisation.facilities.has(facilityId)) {
      throw refuse('FACILITY_ALREADY_EXISTS', `Facility ${facilityId} of ${orgId} already exists`);
    }
    const given = gln !== undefined ? giveGln(state, orgId, facilityId, gln) : undefined;
    return [
      eventsFor('organisations', orgId, [
        { type: 'FacilityRegistered', data: facility },
        ...(given ? [given.assigned] : []),
      ]),
      ...(given ? [given.claim] : []),
    ];
  },
};

/**
 * Gives a GLN to an organisation or a facility registered without one, by the operator only: it checks
 * GS1's registry that the GLN is the holder's before giving it (ADR 0031), since capture reads a GLN as
 * the place and party it names. A GLN once given is not changed (`GLN_ALREADY_SET`): documents already
 * exported name the place by it.
 */
export const assignGln: Decider<AssignGln> = {
  streams: (command) => ({ ...organisationStream(command), ...glnStream(command.data.gln) }),
  decide: ({ data, metadata }, state) => {
    const { orgId, facilityId, gln } = data;
    actorMustHaveRole(
      metadata.actor,
      'admin',
      facilityId === undefined ? 'give an organisation its GLN' : 'give a facility its GLN',
    );
    glnMustBeValid(gln);
    const organisation = organisationMustExist(state.organisation(orgId), orgId);
    const holder =
      facilityId === undefined
        ? organisation
        : facilityMustExist(state.organisation(orgId), orgId, facilityId);
    if (holder.gln !== undefined) {
      const what = facilityId === undefined ? orgId : `Facility ${facilityId} of ${orgId}`;
      throw refuse('GLN_ALREADY_SET', `${what} already has the GLN ${holder.gln}`);
    }
    const given = giveGln(state, orgId, facilityId, gln);
    return [eventsFor('organisations', orgId, [given.assigned]), given.claim];
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
