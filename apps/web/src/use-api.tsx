import { useEffect, useState } from 'react';
import { api, ApiError } from './api';

export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly error: ApiError | Error }
  | { readonly state: 'ready'; readonly value: T };

/** A GET of the API, again whenever `path` changes; undefined path: nothing to load. */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === undefined) return;
    let current = true;
    setLoaded({ state: 'loading' });
    api<T>(path).then(
      (value) => current && setLoaded({ state: 'ready', value }),
      (error: unknown) => current && setLoaded({ state: 'error', error: error as Error }),
    );
    return () => {
      current = false;
    };
  }, [path]);
  return loaded;
}

export function LoadError({ error }: { error: Error }) {
  const code = error instanceof ApiError ? error.problem.code : 'ERROR';
  return (
    <p role="alert" className="error">
      {code}: {error instanceof ApiError ? (error.problem.detail ?? '') : error.message}
    </p>
  );
}
