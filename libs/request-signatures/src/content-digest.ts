import { createHash } from 'node:crypto';
import { isArrayBuffer } from 'node:util/types';
import { isInnerList, parseDictionary, ParseError } from 'structured-headers';

/** RFC 9530 hash algorithms this ledger computes and checks (the two the RFC marks as active). */
const ALGORITHMS: Record<string, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/** The RFC 9530 `Content-Digest` field value for a body: `sha-256=:<base64>:`. */
export function contentDigest(body: string | Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/**
 * Whether a `Content-Digest` field value matches the body: every digest in it with an algorithm the
 * ledger knows must match, and there must be at least one (RFC 9530 §6.7 leaves unknown ones ignored).
 */
export function contentDigestMatches(field: string, body: string | Buffer): boolean {
  let dictionary;
  try {
    dictionary = parseDictionary(field);
  } catch (error) {
    if (error instanceof ParseError) return false;
    throw error;
  }
  let checked = 0;
  for (const [key, member] of dictionary) {
    const algorithm = ALGORITHMS[key];
    if (!algorithm) continue;
    if (isInnerList(member) || !isArrayBuffer(member[0])) return false;
    if (!createHash(algorithm).update(body).digest().equals(Buffer.from(member[0]))) return false;
    checked++;
  }
  return checked > 0;
}
