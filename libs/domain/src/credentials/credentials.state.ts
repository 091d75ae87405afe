import type { CredentialsEvent } from './credentials.events';

export interface ApiKeyState {
  readonly keyId: string;
  readonly revokedAt?: string;
}

/**
 * An organisation's API keys as its credentials stream has them: every key issued there, by its SHA-256,
 * and the ids of every key revoked (a revocation may name a key issued in the organisation's own stream,
 * where ledgers kept keys before credentials had a stream).
 */
export interface CredentialsState {
  readonly apiKeys: ReadonlyMap<string, ApiKeyState>;
  readonly revokedKeyIds: ReadonlySet<string>;
}

export const initialCredentialsState = (): CredentialsState => ({
  apiKeys: new Map(),
  revokedKeyIds: new Set(),
});

export function evolveCredentials(state: CredentialsState, event: CredentialsEvent): CredentialsState {
  switch (event.type) {
    case 'ApiKeyIssued':
      return {
        ...state,
        apiKeys: new Map(state.apiKeys).set(event.data.keySha256, { keyId: event.data.keyId }),
      };
    case 'ApiKeyRevoked': {
      const { keyId, revokedAt } = event.data;
      const apiKeys = new Map(
        [...state.apiKeys].map(([hash, key]) => [hash, key.keyId === keyId ? { keyId, revokedAt } : key]),
      );
      return { apiKeys, revokedKeyIds: new Set(state.revokedKeyIds).add(keyId) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Every API key of the organisation, from both places keys were issued, with whether it is active. */
export function apiKeysOf(
  legacy: ReadonlyMap<string, string>,
  credentials: CredentialsState,
): Map<string, { keyId: string; active: boolean }> {
  const keys = new Map<string, { keyId: string; active: boolean }>();
  for (const [hash, keyId] of legacy)
    keys.set(hash, { keyId, active: !credentials.revokedKeyIds.has(keyId) });
  for (const [hash, key] of credentials.apiKeys)
    keys.set(hash, { keyId: key.keyId, active: key.revokedAt === undefined });
  return keys;
}

/** The keyId of an active API key with this SHA-256, if the organisation has one. */
export function activeApiKey(
  legacy: ReadonlyMap<string, string>,
  credentials: CredentialsState,
  keySha256: string,
): string | undefined {
  const key = apiKeysOf(legacy, credentials).get(keySha256);
  return key?.active ? key.keyId : undefined;
}
