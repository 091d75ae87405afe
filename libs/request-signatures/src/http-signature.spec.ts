import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  contentDigest,
  contentDigestMatches,
  importPublicKey,
  isEd25519PublicJwk,
  jwkThumbprint,
  parseSignedRequest,
  signatureBase,
  signRequest,
  type SignedRequest,
  toPublicJwk,
  verifySignedRequest,
} from './index';
import { isInnerList, parseDictionary, serializeInnerList } from 'structured-headers';

// RFC 9421 Appendix B.1.4, "Example Ed25519 Test Key" (test-key-ed25519).
const RFC_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`;
const RFC_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`;

// RFC 9421 Appendix B.2.6, "Signing a Request Using ed25519" (line wrapping of RFC 8792 undone).
const B26_SIGNATURE_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE =
  'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:';
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join('\n');

describe('RFC 9421 Appendix B.2.6 (ed25519)', () => {
  const input = parseDictionary(B26_SIGNATURE_INPUT).get('sig-b26')!;
  const list = isInnerList(input) ? input : undefined;

  it('serialises the parsed Signature-Input member back to the published text', () => {
    expect(`sig-b26=${serializeInnerList(list!)}`).toBe(B26_SIGNATURE_INPUT);
  });

  it('builds the published signature base', () => {
    const base = signatureBase(
      [
        ['date', 'Tue, 20 Apr 2021 02:07:55 GMT'],
        ['@method', 'POST'],
        ['@path', '/foo'],
        ['@authority', 'example.com'],
        ['content-type', 'application/json'],
        ['content-length', '18'],
      ],
      serializeInnerList(list!),
    );
    expect(base).toBe(B26_BASE);
  });

  it('verifies the published signature with test-key-ed25519 and reproduces it (Ed25519 is deterministic)', () => {
    const published = parseDictionary(B26_SIGNATURE).get('sig-b26')!;
    const bytes = Buffer.from((published as [ArrayBuffer, unknown])[0]);
    expect(verify(null, Buffer.from(B26_BASE), importPublicKey(RFC_PUBLIC_KEY), bytes)).toBe(true);
    expect(sign(null, Buffer.from(B26_BASE), RFC_PRIVATE_KEY).toString('base64')).toBe(
      bytes.toString('base64'),
    );
  });
});

describe('RFC 9530 Content-Digest', () => {
  // Appendix B.1: {"hello": "world"} followed by an LF; §2 gives the sha-512 digest of the same content.
  const body = '{"hello": "world"}\n';

  it('gives the published sha-256 digest', () => {
    expect(contentDigest(body)).toBe('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:');
  });

  it('checks the published sha-256 and sha-512 digests, and refuses a changed body', () => {
    const both =
      'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:, sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:';
    expect(contentDigestMatches(both, body)).toBe(true);
    expect(contentDigestMatches(both, Buffer.from(body))).toBe(true);
    expect(contentDigestMatches(both, '{"hello": "world"}')).toBe(false);
  });

  it('refuses a field with no algorithm it knows, or that is not a dictionary', () => {
    expect(contentDigestMatches('md5=:abc=:', body)).toBe(false);
    expect(contentDigestMatches('sha-256=RK/0', body)).toBe(false);
  });
});

describe('keys', () => {
  it('imports the RFC test key as JWK, and its thumbprint is RFC 7638 over crv, kty, x', () => {
    const jwk = toPublicJwk(RFC_PUBLIC_KEY);
    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' });
    expect(isEd25519PublicJwk(jwk)).toBe(true);
    expect(toPublicJwk(jwk)).toEqual(jwk);
    expect(jwkThumbprint(RFC_PRIVATE_KEY)).toBe(jwkThumbprint(jwk));
    expect(jwkThumbprint(jwk)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a JWK with a private part, another curve, or a short x', () => {
    const x = 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs';
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x, d: x })).toBe(false);
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'X25519', x })).toBe(false);
    expect(isEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x: x.slice(1) })).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => importPublicKey(rsa)).toThrow(/Ed25519/);
  });
});

describe('signRequest, parseSignedRequest and verifySignedRequest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const body = '{"batchId":"B-1","massKg":12.5}';
  const created = 1_800_000_000;
  const headers = signRequest({
    method: 'POST',
    path: '/batches/mined?x=1',
    body,
    privateKey,
    keyId: 'k1',
    created,
  });
  const received = (overrides: Partial<Parameters<typeof parseSignedRequest>[0]> = {}) => {
    const parsed = parseSignedRequest({
      method: 'POST',
      path: '/batches/mined',
      headers,
      body: Buffer.from(body),
      ...overrides,
    });
    if (!parsed.ok) throw new Error(parsed.code);
    return parsed.signed;
  };

  it('signs method, path (without the query) and Content-Digest under sig1', () => {
    expect(headers['content-digest']).toBe(contentDigest(body));
    expect(headers['signature-input']).toBe(
      `sig1=("@method" "@path" "content-digest");created=${created};keyid="k1";alg="ed25519"`,
    );
    expect(headers.signature).toMatch(/^sig1=:[A-Za-z0-9+/]{86}==:$/);
  });

  it('keeps a self-contained record that verifies with the public key, as JWK or PEM', () => {
    const signed = received();
    expect(signed).toEqual({
      keyId: 'k1',
      alg: 'ed25519',
      label: 'sig1',
      signatureParams: `("@method" "@path" "content-digest");created=${created};keyid="k1";alg="ed25519"`,
      signature: headers.signature.slice(6, -1),
      components: {
        '@method': 'POST',
        '@path': '/batches/mined',
        'content-digest': headers['content-digest'],
      },
      body,
    });
    expect(verifySignedRequest(signed, toPublicJwk(publicKey))).toEqual({ ok: true });
    expect(verifySignedRequest(signed, publicKey.export({ type: 'spki', format: 'pem' }).toString())).toEqual(
      {
        ok: true,
      },
    );
    // The record survives a JSON round trip, as it does in an event's metadata.
    expect(verifySignedRequest(JSON.parse(JSON.stringify(signed)) as SignedRequest, publicKey)).toEqual({
      ok: true,
    });
  });

  it('defaults keyid to the key thumbprint', () => {
    const own = signRequest({ method: 'POST', path: '/x', body: '', privateKey, created });
    expect(own['signature-input']).toContain(`keyid="${jwkThumbprint(publicKey)}"`);
  });

  it.each([
    ['another key', (s: SignedRequest) => s, generateKeyPairSync('ed25519').publicKey, 'SIGNATURE_INVALID'],
    [
      'an altered body',
      (s: SignedRequest) => ({ ...s, body: s.body.replace('12.5', '125') }),
      publicKey,
      'CONTENT_DIGEST_MISMATCH',
    ],
    [
      'an altered body with a recomputed digest',
      (s: SignedRequest) => ({
        ...s,
        body: '{}',
        components: { ...s.components, 'content-digest': contentDigest('{}') },
      }),
      publicKey,
      'SIGNATURE_INVALID',
    ],
    [
      'another path',
      (s: SignedRequest) => ({ ...s, components: { ...s.components, '@path': '/batches/B-1/holds' } }),
      publicKey,
      'SIGNATURE_INVALID',
    ],
    [
      'another method',
      (s: SignedRequest) => ({ ...s, components: { ...s.components, '@method': 'PUT' } }),
      publicKey,
      'SIGNATURE_INVALID',
    ],
    ['another keyId', (s: SignedRequest) => ({ ...s, keyId: 'k2' }), publicKey, 'SIGNATURE_MALFORMED'],
    [
      'a changed parameter',
      (s: SignedRequest) => ({
        ...s,
        signatureParams: s.signatureParams.replace(`${created}`, `${created + 1}`),
      }),
      publicKey,
      'SIGNATURE_INVALID',
    ],
    [
      'a truncated signature',
      (s: SignedRequest) => ({ ...s, signature: s.signature.slice(4) }),
      publicKey,
      'SIGNATURE_INVALID',
    ],
  ])('refuses %s', (_case, tamper, key, code) => {
    expect(verifySignedRequest(tamper(received()), key)).toMatchObject({ ok: false, code });
  });

  it('refuses a signature created outside the allowed skew, only when given a clock', () => {
    const signed = received();
    expect(verifySignedRequest(signed, publicKey, { now: created + 300 })).toEqual({ ok: true });
    expect(verifySignedRequest(signed, publicKey, { now: created + 301 })).toMatchObject({
      code: 'SIGNATURE_EXPIRED',
    });
    expect(verifySignedRequest(signed, publicKey, { now: created - 301 })).toMatchObject({
      code: 'SIGNATURE_EXPIRED',
    });
  });

  it('takes method and path from the request, not from the signer', () => {
    expect(verifySignedRequest(received({ path: '/batches/other' }), publicKey)).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(verifySignedRequest(received({ path: '/batches/mined?y=2' }), publicKey)).toEqual({ ok: true });
  });

  it.each([
    [{ headers: {} }, 'SIGNATURE_REQUIRED'],
    [{ headers: { signature: headers.signature } }, 'SIGNATURE_MALFORMED'],
    [
      { headers: { ...headers, 'signature-input': 'sig1=("@method" "@path");created=1;keyid="k1"' } },
      'SIGNATURE_MALFORMED',
    ],
    [
      { headers: { ...headers, 'signature-input': 'sig1=("@method" "@path" "content-digest");created=1' } },
      'SIGNATURE_MALFORMED',
    ],
    [
      {
        headers: {
          ...headers,
          'signature-input': headers['signature-input'].replace('ed25519', 'rsa-pss-sha512'),
        },
      },
      'SIGNATURE_MALFORMED',
    ],
    [{ headers: { ...headers, signature: 'sig2=:AAAA:' } }, 'SIGNATURE_MALFORMED'],
    [{ headers: { ...headers, 'signature-input': 'sig1=(' } }, 'SIGNATURE_MALFORMED'],
    [
      { headers: { 'signature-input': headers['signature-input'], signature: headers.signature } },
      'SIGNATURE_MALFORMED',
    ],
    [{ body: Buffer.from([0xff, 0xfe]) }, 'SIGNATURE_MALFORMED'],
  ])('refuses malformed headers (%#)', (overrides, code) => {
    expect(parseSignedRequest({ method: 'POST', path: '/x', headers, body, ...overrides })).toMatchObject({
      ok: false,
      code,
    });
  });

  it('finds the covering signature among several, whatever its label, and reads headers in any case', () => {
    const parsed = parseSignedRequest({
      method: 'POST',
      path: '/batches/mined',
      headers: {
        'Content-Digest': headers['content-digest'],
        'Signature-Input': `other=("@authority");created=1, mine=${headers['signature-input'].slice(5)}`,
        Signature: `other=:AAAA:, mine=${headers.signature.slice(5)}`,
      },
      body,
    });
    expect(parsed.ok && parsed.signed.label).toBe('mine');
    expect(parsed.ok && verifySignedRequest(parsed.signed, publicKey)).toEqual({ ok: true });
  });
});
