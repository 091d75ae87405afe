import { gunzipSync, gzipSync } from 'node:zlib';
import { type Credential, type CredentialIssuer, VC_CONTEXT_V2 } from './vc';

/** W3C Bitstring Status List v1.0 §2.2: a list is at least 16 KiB (131,072 entries), for herd privacy. */
export const STATUS_LIST_SIZE = 131_072;

/**
 * The `encodedList` of a status list with the given indexes set: the bitstring (index 0 the most
 * significant bit of the first byte), GZIP-compressed, then multibase base64url without padding (`u`).
 */
export function encodeStatusList(set: Iterable<number>, size = STATUS_LIST_SIZE): string {
  const bytes = Buffer.alloc(Math.ceil(size / 8));
  for (const index of set) {
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`index ${index}`);
    bytes[index >> 3]! |= 0x80 >> (index & 7);
  }
  return `u${gzipSync(bytes).toString('base64url')}`;
}

/** Whether the bit at `index` of an `encodedList` is set. */
export function statusListBit(encodedList: string, index: number): boolean {
  if (!encodedList.startsWith('u')) throw new Error('encodedList must be multibase base64url (u…)');
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  if (index < 0 || index >= bytes.length * 8) throw new RangeError(`index ${index} is outside the list`);
  return (bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

export interface StatusListSubject {
  readonly id: string;
  readonly type: 'BitstringStatusList';
  readonly statusPurpose: 'revocation';
  readonly encodedList: string;
}

/** A BitstringStatusListCredential (§2.2) of revocations. */
export function statusListCredential(
  url: string,
  issuer: CredentialIssuer,
  revoked: Iterable<number>,
  validFrom: string,
): Credential & { credentialSubject: StatusListSubject } {
  return {
    '@context': [VC_CONTEXT_V2],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer,
    validFrom,
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: encodeStatusList(revoked),
    },
  };
}
