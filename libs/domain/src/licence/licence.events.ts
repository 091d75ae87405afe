import type { MaterialForm, RareEarthElement } from '../shared/material';

export const LICENCE_TYPES = ['single', 'general'] as const;
export type LicenceType = (typeof LICENCE_TYPES)[number];

/** What a licence lets its holder export: a form, the elements it is sold for, and optionally an HS code. */
export interface LicenceItem {
  readonly form: MaterialForm;
  readonly elements: readonly RareEarthElement[];
  readonly hsCode?: string;
}

/** The terms a grant sets and an amendment may change. */
export type LicenceTerms = {
  readonly items: readonly LicenceItem[];
  /** ISO 3166-1 alpha-2 countries the material may go to. */
  readonly destinations: readonly string[];
  /** Named end users; when absent or empty, any end user is covered. */
  readonly endUsers?: readonly string[];
  readonly quantityGrams: number;
  readonly validFrom: string;
  readonly validUntil: string;
};

export type LicenceGranted = {
  type: 'LicenceGranted';
  data: {
    licenceId: string;
    holderOrgId: string;
    authorityOrgId: string;
    type: LicenceType;
    occurredAt: string;
  } & LicenceTerms;
};
export type LicenceAmended = {
  type: 'LicenceAmended';
  data: {
    licenceId: string;
    authorityOrgId: string;
    /** Only the terms that changed. */
    changes: Partial<LicenceTerms>;
    reason: string;
    occurredAt: string;
  };
};
type LicenceStatusChange<Type extends string> = {
  type: Type;
  data: { licenceId: string; authorityOrgId: string; reason: string; occurredAt: string };
};
export type LicenceSuspended = LicenceStatusChange<'LicenceSuspended'>;
export type LicenceReinstated = LicenceStatusChange<'LicenceReinstated'>;
export type LicenceRevoked = LicenceStatusChange<'LicenceRevoked'>;
/** Written atomically with the BatchExported it pays for. */
export type LicenceDrawnDown = {
  type: 'LicenceDrawnDown';
  data: {
    licenceId: string;
    exportId: string;
    batchId: string;
    massGrams: number;
    /** Drawn in total after this drawdown. */
    drawnGrams: number;
    destinationCountry: string;
    occurredAt: string;
  };
};

export type LicenceEvent =
  LicenceGranted | LicenceAmended | LicenceSuspended | LicenceReinstated | LicenceRevoked | LicenceDrawnDown;
