import { deciderSpec } from '@tracelode/testing';
import type { Actor } from '../shared/actor';
import { decideOrganisation, evolveOrganisation, initialOrganisationState } from './organisation.decider';
import type { OrganisationEvent } from './organisation.events';

const spec = deciderSpec({
  decide: decideOrganisation,
  evolve: evolveOrganisation,
  initialState: initialOrganisationState,
});
const admin: Actor = { orgId: 'ledger', keyId: 'admin', roles: ['admin'] };
const mineco: Actor = { orgId: 'mineco', keyId: 'k1', roles: ['producer'] };

const register = {
  type: 'RegisterOrganisation' as const,
  data: {
    orgId: 'mineco',
    name: 'MineCo',
    country: 'AU',
    roles: ['producer' as const, 'producer' as const],
    keyId: 'k1',
    keySha256: 'ab',
  },
};
const registered: OrganisationEvent[] = [
  {
    type: 'OrganisationRegistered',
    data: { orgId: 'mineco', name: 'MineCo', country: 'AU', roles: ['producer'] },
  },
  { type: 'ApiKeyIssued', data: { orgId: 'mineco', keyId: 'k1', keySha256: 'ab' } },
];
const facility = {
  type: 'RegisterFacility' as const,
  data: {
    orgId: 'mineco',
    facilityId: 'mt-weld',
    kind: 'mine' as const,
    name: 'Mt Weld',
    country: 'AU',
    lat: -28.86,
    lon: 122.55,
  },
};

describe('organisation decider', () => {
  it('registers an organisation with its first API key (roles deduplicated)', () =>
    spec([]).when(register, admin).then(registered));
  it('refuses registration by a non-admin', () =>
    spec([]).when(register, mineco).thenRefuses('ROLE_REQUIRED'));
  it('refuses an orgId that exists', () =>
    spec(registered).when(register, admin).thenRefuses('ORGANISATION_ALREADY_EXISTS'));
  it('lets an organisation register its own facility', () =>
    spec(registered)
      .when(facility, mineco)
      .then([{ type: 'FacilityRegistered', data: facility.data }]));
  it('lets an admin register a facility for an organisation', () =>
    spec(registered)
      .when(facility, admin)
      .then([{ type: 'FacilityRegistered', data: facility.data }]));
  it('refuses a facility for another organisation', () =>
    spec(registered)
      .when(facility, { ...mineco, orgId: 'other' })
      .thenRefuses('NOT_YOUR_ORGANISATION'));
  it('refuses a facility for an unknown organisation', () =>
    spec([]).when(facility, mineco).thenRefuses('ORGANISATION_NOT_FOUND'));
  it('refuses a facility id the organisation already has', () =>
    spec([...registered, { type: 'FacilityRegistered', data: facility.data }])
      .when(facility, mineco)
      .thenRefuses('FACILITY_ALREADY_EXISTS'));
});
