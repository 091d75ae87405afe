import { generateKeyPairSync } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { encodeStatusList, STATUS_LIST_SIZE, statusListBit } from './status-list';
import {
  type Credential,
  CredentialError,
  didDocumentOf,
  didDocumentUrlOf,
  didWebOf,
  envelope,
  jwsOf,
  signCredential,
  verifyCredential,
} from './vc';

describe('did:web of the public URL (did:web method §3.2)', () => {
  it.each([
    [
      'https://ledger.example.com',
      'did:web:ledger.example.com',
      'https://ledger.example.com/.well-known/did.json',
    ],
    ['http://127.0.0.1:3000', 'did:web:127.0.0.1%3A3000', 'http://127.0.0.1:3000/.well-known/did.json'],
    [
      'https://example.com/tracelode/eu',
      'did:web:example.com:tracelode:eu',
      'https://example.com/tracelode/eu/did.json',
    ],
  ])('%s is %s, its document at %s', (url, did, document) => {
    expect(didWebOf(url)).toBe(did);
    expect(didDocumentUrlOf(url)).toBe(document);
  });
});

describe('credentials secured with JOSE (VC-JOSE-COSE §3.1.1)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const did = didWebOf('https://ledger.example.com');
  const document = didDocumentOf(did, publicKey);
  const credential: Credential = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    id: 'urn:uuid:00000000-0000-4000-8000-000000000000',
    issuer: { type: ['CredentialIssuer'], id: did, name: 'Test ledger' },
    validFrom: '2026-11-29T00:00:00Z',
    credentialSubject: { id: 'https://ledger.example.com/batches/MAG-1', massKg: 550 },
  };

  it('signs the credential itself as the payload, EdDSA, typ vc-ld+jwt, kid the DID key, and verifies with the DID document alone', async () => {
    const jws = await signCredential(credential, privateKey);
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(header).toEqual({ alg: 'EdDSA', typ: 'vc-ld+jwt', cty: 'vc-ld+json', kid: `${did}#ledger-key` });
    expect(JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString())).toEqual(credential);
    const enveloped = envelope(jws);
    expect(enveloped.type).toBe('EnvelopedVerifiableCredential');
    expect(enveloped.id).toBe(`data:application/vc-ld+jwt,${jws}`);
    await expect(verifyCredential(jwsOf(enveloped), document)).resolves.toEqual(credential);
  });

  it('fails after any byte of the payload changes, or with another key', async () => {
    const jws = await signCredential(credential, privateKey);
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const changed = Buffer.from(
      JSON.stringify({ ...credential, credentialSubject: { massKg: 551 } }),
    ).toString('base64url');
    await expect(verifyCredential(`${header}.${changed}.${signature}`, document)).rejects.toThrow(
      CredentialError,
    );
    const flipped = payload.slice(0, 10) + (payload[10] === 'A' ? 'B' : 'A') + payload.slice(11);
    await expect(verifyCredential(`${header}.${flipped}.${signature}`, document)).rejects.toThrow(
      CredentialError,
    );
    const other = didDocumentOf(did, generateKeyPairSync('ed25519').publicKey);
    await expect(verifyCredential(jws, other)).rejects.toThrow(/signature/);
  });

  it('refuses a credential whose issuer is not the DID document’s', async () => {
    const jws = await signCredential(
      { ...credential, issuer: { ...credential.issuer, id: 'did:web:other.example' } },
      privateKey,
    );
    await expect(verifyCredential(jws, document)).rejects.toThrow(CredentialError);
  });
});

describe('Bitstring Status List (W3C Bitstring Status List v1.0 §2.2)', () => {
  it('sets exactly the given bits, index 0 the first byte’s most significant bit, in a 16 KiB list', () => {
    const list = encodeStatusList([0, 7, 94567, STATUS_LIST_SIZE - 1]);
    expect(list.startsWith('u')).toBe(true);
    for (const index of [0, 7, 94567, STATUS_LIST_SIZE - 1]) expect(statusListBit(list, index)).toBe(true);
    for (const index of [1, 6, 8, 94566, 94568]) expect(statusListBit(list, index)).toBe(false);
    const bytes = gunzipSync(Buffer.from(list.slice(1), 'base64url'));
    expect(bytes.length).toBe(16_384);
    expect(bytes[0]).toBe(0b1000_0001);
  });

  it('refuses an index outside the list', () => {
    expect(() => encodeStatusList([STATUS_LIST_SIZE])).toThrow(RangeError);
    expect(() => statusListBit(encodeStatusList([]), STATUS_LIST_SIZE)).toThrow(RangeError);
  });
});
