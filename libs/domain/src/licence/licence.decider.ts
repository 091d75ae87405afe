import type { Actor } from '../shared/actor';
import { hasRole } from '../shared/actor';
import { conflict, forbidden, invalid, notFound, ruleBroken } from '../shared/domain-error';
import { occurredAtMustNotBeInTheFuture, occurredAtMustNotPrecede } from '../shared/time';
import type { OrganisationState } from '../organisation/organisation.decider';
import type { LicenceEvent, LicenceItem, LicenceTerms, LicenceType } from './licence.events';

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

export type LicenceStatus = 'active' | 'suspended' | 'revoked';

export type LicenceState =
  | { readonly exists: false }
  | ({
      readonly exists: true;
      readonly licenceId: string;
      readonly holderOrgId: string;
      readonly type: LicenceType;
      readonly status: LicenceStatus;
      readonly drawnGrams: number;
      readonly exportIds: ReadonlySet<string>;
      /** The latest occurredAt of its lifecycle events: a later change cannot precede it. */
      readonly lastChangeAt: string;
      /** Each suspension, reinstatement and revocation with its occurredAt, in order. */
      readonly statusChanges: readonly { readonly status: LicenceStatus; readonly at: string }[];
    } & LicenceTerms);

export interface LicenceContext {
  readonly actor: Actor;
  readonly recordedAt: string;
  /** The holder named by a grant, loaded by the handler. */
  readonly holder?: OrganisationState;
}

export const initialLicenceState = (): LicenceState => ({ exists: false });

export function evolveLicence(state: LicenceState, event: LicenceEvent): LicenceState {
  switch (event.type) {
    case 'LicenceGranted': {
      const { authorityOrgId: _authority, occurredAt, ...granted } = event.data;
      return {
        exists: true,
        ...granted,
        status: 'active',
        drawnGrams: 0,
        exportIds: new Set(),
        lastChangeAt: occurredAt,
        statusChanges: [],
      };
    }
    case 'LicenceAmended':
      return state.exists ? { ...state, ...event.data.changes, lastChangeAt: event.data.occurredAt } : state;
    case 'LicenceSuspended':
      return state.exists ? changeStatus(state, 'suspended', event.data.occurredAt) : state;
    case 'LicenceReinstated':
      return state.exists ? changeStatus(state, 'active', event.data.occurredAt) : state;
    case 'LicenceRevoked':
      return state.exists ? changeStatus(state, 'revoked', event.data.occurredAt) : state;
    case 'LicenceDrawnDown':
      return state.exists
        ? {
            ...state,
            drawnGrams: event.data.drawnGrams,
            exportIds: new Set(state.exportIds).add(event.data.exportId),
          }
        : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function decideLicence(
  command: LicenceCommand,
  state: LicenceState,
  context: LicenceContext,
): LicenceEvent[] {
  const { actor } = context;
  if (!hasRole(actor, 'regulator')) {
    throw forbidden('ROLE_REQUIRED', 'Only a regulator may grant or change an export licence', {
      role: 'regulator',
    });
  }
  occurredAtMustNotBeInTheFuture(command.data.occurredAt, context.recordedAt);
  const authorityOrgId = actor.orgId;
  if (command.type === 'GrantLicence') {
    if (state.exists) {
      throw conflict('LICENCE_ALREADY_EXISTS', `Licence ${command.data.licenceId} already exists`);
    }
    if (!context.holder?.exists) {
      throw notFound('ORGANISATION_NOT_FOUND', `Organisation ${command.data.holderOrgId} does not exist`);
    }
    termsMustBeCoherent(command.data);
    return [{ type: 'LicenceGranted', data: { ...command.data, authorityOrgId } }];
  }
  const licence = licenceMustExist(state, command.data.licenceId);
  if (command.type === 'RevokeLicence' && licence.status === 'revoked') {
    throw conflict('LICENCE_ALREADY_REVOKED', `Licence ${licence.licenceId} is already revoked`);
  }
  if (licence.status === 'revoked') {
    throw ruleBroken('LICENCE_REVOKED', `Licence ${licence.licenceId} is revoked; revocation is final`);
  }
  occurredAtMustNotPrecede(command.data.occurredAt, licence.lastChangeAt, "the licence's last change");
  const { licenceId, reason, occurredAt } = command.data;
  switch (command.type) {
    case 'AmendLicence': {
      const amended = { ...licence, ...command.data.changes };
      termsMustBeCoherent(amended);
      if (amended.quantityGrams < licence.drawnGrams) {
        throw ruleBroken(
          'LICENCE_CAP_BELOW_DRAWN',
          `Licence ${licenceId} has already drawn ${licence.drawnGrams} g; the cap cannot go below it`,
          { drawnGrams: licence.drawnGrams, quantityGrams: amended.quantityGrams },
        );
      }
      return [
        {
          type: 'LicenceAmended',
          data: { licenceId, authorityOrgId, changes: command.data.changes, reason, occurredAt },
        },
      ];
    }
    case 'SuspendLicence':
      if (licence.status === 'suspended')
        throw conflict('LICENCE_ALREADY_SUSPENDED', `Licence ${licenceId} is already suspended`);
      return [{ type: 'LicenceSuspended', data: { licenceId, authorityOrgId, reason, occurredAt } }];
    case 'ReinstateLicence':
      if (licence.status !== 'suspended')
        throw conflict('LICENCE_NOT_SUSPENDED', `Licence ${licenceId} is not suspended`);
      return [{ type: 'LicenceReinstated', data: { licenceId, authorityOrgId, reason, occurredAt } }];
    case 'RevokeLicence':
      return [{ type: 'LicenceRevoked', data: { licenceId, authorityOrgId, reason, occurredAt } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export type ExistingLicence = Extract<LicenceState, { exists: true }>;

const changeStatus = (licence: ExistingLicence, status: LicenceStatus, at: string): ExistingLicence => ({
  ...licence,
  status,
  lastChangeAt: at,
  statusChanges: [...licence.statusChanges, { status, at }],
});

/** The licence's status at a moment, from its suspensions, reinstatements and revocation. */
export function licenceStatusAt(licence: ExistingLicence, at: string): LicenceStatus {
  const moment = Date.parse(at);
  let status: LicenceStatus = 'active';
  for (const change of licence.statusChanges) {
    if (Date.parse(change.at) > moment) break;
    status = change.status;
  }
  return status;
}

export function licenceMustExist(state: LicenceState, licenceId: string): ExistingLicence {
  if (!state.exists) throw notFound('LICENCE_NOT_FOUND', `Licence ${licenceId} does not exist`);
  return state;
}

function termsMustBeCoherent(terms: LicenceTerms): void {
  if (!Number.isSafeInteger(terms.quantityGrams) || terms.quantityGrams <= 0) {
    throw invalid('LICENCE_QUANTITY_NOT_POSITIVE', 'A licence caps a positive quantity');
  }
  if (Date.parse(terms.validUntil) <= Date.parse(terms.validFrom)) {
    throw invalid('LICENCE_VALIDITY_INVERTED', 'validUntil must be later than validFrom', {
      validFrom: terms.validFrom,
      validUntil: terms.validUntil,
    });
  }
  if (terms.items.length === 0 || terms.destinations.length === 0) {
    throw invalid('LICENCE_TERMS_EMPTY', 'A licence names at least one item and one destination');
  }
}

/** The licence items a lot of this form and these elements matches (every element must be licensed). */
export function itemsCovering(
  items: readonly LicenceItem[],
  form: string,
  elements: readonly string[],
): LicenceItem[] {
  return items.filter(
    (item) => item.form === form && elements.every((element) => item.elements.includes(element as never)),
  );
}
