import { type Actor, hasRole, type Role } from '../shared/actor';
import { conflict, forbidden, notFound } from '../shared/domain-error';
import type { Facility, OrganisationEvent } from './organisation.events';

export type RegisterOrganisation = {
  type: 'RegisterOrganisation';
  data: { orgId: string; name: string; country: string; roles: Role[]; keyId: string; keySha256: string };
};
export type RegisterFacility = { type: 'RegisterFacility'; data: { orgId: string } & Facility };
export type OrganisationCommand = RegisterOrganisation | RegisterFacility;

export type OrganisationState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly orgId: string;
      readonly name: string;
      readonly country: string;
      readonly roles: readonly Role[];
      readonly facilities: ReadonlyMap<string, Facility>;
    };

export const initialOrganisationState = (): OrganisationState => ({ exists: false });

export function evolveOrganisation(state: OrganisationState, event: OrganisationEvent): OrganisationState {
  switch (event.type) {
    case 'OrganisationRegistered': {
      const { orgId, name, country, roles } = event.data;
      return { exists: true, orgId, name, country, roles, facilities: new Map() };
    }
    case 'FacilityRegistered': {
      if (!state.exists) return state;
      const { orgId: _orgId, ...facility } = event.data;
      return { ...state, facilities: new Map(state.facilities).set(facility.facilityId, facility) };
    }
    case 'ApiKeyIssued':
      return state;
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
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}
