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
  /** Its GS1 Global Location Number, when given (`GlnAssigned`, never in `FacilityRegistered`). */
  readonly gln?: string;
};

export type OrganisationRegistered = {
  type: 'OrganisationRegistered';
  data: { orgId: string; name: string; country: string; roles: Role[] };
};
export type FacilityRegistered = {
  type: 'FacilityRegistered';
  data: { orgId: string } & Omit<Facility, 'gln'>;
};
/**
 * A GS1 Global Location Number given to the organisation, or to its facility `facilityId` (ADR 0031):
 * appended with its registration, or later, with the GLN's own `GlnClaimed` (`gln-{gln}`). Once given it is
 * never changed: EPCIS documents name the organisation or facility by it.
 */
export type GlnAssigned = {
  type: 'GlnAssigned';
  data: { orgId: string; facilityId?: string; gln: string };
};
/**
 * Only a hash of the key is ever stored; the key itself is shown once, in the response that issued it.
 * Written to the organisation's credentials stream (`credentials-{orgId}`); older ledgers hold it in the
 * organisation's own stream, where the organisation's state still reads it.
 */
export type ApiKeyIssued = {
  type: 'ApiKeyIssued';
  data: { orgId: string; keyId: string; keySha256: string; label?: string };
};

/** An Ed25519 public key as a JSON Web Key (RFC 8037): only these three members, never a private part. */
export type SigningPublicKey = { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };

/**
 * A key the organisation signs its commands with (RFC 9421). From the first one on, every command the
 * organisation sends must be signed. `replaces` names the key this one rotates out (revoked alongside).
 */
export type SigningKeyRegistered = {
  type: 'SigningKeyRegistered';
  data: {
    orgId: string;
    keyId: string;
    publicKey: SigningPublicKey;
    registeredAt: string;
    replaces?: string;
  };
};
/** A signing key no longer accepted; signatures it made before stay in the log as they were checked. */
export type SigningKeyRevoked = {
  type: 'SigningKeyRevoked';
  data: { orgId: string; keyId: string; revokedAt: string; reason?: string; replacedBy?: string };
};

export type OrganisationEvent =
  | OrganisationRegistered
  | FacilityRegistered
  | GlnAssigned
  | ApiKeyIssued
  | SigningKeyRegistered
  | SigningKeyRevoked;
