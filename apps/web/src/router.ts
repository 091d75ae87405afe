import { useEffect, useState } from 'react';

/** The explorer's pages, from the URL's hash: the API owns every path, so deep links are `/#/…`. */
export type Route =
  | { readonly page: 'batches' }
  | { readonly page: 'batch'; readonly batchId: string }
  | { readonly page: 'licence'; readonly licenceId: string }
  | { readonly page: 'verify' }
  | { readonly page: 'record'; readonly form: RecordForm };

/** The record forms: a mined batch, a shipment, a receipt. */
export type RecordForm = 'mined' | 'ship' | 'receive';

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'batches' && parts[1]) return { page: 'batch', batchId: parts[1] };
  if (parts[0] === 'licences' && parts[1]) return { page: 'licence', licenceId: parts[1] };
  if (parts[0] === 'verify') return { page: 'verify' };
  if (parts[0] === 'record')
    return { page: 'record', form: parts[1] === 'ship' || parts[1] === 'receive' ? parts[1] : 'mined' };
  return { page: 'batches' };
}

export const batchHref = (batchId: string) => `#/batches/${encodeURIComponent(batchId)}`;
export const recordHref = (form: RecordForm) => (form === 'mined' ? '#/record' : `#/record/${form}`);
export const licenceHref = (licenceId: string) => `#/licences/${encodeURIComponent(licenceId)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
