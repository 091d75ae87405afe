import { type Decider, eventsFor, type Issued } from '../decider';
import { refuse } from '../shared/domain-error';
import {
  actorMustBeTheLicensingAuthority,
  actorMustHaveRole,
  licenceCapMustCoverDrawn,
  licenceMustExist,
  licenceMustNotBeRevoked,
  licenceMustNotExist,
  licenceTermsMustBeCoherent,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecede,
  organisationMustExist,
  regulatorMustActInItsCountry,
} from '../rules';
import type { ExistingLicence } from './licence.state';
import type { LicenceTerms, LicenceType } from './licence.events';

export type GrantLicence = {
  type: 'GrantLicence';
  data: { licenceId: string; holderOrgId: string; type: LicenceType; occurredAt: string } & LicenceTerms;
};
export type AmendLicence = {
  type: 'AmendLicence';
  data: { licenceId: string; changes: Partial<LicenceTerms>; reason: string; occurredAt: string };
};
type LicenceStatusCommand<Type extends string> = {
  type: Type;
  data: { licenceId: string; reason: string; occurredAt: string };
};
export type SuspendLicence = LicenceStatusCommand<'SuspendLicence'>;
export type ReinstateLicence = LicenceStatusCommand<'ReinstateLicence'>;
export type RevokeLicence = LicenceStatusCommand<'RevokeLicence'>;
export type LicenceCommand = GrantLicence | AmendLicence | SuspendLicence | ReinstateLicence | RevokeLicence;

const licenceStream = ({ data }: { data: { licenceId: string } }) => ({ licences: [data.licenceId] });

/** Every licence command is a regulator's, and none may claim to have happened after it was recorded (or, but for a regulator, too long before). */
function regulatorActsNow(command: Issued<LicenceCommand>): string {
  actorMustHaveRole(command.metadata.actor, 'regulator', 'grant or change an export licence');
  occurredAtMustBeWithinRecordingWindow(command.data.occurredAt, command.metadata);
  return command.metadata.actor.orgId;
}

/**
 * A change to a granted licence: by the authority that granted it, the licence is not revoked, and the
 * change does not precede the last.
 */
function changeableLicence(
  command: Issued<Exclude<LicenceCommand, GrantLicence>>,
  licence: ExistingLicence,
): void {
  actorMustBeTheLicensingAuthority(licence, command.metadata.actor);
  if (command.type === 'RevokeLicence' && licence.status === 'revoked') {
    throw refuse('LICENCE_ALREADY_REVOKED', `Licence ${licence.licenceId} is already revoked`);
  }
  licenceMustNotBeRevoked(licence);
  occurredAtMustNotPrecede(command.data.occurredAt, licence.lastChangeAt, "the licence's last change");
}

/** A regulator grants an export licence to an existing organisation of its country. */
export const grantLicence: Decider<GrantLicence> = {
  streams: ({ data, metadata }) => ({
    licences: [data.licenceId],
    organisations: [data.holderOrgId, metadata.actor.orgId],
  }),
  decide: (command, state) => {
    const authorityOrgId = regulatorActsNow(command);
    const { data } = command;
    licenceMustNotExist(state.licence(data.licenceId), data.licenceId);
    const holder = organisationMustExist(state.organisation(data.holderOrgId), data.holderOrgId);
    const regulator = organisationMustExist(state.organisation(authorityOrgId), authorityOrgId);
    regulatorMustActInItsCountry(regulator, holder.country, `holder ${holder.orgId}`);
    licenceTermsMustBeCoherent(data);
    return [
      eventsFor('licences', data.licenceId, [{ type: 'LicenceGranted', data: { ...data, authorityOrgId } }]),
    ];
  },
};

/** A regulator amends a licence's terms; the cap never drops below what is already drawn. */
export const amendLicence: Decider<AmendLicence> = {
  streams: licenceStream,
  decide: (command, state) => {
    const authorityOrgId = regulatorActsNow(command);
    const { licenceId, changes, reason, occurredAt } = command.data;
    const licence = licenceMustExist(state.licence(licenceId), licenceId);
    changeableLicence(command, licence);
    const amended = { ...licence, ...changes };
    licenceTermsMustBeCoherent(amended);
    licenceCapMustCoverDrawn(licence, amended.quantityGrams);
    return [
      eventsFor('licences', licenceId, [
        { type: 'LicenceAmended', data: { licenceId, authorityOrgId, changes, reason, occurredAt } },
      ]),
    ];
  },
};

/**
 * A regulator changes a licence's status: the licence exists and is not revoked, the change does not
 * precede the last, and `check` holds (suspend only what is active, reinstate only what is suspended).
 */
function licenceStatusChange<Command extends SuspendLicence | ReinstateLicence | RevokeLicence>(
  type: 'LicenceSuspended' | 'LicenceReinstated' | 'LicenceRevoked',
  check: (licence: ExistingLicence) => void = () => undefined,
): Decider<Command> {
  return {
    streams: licenceStream,
    decide: (command, state) => {
      const authorityOrgId = regulatorActsNow(command);
      const { licenceId, reason, occurredAt } = command.data;
      const licence = licenceMustExist(state.licence(licenceId), licenceId);
      changeableLicence(command, licence);
      check(licence);
      return [
        eventsFor('licences', licenceId, [{ type, data: { licenceId, authorityOrgId, reason, occurredAt } }]),
      ];
    },
  };
}

/** A regulator suspends an active licence. */
export const suspendLicence = licenceStatusChange<SuspendLicence>('LicenceSuspended', (licence) => {
  if (licence.status === 'suspended') {
    throw refuse('LICENCE_ALREADY_SUSPENDED', `Licence ${licence.licenceId} is already suspended`);
  }
});

/** A regulator reinstates a suspended licence. */
export const reinstateLicence = licenceStatusChange<ReinstateLicence>('LicenceReinstated', (licence) => {
  if (licence.status !== 'suspended') {
    throw refuse('LICENCE_NOT_SUSPENDED', `Licence ${licence.licenceId} is not suspended`);
  }
});

/** A regulator revokes a licence, for good. */
export const revokeLicence = licenceStatusChange<RevokeLicence>('LicenceRevoked');
