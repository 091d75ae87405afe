/**
 * GS1 Global Location Numbers (GLN): 13 digits, the last a check digit computed as the GS1 General
 * Specifications (§7.9, check digit calculation) define it for every GS1 key: mod 10, weights 3 and 1
 * from the right, the check digit's own position excluded.
 */

/** The check digit of a GS1 key's other digits (12 of them for a GLN). */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // The digit next to the check digit weighs 3, the one before it 1, and so on.
    const weight = (digits.length - i) % 2 === 1 ? 3 : 1;
    sum += Number(digits[i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Whether `text` is a GLN: exactly 13 digits whose last is the check digit of the first 12, and not all
 * zeros (GS1 allocates no key of zeros: its check digit is right, but it names nothing).
 */
export function isGln(text: unknown): text is string {
  return (
    typeof text === 'string' &&
    /^\d{13}$/.test(text) &&
    !/^0+$/.test(text) &&
    gs1CheckDigit(text.slice(0, 12)) === Number(text[12])
  );
}
