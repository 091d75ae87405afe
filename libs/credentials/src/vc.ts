import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import type { KeyObject } from 'node:crypto';

/** W3C VC Data Model 2.0 base context: the first of every credential's `@context`. */
export const VC_CONTEXT_V2 = 'https://www.w3.org/ns/credentials/v2';
/** JOSE `typ` and media type of an enveloped credential, as the issue and UNTP 0.6 name them (ADR 0032). */
export const VC_JWT_TYPE = 'vc-ld+jwt';
export const VC_JWT_MEDIA_TYPE = `application/${VC_JWT_TYPE}`;

/** The issuer of every credential the ledger signs: itself, as a did:web of its public base URL. */
export interface CredentialIssuer {
  readonly type: ['CredentialIssuer'];
  readonly id: string;
  readonly name: string;
}

/** A Bitstring Status List entry (W3C Bitstring Status List v1.0, §2.1). */
export interface StatusListEntry {
  readonly id: string;
  readonly type: 'BitstringStatusListEntry';
  readonly statusPurpose: 'revocation';
  /** A string of digits, per the spec. */
  readonly statusListIndex: string;
  readonly statusListCredential: string;
}

/** A credential as the VC Data Model 2.0 shapes it; the subject is the data model's (UNTP's). */
export interface Credential {
  readonly '@context': readonly string[];
  readonly type: readonly string[];
  readonly id: string;
  readonly issuer: CredentialIssuer;
  readonly validFrom: string;
  readonly credentialStatus?: StatusListEntry;
  readonly credentialSubject: unknown;
}

/** The enveloped form (VC Data Model 2.0 §4.13): the JWS inside a data: URL. */
export interface EnvelopedCredential {
  readonly '@context': readonly string[];
  readonly type: 'EnvelopedVerifiableCredential';
  readonly id: string;
}

/**
 * did:web of a base URL (did:web method §3.2): the host, `%3A` before a port, and each path segment after
 * a colon. `http://127.0.0.1:3000` gives `did:web:127.0.0.1%3A3000`.
 */
export function didWebOf(publicUrl: string): string {
  const url = new URL(publicUrl);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const path = url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => encodeURIComponent(decodeURIComponent(segment)));
  return ['did:web', host, ...path].join(':');
}

/** Where a did:web's DID document is: `/.well-known/did.json` for a bare host, else `<path>/did.json`. */
export function didDocumentUrlOf(publicUrl: string): string {
  const url = new URL(publicUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/.well-known' : path}/did.json`;
}

/** The verification method id the ledger's key has in its DID document. */
export const verificationMethodOf = (did: string) => `${did}#ledger-key`;

export interface DidDocument {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly verificationMethod: readonly {
    readonly id: string;
    readonly type: 'JsonWebKey';
    readonly controller: string;
    readonly publicKeyJwk: JWK;
  }[];
  readonly assertionMethod: readonly string[];
  readonly authentication: readonly string[];
}

/** The ledger's DID document: one Ed25519 key, as a JsonWebKey verification method for assertions. */
export function didDocumentOf(did: string, publicKey: KeyObject): DidDocument {
  const { kty, crv, x } = publicKey.export({ format: 'jwk' });
  const id = verificationMethodOf(did);
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/jwk/v1'],
    id: did,
    verificationMethod: [{ id, type: 'JsonWebKey', controller: did, publicKeyJwk: { kty, crv, x } }],
    assertionMethod: [id],
    authentication: [id],
  };
}

/**
 * Secures a credential per VC-JOSE-COSE §3.1.1: the credential itself is the JWS payload (no `vc` claim),
 * signed EdDSA with the ledger's Ed25519 key; `kid` names the DID document's verification method.
 */
export async function signCredential(credential: Credential, key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
    .setProtectedHeader({
      alg: 'EdDSA',
      typ: VC_JWT_TYPE,
      cty: 'vc-ld+json',
      kid: verificationMethodOf(credential.issuer.id),
    })
    .sign(key);
}

export function envelope(jws: string): EnvelopedCredential {
  return {
    '@context': [VC_CONTEXT_V2],
    type: 'EnvelopedVerifiableCredential',
    id: `data:${VC_JWT_MEDIA_TYPE},${jws}`,
  };
}

/** The JWS of an enveloped credential, or the JWS given as it is. */
export function jwsOf(enveloped: EnvelopedCredential | string): string {
  if (typeof enveloped === 'string') return enveloped.trim();
  const prefix = `data:${VC_JWT_MEDIA_TYPE},`;
  if (enveloped.type !== 'EnvelopedVerifiableCredential' || !enveloped.id.startsWith(prefix))
    throw new CredentialError(`not an EnvelopedVerifiableCredential with a ${VC_JWT_MEDIA_TYPE} data: URL`);
  return enveloped.id.slice(prefix.length);
}

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}

/**
 * Verifies a credential's JWS against a DID document only (offline): the header's `kid` must be one of
 * the document's assertion methods, the signature EdDSA by that key, and the credential's issuer the
 * document's DID. Returns the credential; throws CredentialError on anything else.
 */
export async function verifyCredential(jws: string, did: DidDocument): Promise<Credential> {
  const [header] = jws.split('.');
  let kid: unknown;
  let typ: unknown;
  try {
    ({ kid, typ } = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >);
  } catch {
    throw new CredentialError('the JWS header is not base64url JSON');
  }
  if (typ !== VC_JWT_TYPE) throw new CredentialError(`the JWS typ is ${String(typ)}, not ${VC_JWT_TYPE}`);
  const method = did.verificationMethod.find((candidate) => candidate.id === kid);
  if (!method || !did.assertionMethod.includes(method.id))
    throw new CredentialError(`the JWS kid ${String(kid)} is not an assertion method of ${did.id}`);
  let payload: Uint8Array;
  try {
    const key = await importJWK(method.publicKeyJwk, 'EdDSA');
    ({ payload } = await compactVerify(jws, key, { algorithms: ['EdDSA'] }));
  } catch (error) {
    throw new CredentialError(`the signature does not verify: ${(error as Error).message}`);
  }
  const credential = JSON.parse(new TextDecoder().decode(payload)) as Credential;
  if (credential.issuer?.id !== did.id)
    throw new CredentialError(`the credential's issuer ${credential.issuer?.id} is not ${did.id}`);
  return credential;
}
