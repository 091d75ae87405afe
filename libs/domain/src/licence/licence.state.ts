import type { EventCorrected } from '../correction/correction.events';
import type { LicenceEvent, LicenceItem, LicenceTerms, LicenceType } from './licence.events';

export type LicenceStatus = 'active' | 'suspended' | 'revoked';

export type LicenceState =
  | { readonly exists: false }
  | ({
      readonly exists: true;
      readonly licenceId: string;
      readonly holderOrgId: string;
      /** The regulator that granted it: the only one that may change it. */
      readonly authorityOrgId: string;
      readonly type: LicenceType;
      readonly status: LicenceStatus;
      readonly drawnGrams: number;
      readonly exportIds: ReadonlySet<string>;
      /** Each export's drawdown: its event's id and mass, so a correction of the export can follow it. */
      readonly drawdowns: ReadonlyMap<string, { readonly eventId: string; readonly massGrams: number }>;
      /** The latest occurredAt of its lifecycle events: a later change cannot precede it. */
      readonly lastChangeAt: string;
      /** Each suspension, reinstatement and revocation with its occurredAt, in order. */
      readonly statusChanges: readonly { readonly status: LicenceStatus; readonly at: string }[];
    } & LicenceTerms);

export const initialLicenceState = (): LicenceState => ({ exists: false });

export function evolveLicence(
  state: LicenceState,
  event: LicenceEvent | EventCorrected,
  eventId = '',
): LicenceState {
  switch (event.type) {
    case 'LicenceGranted': {
      const { occurredAt, ...granted } = event.data;
      return {
        exists: true,
        ...granted,
        status: 'active',
        drawnGrams: 0,
        exportIds: new Set(),
        drawdowns: new Map(),
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
            drawdowns: new Map(state.drawdowns).set(event.data.exportId, {
              eventId,
              massGrams: event.data.massGrams,
            }),
          }
        : state;
    case 'EventCorrected': {
      // An export's carried mass corrected (it follows a correction of the lot's mass, ADR 0024).
      const drawdown = state.exists ? state.drawdowns.get(event.data.exportId ?? '') : undefined;
      const massGrams = event.data.corrected.massGrams;
      if (!state.exists || !drawdown || typeof massGrams !== 'number') return state;
      return {
        ...state,
        drawnGrams: state.drawnGrams + massGrams - drawdown.massGrams,
        drawdowns: new Map(state.drawdowns).set(event.data.exportId ?? '', { ...drawdown, massGrams }),
      };
    }
    default: {
      const unknown: never = event;
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
