import { refusal } from '../spec-support';
import { type Decider, InMemoryStreams } from '../decider';
import type { Actor } from '../shared/actor';
import type { RefusalCode } from '../shared/domain-error';
import {
  amendLicence,
  grantLicence,
  reinstateLicence,
  revokeLicence,
  suspendLicence,
} from './licence.decider';
import type { LicenceEvent, LicenceGranted } from './licence.events';

const as = (orgId: string, ...roles: Actor['roles'][number][]): Actor => ({
  orgId,
  keyId: `${orgId}-key`,
  roles,
});
const regulator = as('customs', 'regulator');

/** Given L1's events (and the holder MineCo, unless told otherwise), when a command, then L1's events. */
const spec = (given: readonly LicenceEvent[], { holderExists = true } = {}) => ({
  when: <Command>(decider: Decider<Command>, command: Command, actor: Actor) => {
    const streams = new InMemoryStreams().given('licences', 'L1', ...given);
    for (const [orgId, country] of [
      ['customs', 'AU'],
      ['ags', 'AU'],
      ['customs-my', 'MY'],
    ] as const) {
      streams.given('organisations', orgId, {
        type: 'OrganisationRegistered',
        data: { orgId, name: orgId, country, roles: ['regulator'] },
      });
    }
    if (holderExists) {
      streams.given('organisations', 'mineco', {
        type: 'OrganisationRegistered',
        data: { orgId: 'mineco', name: 'MineCo', country: 'AU', roles: ['producer'] },
      });
    }
    const run = () =>
      streams.decide(decider, {
        ...command,
        // Months after the fixtures' occurredAt, under the default window: a regulator's commands are not bounded.
        metadata: { actor, recordedAt: '2026-06-01T00:00:00Z' },
      });
    return {
      then: (events: readonly LicenceEvent[]) => expect(run()).toEqual([{ stream: 'licence-L1', events }]),
      thenRefuses: (code: RefusalCode) => expect(refusal(run).code).toBe(code),
    };
  },
});

const terms = {
  items: [{ form: 'oxide' as const, elements: ['Nd' as const, 'Pr' as const], hsCode: '2846.90' }],
  destinations: ['JP'],
  quantityGrams: 5_000_000,
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2026-12-31T00:00:00Z',
};
const granted: LicenceGranted = {
  type: 'LicenceGranted',
  data: {
    licenceId: 'L1',
    holderOrgId: 'mineco',
    authorityOrgId: 'customs',
    type: 'general',
    occurredAt: '2026-01-01T00:00:00Z',
    ...terms,
  },
};
const grant = {
  type: 'GrantLicence' as const,
  data: {
    licenceId: 'L1',
    holderOrgId: 'mineco',
    type: 'general' as const,
    occurredAt: '2026-01-01T00:00:00Z',
    ...terms,
  },
};
const change = { licenceId: 'L1', reason: 'review', occurredAt: '2026-02-01T00:00:00Z' };
const status = (type: 'LicenceSuspended' | 'LicenceReinstated' | 'LicenceRevoked'): LicenceEvent => ({
  type,
  data: { ...change, authorityOrgId: 'customs' },
});
const drawn: LicenceEvent = {
  type: 'LicenceDrawnDown',
  data: {
    licenceId: 'L1',
    exportId: 'E1',
    batchId: 'b1',
    massGrams: 3_000_000,
    drawnGrams: 3_000_000,
    destinationCountry: 'JP',
    occurredAt: '2026-01-15T00:00:00Z',
  },
};

describe('licence deciders', () => {
  describe('GrantLicence', () => {
    it('lets a regulator grant a licence', () =>
      spec([]).when(grantLicence, grant, regulator).then([granted]));
    it('refuses a producer', () =>
      spec([]).when(grantLicence, grant, as('mineco', 'producer')).thenRefuses('ROLE_REQUIRED'));
    it('refuses a licence id that exists', () =>
      spec([granted]).when(grantLicence, grant, regulator).thenRefuses('LICENCE_ALREADY_EXISTS'));
    it('refuses an unknown holder', () =>
      spec([], { holderExists: false })
        .when(grantLicence, grant, regulator)
        .thenRefuses('ORGANISATION_NOT_FOUND'));
    it('refuses a validity that ends before it starts', () =>
      spec([])
        .when(
          grantLicence,
          { ...grant, data: { ...grant.data, validUntil: '2025-12-31T00:00:00Z' } },
          regulator,
        )
        .thenRefuses('LICENCE_VALIDITY_INVERTED'));
    it('refuses a holder outside the regulator’s country', () =>
      spec([]).when(grantLicence, grant, as('customs-my', 'regulator')).thenRefuses('OUTSIDE_JURISDICTION'));
  });

  describe('the licensing authority', () => {
    it.each([
      [
        'amend',
        amendLicence,
        { type: 'AmendLicence' as const, data: { ...change, changes: { destinations: ['RU'] } } },
      ],
      ['suspend', suspendLicence, { type: 'SuspendLicence' as const, data: change }],
      ['reinstate', reinstateLicence, { type: 'ReinstateLicence' as const, data: change }],
      ['revoke', revokeLicence, { type: 'RevokeLicence' as const, data: change }],
    ] as [string, Decider<unknown>, unknown][])(
      'lets no other regulator %s a licence, of another country or the same',
      (_what, decider, command) => {
        for (const orgId of ['customs-my', 'ags']) {
          spec([granted, status('LicenceSuspended')])
            .when(decider, command, as(orgId, 'regulator'))
            .thenRefuses('NOT_LICENSING_AUTHORITY');
        }
      },
    );
  });

  describe('suspensions, reinstatements, revocations', () => {
    it('suspends an active licence', () =>
      spec([granted])
        .when(suspendLicence, { type: 'SuspendLicence' as const, data: change }, regulator)
        .then([status('LicenceSuspended')]));
    it('refuses suspending a suspended licence', () =>
      spec([granted, status('LicenceSuspended')])
        .when(suspendLicence, { type: 'SuspendLicence' as const, data: change }, regulator)
        .thenRefuses('LICENCE_ALREADY_SUSPENDED'));
    it('reinstates a suspended licence', () =>
      spec([granted, status('LicenceSuspended')])
        .when(reinstateLicence, { type: 'ReinstateLicence' as const, data: change }, regulator)
        .then([status('LicenceReinstated')]));
    it('refuses reinstating an active licence', () =>
      spec([granted])
        .when(reinstateLicence, { type: 'ReinstateLicence' as const, data: change }, regulator)
        .thenRefuses('LICENCE_NOT_SUSPENDED'));
    it('treats revocation as final', () =>
      spec([granted, status('LicenceRevoked')])
        .when(reinstateLicence, { type: 'ReinstateLicence' as const, data: change }, regulator)
        .thenRefuses('LICENCE_REVOKED'));
    it('refuses revoking twice', () =>
      spec([granted, status('LicenceRevoked')])
        .when(revokeLicence, { type: 'RevokeLicence' as const, data: change }, regulator)
        .thenRefuses('LICENCE_ALREADY_REVOKED'));
    it('refuses changing an unknown licence', () =>
      spec([])
        .when(suspendLicence, { type: 'SuspendLicence' as const, data: change }, regulator)
        .thenRefuses('LICENCE_NOT_FOUND'));
    it('refuses a change dated before the last one', () =>
      spec([granted])
        .when(
          suspendLicence,
          { type: 'SuspendLicence' as const, data: { ...change, occurredAt: '2025-12-01T00:00:00Z' } },
          regulator,
        )
        .thenRefuses('OCCURRED_BEFORE_PREVIOUS_EVENT'));
  });

  describe('AmendLicence', () => {
    const amend = (quantityGrams: number) => ({
      type: 'AmendLicence' as const,
      data: { ...change, changes: { quantityGrams } },
    });
    it('records only what changed', () =>
      spec([granted, drawn])
        .when(amendLicence, amend(3_000_000), regulator)
        .then([
          {
            type: 'LicenceAmended',
            data: { ...change, authorityOrgId: 'customs', changes: { quantityGrams: 3_000_000 } },
          },
        ]));
    it('refuses a cap below what is already drawn', () =>
      spec([granted, drawn])
        .when(amendLicence, amend(2_999_999), regulator)
        .thenRefuses('LICENCE_CAP_BELOW_DRAWN'));
  });
});
