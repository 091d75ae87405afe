import { gs1CheckDigit, isGln } from './gln';

describe('GS1 GLN check digit', () => {
  // The GLNs of the SGLNs in GS1's EPCIS examples (../shared/standards/epcis: 0614141.00777.0,
  // 4012345.00001.0; 0614141.00001.0 is GS1's usual example GLN), and GS1's example GTIN-13
  // 9501101020917 (same algorithm); each check digit also worked by hand.
  it.each([
    ['0614141000012', 2],
    ['0614141007776', 6],
    ['4012345000016', 6],
    ['4000001000005', 5],
    ['0614141123452', 2],
    ['9501101020917', 7],
  ])('computes the check digit of %s as %i', (key, digit) =>
    expect(gs1CheckDigit(key.slice(0, 12))).toBe(digit),
  );
  it('computes a GTIN-14 check digit with the same weights from the right', () =>
    expect(gs1CheckDigit('0061414112345')).toBe(2));
  it.each(['0614141000012', '4000001000005'])('accepts the GLN %s', (gln) => expect(isGln(gln)).toBe(true));
  it.each([
    ['a wrong check digit', '0614141000013'],
    ['two digits swapped', '6014141000012'],
    ['12 digits', '061414100001'],
    ['14 digits', '06141410000122'],
    ['a letter', '061414100001X'],
    ['spaces', ' 0614141000012'],
    ['a number', 614141000012],
    ['all zeros (its check digit right, but GS1 allocates no such key)', '0000000000000'],
  ])('refuses %s', (_case, text) => expect(isGln(text)).toBe(false));
});
