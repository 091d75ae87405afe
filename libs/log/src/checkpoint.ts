import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson } from '@tracelode/event-store';

/** What a checkpoint commits to: the Merkle tree over the first `treeSize` events, at a moment. */
export interface CheckpointBody {
  readonly treeSize: number;
  /** RFC 9162 root hash, hex. */
  readonly rootHash: string;
  /** When the ledger signed it (ISO 8601, UTC). */
  readonly timestamp: string;
}

/** A checkpoint as the ledger hands it out: the body, which key signed it, and the Ed25519 signature. */
export interface SignedCheckpoint extends CheckpointBody {
  readonly keyId: string;
  /** Ed25519 signature (base64) over `checkpointMessage(body, keyId)`. */
  readonly signature: string;
}

/** The ledger's public key as published at GET /log/public-key and in every audit bundle. */
export interface PublicKeyDocument {
  readonly algorithm: 'Ed25519';
  readonly keyId: string;
  readonly jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  readonly pem: string;
}

/** Names the log in every signed message, so a checkpoint signature can never be taken for another message. */
const LOG_NAME = 'tracelode/checkpoint/v1';

/** The exact bytes signed: the RFC 8785 canonical JSON of the body, the signing key's id and the log's name. */
export function checkpointMessage(body: CheckpointBody, keyId: string): Buffer {
  return Buffer.from(
    canonicalJson({
      log: LOG_NAME,
      keyId,
      treeSize: body.treeSize,
      rootHash: body.rootHash,
      timestamp: body.timestamp,
    }),
    'utf8',
  );
}

/** A key's id: SHA-256 (hex) of its 32 raw public key bytes. */
export function keyIdOf(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  return createHash('sha256')
    .update(Buffer.from(x ?? '', 'base64url'))
    .digest('hex');
}

export function publicKeyDocument(publicKey: KeyObject): PublicKeyDocument {
  const { x } = publicKey.export({ format: 'jwk' });
  return {
    algorithm: 'Ed25519',
    keyId: keyIdOf(publicKey),
    jwk: { kty: 'OKP', crv: 'Ed25519', x: x ?? '' },
    pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Reads a public key given as a PEM (SPKI) text, a JWK object or JSON text, or a PublicKeyDocument. */
export function importLedgerKey(input: string | object): KeyObject {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('-----BEGIN')) return checkEd25519(createPublicKey(text));
    return importLedgerKey(JSON.parse(text) as object);
  }
  const jwk = 'jwk' in input ? (input as PublicKeyDocument).jwk : input;
  return checkEd25519(createPublicKey({ key: jwk as Record<string, string>, format: 'jwk' }));
}

function checkEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`An Ed25519 key is required, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  return key;
}

/** Signs checkpoints with the ledger's Ed25519 key. */
export class CheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    checkEd25519(privateKey);
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** The key at `path` (PKCS#8 PEM); on first use, a new key is generated and stored there, readable by its owner only. */
  /** The private key, to hand the same signer to a worker thread (a KeyObject crosses threads by postMessage). */
  keyForWorker(): KeyObject {
    return this.privateKey;
  }

  static fromFile(path: string): CheckpointSigner {
    if (existsSync(path)) return new CheckpointSigner(createPrivateKey(readFileSync(path)));
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return new CheckpointSigner(privateKey);
  }

  /** A key for this process only (an in-memory ledger has nothing to keep it in). */
  static ephemeral(): CheckpointSigner {
    return new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
  }

  /**
   * The private key, for the ledger's signatures in other formats (verifiable credentials as JOSE, ADR 0032):
   * it stays in the process, and the DID document publishes the same public key as /log/public-key.
   */
  get credentialSigningKey(): KeyObject {
    return this.privateKey;
  }

  /** Signs any other statement of the ledger's (JSON), under its own name so it cannot pass for a checkpoint. */
  signStatement(name: string, statement: Readonly<Record<string, unknown>>): string {
    return sign(null, statementMessage(name, this.keyId, statement), this.privateKey).toString('base64');
  }

  sign(body: CheckpointBody): SignedCheckpoint {
    const signature = sign(null, checkpointMessage(body, this.keyId), this.privateKey).toString('base64');
    return {
      treeSize: body.treeSize,
      rootHash: body.rootHash,
      timestamp: body.timestamp,
      keyId: this.keyId,
      signature,
    };
  }
}

/** Whether `checkpoint` was signed by `publicKey` (and names that key). */
export function verifyCheckpoint(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  if (checkpoint.keyId !== keyIdOf(publicKey)) return false;
  try {
    return verify(
      null,
      checkpointMessage(checkpoint, checkpoint.keyId),
      publicKey,
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

const statementMessage = (
  name: string,
  keyId: string,
  statement: Readonly<Record<string, unknown>>,
): Buffer => Buffer.from(canonicalJson({ ...statement, statement: `tracelode/${name}`, keyId }), 'utf8');

/** Whether `signature` is the ledger's signature of the named statement. */
export function verifyStatement(
  name: string,
  statement: Readonly<Record<string, unknown>>,
  signature: string,
  publicKey: KeyObject,
): boolean {
  try {
    return verify(
      null,
      statementMessage(name, keyIdOf(publicKey), statement),
      publicKey,
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}
