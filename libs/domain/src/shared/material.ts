export const MATERIAL_FORMS = [
  'ore',
  'concentrate',
  'mixed_compound',
  'oxide',
  'metal',
  'alloy',
  'magnet',
  'residue',
] as const;
export type MaterialForm = (typeof MATERIAL_FORMS)[number];

export const RARE_EARTH_ELEMENTS = [
  'Nd',
  'Pr',
  'Dy',
  'Tb',
  'La',
  'Ce',
  'Sm',
  'Gd',
  'Lu',
  'Sc',
  'Y',
  'Ho',
  'Er',
  'Tm',
  'Eu',
  'Yb',
] as const;
export type RareEarthElement = (typeof RARE_EARTH_ELEMENTS)[number];

/** Assayed content in percent, keyed by what was measured (`TREO`, `Nd2O3`, …). */
export type Grade = Readonly<Record<string, number>>;

export interface Material {
  readonly form: MaterialForm;
  readonly elements?: readonly RareEarthElement[];
  readonly grade?: Grade;
}
