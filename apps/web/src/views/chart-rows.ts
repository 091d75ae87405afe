/** A bar of a chart: what it is, and its value (a fraction for `%`). */
export interface Row {
  readonly label: string;
  readonly value: number;
}

export interface Origin {
  readonly batchId: string;
  readonly facilityId: string;
  readonly orgId: string;
  readonly country: string | null;
  readonly massFraction: number;
}

export interface CarbonStep {
  readonly transformationId: string | null;
  readonly process: string;
  readonly facilityId: string;
  readonly kgCo2e: number;
}

/** The origin mix by mined lot, in the API's order, with each mine's country. */
export const originsByMine = (origins: readonly Origin[]): Row[] =>
  origins.map((origin) => ({
    label: `${origin.batchId} (${origin.country ?? '?'})`,
    value: origin.massFraction,
  }));

/** The origin mix by country: the mines' fractions summed, in the order countries first appear. */
export function originsByCountry(origins: readonly Origin[]): Row[] {
  const countries = new Map<string, number>();
  for (const origin of origins) {
    const country = origin.country ?? 'unknown';
    countries.set(country, (countries.get(country) ?? 0) + origin.massFraction);
  }
  return [...countries].map(([label, value]) => ({ label, value }));
}

/** Carbon by step: each step of the breakdown, named by its process and facility. */
export const carbonRows = (breakdown: readonly CarbonStep[]): Row[] =>
  breakdown.map((step) => ({ label: `${step.process} @ ${step.facilityId}`, value: step.kgCo2e }));

/** A bar's value as written beside it: a fraction as a percentage, else the amount and its unit. */
export const formatValue = (value: number, unit: string): string =>
  unit === '%'
    ? `${(value * 100).toFixed(2)} %`
    : `${value.toLocaleString('en', { maximumFractionDigits: 1 })} ${unit}`;
