import { sign as ed25519Sign, verify as ed25519Verify } from 'node:crypto';
import { isArrayBuffer } from 'node:util/types';
import {
  type BareItem,
  type InnerList,
  isInnerList,
  type Item,
  parseDictionary,
  ParseError,
  SerializeError,
  serializeInnerList,
} from 'structured-headers';
import { contentDigest, contentDigestMatches } from './content-digest';
import {
  importPrivateKey,
  importPublicKey,
  jwkThumbprint,
  type PrivateKeyInput,
  type PublicKeyInput,
} from './keys';

/** What a command signature covers, in this order: RFC 9421 derived components and the RFC 9530 digest. */
export const COVERED_COMPONENTS = ['@method', '@path', 'content-digest'] as const;
export type CoveredComponent = (typeof COVERED_COMPONENTS)[number];
export const SIGNATURE_LABEL = 'sig1';
/** How far a signature's `created` may be from the verifier's clock. */
export const DEFAULT_MAX_SKEW_SECONDS = 300;

/**
 * A verified command signature, self-contained: with the signer's public key, anyone can rebuild the
 * RFC 9421 signature base from it and check the signature and the body's digest offline.
 */
export interface SignedRequest {
  readonly keyId: string;
  readonly alg: 'ed25519';
  /** The signature's label in the Signature-Input and Signature dictionaries. */
  readonly label: string;
  /** The Signature-Input member: inner list of covered components plus parameters, as serialised. */
  readonly signatureParams: string;
  /** The Ed25519 signature, base64. */
  readonly signature: string;
  readonly components: Readonly<Record<CoveredComponent, string>>;
  /** The request body exactly as received (UTF-8). */
  readonly body: string;
}

export type SignatureFailureCode =
  | 'SIGNATURE_REQUIRED'
  | 'SIGNATURE_MALFORMED'
  | 'SIGNATURE_EXPIRED'
  | 'CONTENT_DIGEST_MISMATCH'
  | 'SIGNATURE_INVALID';

export type SignatureFailure = { ok: false; code: SignatureFailureCode; message: string };
export type VerifyResult = { ok: true } | SignatureFailure;

/** A component value that cannot be a line of the signature base. */
class SignatureBaseError extends Error {
  override readonly name = 'SignatureBaseError';
}

const fail = (code: SignatureFailureCode, message: string): SignatureFailure => ({
  ok: false,
  code,
  message,
});

/** RFC 9421 §2.2.6: `@path` is the target URI's absolute path, without the query; never empty. */
export function derivePath(pathAndQuery: string): string {
  const path = pathAndQuery.split('?')[0]?.split('#')[0] ?? '';
  return path === '' ? '/' : path;
}

/** RFC 9421 §2.5: one `"name": value` line per covered component, then the `@signature-params` line. */
export function signatureBase(components: readonly (readonly [string, string])[], signatureParams: string) {
  const lines = components.map(([name, value]) => {
    if (/[\r\n]/.test(value)) throw new SignatureBaseError(`Component ${name} contains a line break`);
    return `"${name}": ${value}`;
  });
  return [...lines, `"@signature-params": ${signatureParams}`].join('\n');
}

export interface SignRequestInput {
  readonly method: string;
  /** The request path; a query, if any, is not covered (RFC 9421 `@path`). */
  readonly path: string;
  readonly body: string | Buffer;
  readonly privateKey: PrivateKeyInput;
  /** Default: the RFC 7638 thumbprint of the public key. */
  readonly keyId?: string;
  /** Unix seconds; default now. */
  readonly created?: number;
}

export type SignatureHeaders = {
  readonly 'content-digest': string;
  readonly 'signature-input': string;
  readonly signature: string;
};

/** Signs a command request: the three header fields to send with it, under the label `sig1`. */
export function signRequest(input: SignRequestInput): SignatureHeaders {
  const privateKey = importPrivateKey(input.privateKey);
  const keyId = input.keyId ?? jwkThumbprint(privateKey);
  const created = input.created ?? Math.floor(Date.now() / 1000);
  const digest = contentDigest(input.body);
  const list: InnerList = [
    COVERED_COMPONENTS.map((name): Item => [name, new Map<string, BareItem>()]),
    new Map<string, string | number>([
      ['created', created],
      ['keyid', keyId],
      ['alg', 'ed25519'],
    ]),
  ];
  const signatureParams = serializeInnerList(list);
  const values: Record<CoveredComponent, string> = {
    '@method': input.method,
    '@path': derivePath(input.path),
    'content-digest': digest,
  };
  const base = signatureBase(
    COVERED_COMPONENTS.map((name) => [name, values[name]] as const),
    signatureParams,
  );
  const signature = ed25519Sign(null, Buffer.from(base, 'utf8'), privateKey).toString('base64');
  return {
    'content-digest': digest,
    'signature-input': `${SIGNATURE_LABEL}=${signatureParams}`,
    signature: `${SIGNATURE_LABEL}=:${signature}:`,
  };
}

export interface IncomingRequest {
  readonly method: string;
  /** The request target's path, with or without its query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body bytes as received (empty when there is none). */
  readonly body: string | Buffer;
}

/**
 * Reads the Signature-Input, Signature and Content-Digest fields of a request into a SignedRequest,
 * taking method and path from the request itself. Checks form only: verify it with verifySignedRequest.
 */
export function parseSignedRequest(
  request: IncomingRequest,
): { ok: true; signed: SignedRequest } | SignatureFailure {
  const field = (name: string): string | undefined => {
    const entry = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
    const value = Array.isArray(entry) ? entry.join(', ') : (entry as string | undefined);
    return value?.trim();
  };
  const inputField = field('signature-input');
  const signatureField = field('signature');
  if (!inputField && !signatureField)
    return fail(
      'SIGNATURE_REQUIRED',
      'This organisation signs its commands: send Signature-Input and Signature',
    );
  if (!inputField || !signatureField)
    return fail('SIGNATURE_MALFORMED', 'Signature-Input and Signature must be sent together');
  let inputs;
  let signatures;
  try {
    inputs = parseDictionary(inputField);
    signatures = parseDictionary(signatureField);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return fail(
      'SIGNATURE_MALFORMED',
      `Signature-Input or Signature is not a structured dictionary: ${error.message}`,
    );
  }
  const chosen = [...inputs].find(([, member]) => isInnerList(member) && coversExactly(member));
  if (!chosen)
    return fail('SIGNATURE_MALFORMED', 'No signature covers exactly ("@method" "@path" "content-digest")');
  const [label, list] = chosen as [string, InnerList];
  const signatureMember = signatures.get(label);
  const signatureBytes = signatureMember && !isInnerList(signatureMember) ? signatureMember[0] : undefined;
  if (!isArrayBuffer(signatureBytes))
    return fail('SIGNATURE_MALFORMED', `Signature has no byte sequence labelled ${label}`);
  const params = checkParams(list);
  if (!params.ok) return params;
  const digest = field('content-digest');
  if (!digest) return fail('SIGNATURE_MALFORMED', 'A signed command must carry a Content-Digest field');
  const body = typeof request.body === 'string' ? request.body : request.body.toString('utf8');
  if (Buffer.isBuffer(request.body) && !Buffer.from(body, 'utf8').equals(request.body))
    return fail('SIGNATURE_MALFORMED', 'A signed body must be UTF-8');
  return {
    ok: true,
    signed: {
      keyId: params.keyId,
      alg: 'ed25519',
      label,
      signatureParams: serializeInnerList(list),
      signature: Buffer.from(signatureBytes).toString('base64'),
      components: { '@method': request.method, '@path': derivePath(request.path), 'content-digest': digest },
      body,
    },
  };
}

function coversExactly(list: InnerList): boolean {
  const [items] = list;
  const names = items.map(([value]) => value);
  return (
    names.length === COVERED_COMPONENTS.length &&
    items.every(([, params]) => params.size === 0) &&
    COVERED_COMPONENTS.every((name) => names.includes(name))
  );
}

function checkParams(
  list: InnerList,
): { ok: true; keyId: string; created: number; expires?: number } | SignatureFailure {
  const [, params] = list;
  const keyId = params.get('keyid');
  const created = params.get('created');
  const alg = params.get('alg');
  const expires = params.get('expires');
  if (typeof keyId !== 'string' || keyId === '')
    return fail('SIGNATURE_MALFORMED', 'The signature must name its key (keyid)');
  if (typeof created !== 'number' || !Number.isInteger(created))
    return fail('SIGNATURE_MALFORMED', 'The signature must say when it was made (created)');
  if (alg !== undefined && alg !== 'ed25519')
    return fail('SIGNATURE_MALFORMED', 'Only alg="ed25519" signatures are accepted');
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires)))
    return fail('SIGNATURE_MALFORMED', 'expires must be an integer');
  return { ok: true, keyId, created, ...(expires !== undefined ? { expires } : {}) };
}

export interface VerifyOptions {
  /** The verifier's clock in Unix seconds: when given, `created` must be within maxSkewSeconds of it. */
  readonly now?: number;
  readonly maxSkewSeconds?: number;
}

/**
 * Verifies a SignedRequest against the signer's public key: its parameters, its freshness (only when
 * `now` is given, as a live request is checked; an audit later is not), the body's Content-Digest,
 * and the Ed25519 signature over the RFC 9421 signature base rebuilt from the record.
 */
export function verifySignedRequest(
  signed: SignedRequest,
  publicKey: PublicKeyInput,
  options: VerifyOptions = {},
): VerifyResult {
  if (signed.alg !== 'ed25519') return fail('SIGNATURE_MALFORMED', 'Only ed25519 signatures are accepted');
  let list: InnerList;
  try {
    const member = parseDictionary(`${signed.label}=${signed.signatureParams}`).get(signed.label);
    if (!member || !isInnerList(member)) throw new ParseError(0, 'not an inner list');
    list = member;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return fail('SIGNATURE_MALFORMED', `signatureParams is not an inner list: ${error.message}`);
  }
  if (!coversExactly(list))
    return fail(
      'SIGNATURE_MALFORMED',
      'The signature must cover exactly ("@method" "@path" "content-digest")',
    );
  const params = checkParams(list);
  if (!params.ok) return params;
  if (params.keyId !== signed.keyId)
    return fail('SIGNATURE_MALFORMED', 'keyId differs from the keyid the signature names');
  if (options.now !== undefined) {
    const skew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
    if (Math.abs(options.now - params.created) > skew)
      return fail(
        'SIGNATURE_EXPIRED',
        `The signature was created more than ${skew} s from the ledger's clock`,
      );
    if (params.expires !== undefined && params.expires < options.now)
      return fail('SIGNATURE_EXPIRED', 'The signature has expired');
  }
  if (!contentDigestMatches(signed.components['content-digest'], signed.body))
    return fail('CONTENT_DIGEST_MISMATCH', 'Content-Digest does not match the body');
  let base: string;
  try {
    base = signatureBase(
      list[0].map(([value]) => {
        const name = value as CoveredComponent;
        return [name, signed.components[name]] as const;
      }),
      serializeInnerList(list),
    );
  } catch (error) {
    if (!(error instanceof SignatureBaseError) && !(error instanceof SerializeError)) throw error;
    return fail('SIGNATURE_MALFORMED', error.message);
  }
  const signature = Buffer.from(signed.signature, 'base64');
  const valid =
    signature.length === 64 &&
    ed25519Verify(null, Buffer.from(base, 'utf8'), importPublicKey(publicKey), signature);
  return valid
    ? { ok: true }
    : fail('SIGNATURE_INVALID', 'The signature does not verify with the key it names');
}
