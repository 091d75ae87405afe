import type { ApiKeyIssued } from '../organisation/organisation.events';

/*
 * An organisation's API keys live in a stream of their own, `credentials-{orgId}`, which audit bundles
 * never gather: a key's hash is for authentication, not for auditors. `ApiKeyIssued` keeps its wire name
 * and shape (organisation streams of older ledgers hold it too); only a hash of the key is ever stored.
 */
/** A key no longer accepted, from the next request on, in every replica. */
export type ApiKeyRevoked = {
  type: 'ApiKeyRevoked';
  data: { orgId: string; keyId: string; revokedAt: string; reason?: string };
};

export type CredentialsEvent = ApiKeyIssued | ApiKeyRevoked;
