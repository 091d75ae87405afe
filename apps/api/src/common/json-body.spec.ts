import { BodyRefusal, MAX_BODY_DEPTH, parseJsonBody } from './json-body';

const codeOf = (text: string): string | undefined => {
  try {
    parseJsonBody(text);
    return undefined;
  } catch (error) {
    return error instanceof BodyRefusal ? error.code : 'not a refusal';
  }
};

describe('parseJsonBody', () => {
  it('parses bodies within the limits', () => {
    expect(parseJsonBody('{"a":[1,{"b":"{[\\"["}],"c":-1.5e300}')).toEqual({
      a: [1, { b: '{["[' }],
      c: -1.5e300,
    });
    const deepest = '['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH);
    expect(codeOf(deepest)).toBeUndefined();
  });

  it.each([
    [
      'nesting one level too deep',
      '['.repeat(MAX_BODY_DEPTH + 1) + ']'.repeat(MAX_BODY_DEPTH + 1),
      'BODY_TOO_DEEP',
    ],
    ['nesting 10,000 deep', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), 'BODY_TOO_DEEP'],
    ['deep and malformed', '['.repeat(100_000), 'BODY_TOO_DEEP'],
    ['1e400', '{"n":1e400}', 'NUMBER_OUT_OF_RANGE'],
    ['-1e400 in an array', '{"n":[0,-1e400]}', 'NUMBER_OUT_OF_RANGE'],
    ['__proto__', '{"__proto__":{"x":1}}', 'RESERVED_KEY'],
    ['a nested constructor', '{"a":[{"constructor":1}]}', 'RESERVED_KEY'],
    ['prototype', '{"prototype":null}', 'RESERVED_KEY'],
    ['malformed JSON', '{"a":', 'MALFORMED_JSON'],
  ])('refuses %s', (_case, text, code) => expect(codeOf(text)).toBe(code));
});
