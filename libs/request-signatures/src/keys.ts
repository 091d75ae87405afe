import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** An Ed25519 public key as a JSON Web Key (RFC 8037): the form the ledger stores and shows. */
export interface Ed25519PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  /** The 32-byte public key, base64url without padding. */
  readonly x: string;
}

/** A public key as a caller may hold it: a JWK, an SPKI PEM text, or a node KeyObject. */
export type PublicKeyInput = Ed25519PublicJwk | string | KeyObject;
/** A private key: a PKCS#8 PEM text or a node KeyObject. */
export type PrivateKeyInput = string | KeyObject;

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

const X = /^[A-Za-z0-9_-]{43}$/;

/** True for exactly `{kty: 'OKP', crv: 'Ed25519', x}` with a 32-byte x (no private part, no extras). */
export function isEd25519PublicJwk(value: unknown): value is Ed25519PublicJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const jwk = value as Record<string, unknown>;
  return (
    Object.keys(jwk).every((key) => ['kty', 'crv', 'x'].includes(key)) &&
    jwk.kty === 'OKP' &&
    jwk.crv === 'Ed25519' &&
    typeof jwk.x === 'string' &&
    X.test(jwk.x) &&
    Buffer.from(jwk.x, 'base64url').length === 32
  );
}

/** A node KeyObject for an Ed25519 public key given as JWK, SPKI PEM or KeyObject (a private key's public half). */
export function importPublicKey(key: PublicKeyInput): KeyObject {
  let imported: KeyObject;
  try {
    if (typeof key === 'string') imported = createPublicKey(key);
    else if ('type' in key && typeof key.export === 'function')
      imported = key.type === 'private' ? createPublicKey(key) : key;
    else {
      const jwk = key as Ed25519PublicJwk;
      if (!isEd25519PublicJwk({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }))
        throw new SigningKeyError('not an Ed25519 public JWK');
      imported = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    }
  } catch (error) {
    throw new SigningKeyError(`Not a usable Ed25519 public key: ${(error as Error).message}`);
  }
  if (imported.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(`Expected an Ed25519 key, got ${imported.asymmetricKeyType ?? 'unknown'}`);
  return imported;
}

export function importPrivateKey(key: PrivateKeyInput): KeyObject {
  let imported: KeyObject;
  try {
    imported = typeof key === 'string' ? createPrivateKey(key) : key;
  } catch (error) {
    throw new SigningKeyError(`Not a usable Ed25519 private key: ${(error as Error).message}`);
  }
  if (imported.type !== 'private' || imported.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError('Expected an Ed25519 private key');
  return imported;
}

/** The public JWK (only kty, crv, x) of any accepted public or private key. */
export function toPublicJwk(key: PublicKeyInput): Ed25519PublicJwk {
  const exported = importPublicKey(key).export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: String(exported.x) };
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url): the required members in lexicographic order, no
 * whitespace. Used as the default keyid, so a key names itself.
 */
export function jwkThumbprint(key: PublicKeyInput): string {
  const { crv, kty, x } = toPublicJwk(key);
  return createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
}
