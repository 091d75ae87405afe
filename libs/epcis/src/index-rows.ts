import type { EpcisEvent, LedgerRecord } from './epcis.types';
import { EpcisIds } from './identifiers';
import { toEpcisEvents } from './to-epcis';

/** The base the index maps with: only the ids parsed back from its URIs are kept. */
const INDEX_IDS = new EpcisIds('https://index.invalid');

/**
 * Batch events the query answers, each as its own EPCIS event: a transformation's declaration is on its
 * own stream, so its batches' parts (`BatchRefined`, `BatchProduced`) are answered, sharing its
 * `transformationID`; a split and a blend are answered once, by the parent's `BatchSplit` and the
 * output's `BlendProduced`. Corrections and voids are answered by the export (docs/epcis.md).
 */
const INDEXED = new Set([
  'BatchMined',
  'BatchAssayed',
  'BatchShipped',
  'BatchReceived',
  'BatchHeld',
  'BatchReleased',
  'BatchExported',
  'BatchRefined',
  'BatchProduced',
  'BatchSplit',
  'BlendProduced',
]);

export interface EpcisIndexEntry {
  readonly eventType: string;
  readonly eventTime: number;
  readonly recordTime: number;
  readonly bizStep: string;
  readonly bizLocation?: string;
  readonly dispositionSet?: string;
  readonly classes: { batchId: string; role: 'object' | 'input' | 'output' }[];
}

/**
 * What the EPCIS query index keeps of a stored event (undefined: nothing), worked out by the export's own
 * mapping so that a filter finds exactly what the answer shows.
 */
export function epcisIndexEntryOf(record: LedgerRecord): EpcisIndexEntry | undefined {
  if (!record.stream.startsWith('batch-') || !INDEXED.has(record.type)) return undefined;
  const [event] = toEpcisEvents([record], INDEX_IDS);
  return event && entryOf(event);
}

/** The events a query answer shows for one indexed stored event, as the reader may see it. */
export function epcisQueryEvents(record: LedgerRecord, ids: EpcisIds): EpcisEvent[] {
  return INDEXED.has(record.type) ? toEpcisEvents([record], ids) : [];
}

function entryOf(event: EpcisEvent): EpcisIndexEntry {
  const classes: EpcisIndexEntry['classes'] = [];
  const add = (list: unknown, role: 'object' | 'input' | 'output') => {
    for (const element of Array.isArray(list) ? (list as { epcClass: string }[]) : []) {
      const batchId = INDEX_IDS.parse('batches', element.epcClass);
      if (batchId !== undefined) classes.push({ batchId, role });
    }
  };
  add(event.quantityList, 'object');
  add(event.inputQuantityList, 'input');
  add(event.outputQuantityList, 'output');
  const location = (event.bizLocation as { id?: string } | undefined)?.id;
  const facility = location !== undefined ? INDEX_IDS.parseFacility(location) : undefined;
  const set = (event.persistentDisposition as { set?: string[] } | undefined)?.set?.[0];
  return {
    eventType: event.type,
    eventTime: Date.parse(String(event.eventTime)),
    recordTime: Date.parse(String(event.recordTime)),
    bizStep: String(event.bizStep),
    ...(facility ? { bizLocation: `${facility.orgId}/${facility.facilityId}` } : {}),
    ...(set !== undefined ? { dispositionSet: set } : {}),
    classes,
  };
}
