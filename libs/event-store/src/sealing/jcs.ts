import canonicalize from 'canonicalize';

/**
 * RFC 8785 JSON Canonicalization Scheme: the one text of a JSON value that every party computes alike
 * (keys sorted by UTF-16 code units, ECMAScript number and string serialisation, no whitespace). The
 * reference implementation by one of the RFC's authors does the work; this wrapper refuses what JSON
 * cannot represent instead of silently dropping it.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('A JSON value is required for canonicalisation');
  return text;
}
