import { type EpcisEvent, epcisContext, type EpcisIds } from '@tracelode/epcis';

/** The versions this binding speaks (the `GS1-EPCIS-Version` and `GS1-CBV-Version` headers). */
export const EPCIS_VERSION = '2.0.0';
export const CBV_VERSION = '2.0.0';

/** The headers every EPCIS answer carries (REST binding: the versions the server answered in). */
export const EPCIS_HEADERS = {
  'GS1-EPCIS-Version': EPCIS_VERSION,
  'GS1-CBV-Version': CBV_VERSION,
} as const;

/** JSON-LD, as the REST binding answers EPCIS documents. */
export const JSON_LD = 'application/ld+json';

export function epcisDocument(ids: EpcisIds, events: EpcisEvent[], id?: string) {
  return {
    '@context': epcisContext(ids),
    ...(id !== undefined ? { id } : {}),
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  };
}

export function epcisQueryDocument(ids: EpcisIds, events: EpcisEvent[]) {
  return {
    '@context': epcisContext(ids),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  };
}
