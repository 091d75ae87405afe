import { DomainError } from './domain-error';
import { gramsToKg, isExactKg, kgToGrams } from './mass';

describe('mass', () => {
  it.each([
    [1, 1000],
    [1.005, 1005],
    [0.001, 1],
    [12345.678, 12_345_678],
    [0.1, 100],
    [999_999_999_999.999, 999_999_999_999_999],
  ])('%p kg is exactly %p g', (kg, g) => expect(kgToGrams(kg)).toBe(g));
  it.each([1.0001, -1, Number.NaN, Infinity, 1e12, 1e-7])('%p kg is refused', (kg) => {
    expect(isExactKg(kg)).toBe(false);
    expect(() => kgToGrams(kg)).toThrow(DomainError);
  });
  it('round-trips grams to kilograms', () => expect(gramsToKg(kgToGrams(1.005))).toBe(1.005));
});
