import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalText } from './event-hash';
import { canonicalJson } from './jcs';

// RFC 8785's published examples (§3.2.2, §3.2.3, §3.2.4 and the test data its reference implementation
// publishes: arrays, french, structures, values, weird), vendored byte for byte in testdata/rfc8785.
const DATA = join(__dirname, 'testdata', 'rfc8785');
const EXAMPLES = readdirSync(DATA)
  .filter((name) => name.endsWith('.input.json'))
  .map((name) => name.replace('.input.json', ''));

describe('RFC 8785 canonical JSON', () => {
  it('has the published examples', () => {
    expect(EXAMPLES.sort()).toEqual(['arrays', 'french', 'structures', 'values', 'weird']);
  });

  it.each(EXAMPLES)('canonicalises the published example "%s" byte for byte', (name) => {
    const input: unknown = JSON.parse(readFileSync(join(DATA, `${name}.input.json`), 'utf8'));
    const expected = readFileSync(join(DATA, `${name}.output.json`));
    expect(Buffer.from(canonicalJson(input), 'utf8').equals(expected)).toBe(true);
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical serialisation.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the IEEE 754 value %s as %s', (bits, expected) => {
    const value = Buffer.from(bits, 'hex').readDoubleBE(0);
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s, which JSON cannot hold', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow();
  });

  it('refuses undefined rather than producing no text', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('sorts keys by UTF-16 code units, not by code points', () => {
    // U+1F602 is the surrogate pair D83D DE02, which sorts before U+FB33 (RFC 8785 §3.2.3).
    expect(canonicalJson({ '\u{fb33}': 1, '\u{1f602}': 2 })).toBe('{"\u{1f602}":2,"\u{fb33}":1}');
  });
});

describe('canonicalText, the short way for values as JSON.parse builds them', () => {
  it.each(EXAMPLES)('gives the published example "%s" byte for byte, as the reference does', (name) => {
    const input: unknown = JSON.parse(readFileSync(join(DATA, `${name}.input.json`), 'utf8'));
    const expected = readFileSync(join(DATA, `${name}.output.json`));
    expect(Buffer.from(canonicalText(input), 'utf8').equals(expected)).toBe(true);
  });

  it.each([
    [
      'a request body',
      { batchId: 'B-1', massKg: 25000.5, material: { grade: { TREO: 41.2 }, elements: ['Nd', 'Pr'] } },
    ],
    ['keys by UTF-16 code units', { '\u{fb33}': 1, '\u{1f602}': 2, b: [1e21, -0, 5e-324, null, true] }],
    ['an undefined member and element', { a: undefined, b: [undefined, 1] }],
    ['a Date and a toJSON (the reference writes them)', { at: new Date(0), v: { toJSON: () => 'x' } }],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a class instance', { m: new Map([[1, 2]]) }],
  ])('writes %s as the reference JCS does', (_name, value) => {
    expect(canonicalText(value)).toBe(canonicalJson(value));
  });

  it('refuses what the reference refuses', () => {
    expect(() => canonicalText(Number.NaN)).toThrow();
    expect(() => canonicalText(undefined)).toThrow(TypeError);
  });
});
