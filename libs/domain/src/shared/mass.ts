import { invalid } from './domain-error';

/** Mass inside the domain: whole grams, never floating point. */
export type Grams = number & { readonly __unit: 'g' };

const KG_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,3})?$/;

/** True when `kg` has at most 3 decimals and fits the ledger's range (below 10^12 kg). */
export const isExactKg = (kg: number): boolean => Number.isFinite(kg) && KG_PATTERN.test(String(kg));

/**
 * Kilograms as the API gives them (at most 3 decimals) to exact grams. Parses the decimal text rather
 * than multiplying, because 1.005 * 1000 is 1004.9999999999999 in binary floating point.
 */
export function kgToGrams(kg: number): Grams {
  if (!isExactKg(kg)) {
    throw invalid('MASS_NOT_EXACT', `Mass ${kg} kg must be a non-negative number with at most 3 decimals`);
  }
  const [whole = '0', fraction = ''] = String(kg).split('.');
  return (Number(whole) * 1000 + Number(fraction.padEnd(3, '0'))) as Grams;
}

/** Grams back to kilograms for display; exact for any whole number of grams below 2^53. */
export const gramsToKg = (grams: number): number => Number((grams / 1000).toFixed(3));
