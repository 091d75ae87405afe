import type { Problem } from './problem';

export type { Problem };
export { path } from './path';

/**
 * The API from the same origin. The API key lives in sessionStorage only (gone with the tab): never in a
 * URL, never logged; every request sends it as a bearer token.
 */
const KEY = 'tracelode.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (apiKey: string): void => sessionStorage.setItem(KEY, apiKey),
  signOut: (): void => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail ?? ''}`);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const key = session.key();
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const problem = (body ?? {}) as Partial<Problem>;
    throw new ApiError({ ...problem, status: response.status, code: problem.code ?? 'HTTP_ERROR' });
  }
  return body as T;
}

/** The query string of a read as of a moment (`asOf`), empty for now. */
export const momentQuery = (asOf: string | undefined): string =>
  asOf ? `?asOf=${encodeURIComponent(asOf)}` : '';

export interface Whoami {
  readonly orgId: string;
  readonly name: string;
  readonly country: string | null;
  readonly roles: readonly string[];
  readonly facilities: readonly { facilityId: string; name: string; kind: string; country: string }[];
}

export interface Checkpoint {
  readonly treeSize: number;
  readonly timestamp: string;
  readonly rootHash: string;
}
