import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Buffer } from './buffer';

/**
 * The part of node:crypto the audit-bundle verifier uses (SHA-256, Ed25519 public keys and verification),
 * on @noble/hashes and @noble/curves (audited, synchronous like node's), so the browser runs the CLI's
 * own checks (ADR 0030). Signing and private keys are not needed in the browser and refuse.
 */
type Data = string | Uint8Array;
/**
 * The hot path of verification (every field, event and Merkle node is hashed): text is encoded by the
 * browser's own UTF-8 encoder and digests written in hex by @noble's (native where the browser has it), not
 * by the Buffer polyfill's JavaScript loops, which took about half of a first verification's time. The bytes
 * are the same: both write a lone surrogate as U+FFFD, as node does.
 */
const utf8 = new TextEncoder();
const bytes = (data: Data, encoding?: string): Uint8Array =>
  typeof data !== 'string'
    ? data
    : encoding === undefined || encoding === 'utf8' || encoding === 'utf-8'
      ? utf8.encode(data)
      : Buffer.from(data, encoding);
const encoded = (digest: Uint8Array, encoding?: string): string | Uint8Array => {
  if (encoding === 'hex') return bytesToHex(digest);
  // The digest is ours alone: a Buffer over its bytes, not a copy.
  const buffer = Buffer.from(digest.buffer as ArrayBuffer, digest.byteOffset, digest.byteLength);
  return encoding === undefined || encoding === 'buffer' ? buffer : buffer.toString(encoding);
};

class Sha256 {
  private readonly hasher = sha256.create();
  update(data: Data, encoding?: string): this {
    this.hasher.update(bytes(data, encoding));
    return this;
  }
  digest(encoding?: string): string | Uint8Array {
    return encoded(this.hasher.digest(), encoding);
  }
}

export function createHash(algorithm: string): Sha256 {
  if (algorithm !== 'sha256') throw new Error(`Only sha256 is available in the browser, not ${algorithm}`);
  return new Sha256();
}

export function hash(algorithm: string, data: Data, encoding = 'hex'): string | Uint8Array {
  return createHash(algorithm).update(data).digest(encoding);
}

/** An Ed25519 public key: its 32 raw bytes. */
export class KeyObject {
  readonly type = 'public';
  readonly asymmetricKeyType = 'ed25519';
  constructor(readonly raw: Uint8Array) {}
  export(options: { format: string }): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
    if (options.format !== 'jwk') throw new Error('Only JWK export is available in the browser');
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(this.raw).toString('base64url') };
  }
}

/** RFC 8410: an Ed25519 SubjectPublicKeyInfo is this 12-byte prefix and the 32-byte key. */
const SPKI_PREFIX = '302a300506032b6570032100';

export function createPublicKey(input: unknown): KeyObject {
  if (input instanceof KeyObject) return input;
  if (typeof input === 'string') {
    const body = input.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, '');
    const der = Buffer.from(body, 'base64');
    if (der.length !== 44 || Buffer.from(der.subarray(0, 12)).toString('hex') !== SPKI_PREFIX)
      throw new Error('Not an Ed25519 SPKI public key');
    return new KeyObject(new Uint8Array(der.subarray(12)));
  }
  const jwk = (input as { key?: { kty?: string; crv?: string; x?: string }; format?: string }) ?? {};
  if (jwk.format !== 'jwk' || jwk.key?.kty !== 'OKP' || jwk.key.crv !== 'Ed25519' || !jwk.key.x)
    throw new Error('Not an Ed25519 public JWK');
  const raw = Buffer.from(jwk.key.x, 'base64url');
  if (raw.length !== 32) throw new Error('An Ed25519 public key is 32 bytes');
  return new KeyObject(new Uint8Array(raw));
}

export function verify(_algorithm: null, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, data, key.raw, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Known-answer tests of the two primitives the verifier rests on, run once before it (src/verify-in-browser.ts):
 * FIPS 180-2's SHA-256 of "abc", and RFC 8032 §7.1's TEST 1 (its signature verifies; a changed message's
 * does not). A browser whose crypto answers wrongly refuses to verify instead of passing a bundle. Run when
 * the page is idle, the first verify also builds @noble/curves' table of the base point and gets V8 to
 * compile the arithmetic, so a reader's first click does not pay for either.
 */
export function selfTest(): void {
  const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
  const abc = Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex');
  if (abc !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    throw new Error('This browser\'s SHA-256 failed its known-answer test (FIPS 180-2, "abc")');
  const key = new KeyObject(hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
  const signature = hex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  if (!verify(null, new Uint8Array(), key, signature) || verify(null, new Uint8Array([0]), key, signature))
    throw new Error("This browser's Ed25519 failed its known-answer test (RFC 8032 §7.1, TEST 1)");
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length');
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a[index]! ^ b[index]!;
  return difference === 0;
}

export function randomFillSync(buffer: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(buffer);
}

export const randomUUID = (): string => crypto.randomUUID();
export const randomBytes = (size: number): Uint8Array =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(size)));

const serverOnly = (): never => {
  throw new Error('Signing is not available in the browser');
};
export const createPrivateKey = serverOnly;
export const generateKeyPairSync = serverOnly;
export const sign = serverOnly;
